/**
 * Paging is deserved, proven with Alertmanager's own router: every alert of the build, with the labels it
 * carries, resolves (`amtool config routes test`) to its severity's receiver alone; an alert that matches no
 * route resolves to the root receiver, which pages no one.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pagingIntegrations } from "../../src/engine/diff/routing.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { project } from "../../src/project.ts";
import { run } from "../helpers/tools.ts";

const { model } = compile(project);
const configFile = path.join(projectRoot, "build/alertmanager/alertmanager.yml");
const config = parse(readFileSync(configFile, "utf8")) as {
  route: { receiver: string };
  receivers: Array<Record<string, unknown> & { name: string }>;
};

/** The receivers Alertmanager routes these labels to, in order. */
function routesTo(labels: Record<string, string>): string[] {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}=${value}`);
  const { code, stdout, output } = run("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${configFile}`,
    ...pairs,
  ]);
  expect(code, output).toBe(0);
  return stdout
    .trim()
    .split(",")
    .map((r) => r.trim());
}

const pages = (receiver: string) =>
  Object.keys(config.receivers.find((r) => r.name === receiver) ?? {}).some((key) =>
    pagingIntegrations.has(key.replace(/_configs$/, "")),
  );

describe("amtool config routes test", () => {
  it.each(model.alerts.map((alert) => ({ name: alert.name, alert })))(
    "routes $name to its severity's receiver alone",
    ({ alert }) => {
      const receiver = model.severities.find((p) => p.severity === alert.severity)?.receiver;
      expect(receiver, `severity ${alert.severity} has a policy`).toBeDefined();
      // The labels it is sent with: its own, and the job its expression keeps.
      expect(routesTo({ alertname: alert.name, job: "global-sovereign", ...alert.labels })).toEqual([
        receiver,
      ]);
    },
  );

  it("routes each runbook level to its own policy's receiver", () => {
    for (const policy of model.severities)
      expect(routesTo({ alertname: "Probe", severity: policy.severity })).toEqual([policy.receiver]);
  });

  it.each<{ name: string; labels: Record<string, string> }>([
    { name: "no severity", labels: { alertname: "Stray" } },
    { name: "a severity no route names", labels: { alertname: "Stray", severity: "urgent" } },
    { name: "a level spelt in capitals", labels: { alertname: "Stray", severity: "CRITICAL" } },
  ])("sends an alert with $name to the root receiver, which pages no one", ({ labels }) => {
    const [receiver, ...more] = routesTo(labels);
    expect(more).toEqual([]);
    expect(receiver).toBe(config.route.receiver);
    expect(receiver).toBe(model.routing.unrouted.receiver);
    expect(pages(receiver!), `receiver ${receiver}: ${JSON.stringify(config.receivers)}`).toBe(false);
  });

  it("has paging receivers to tell apart from the root's", () => {
    // Guards the test above: pages() must see PagerDuty where it is.
    const critical = model.severities.find((p) => p.severity === "critical")!;
    expect(pages(critical.receiver)).toBe(true);
  });
});
