import { describe, expect, it } from "vitest";
import { alertRoute } from "../../../src/engine/check/checks/alerts/route.ts";
import { alertRouting, type SeverityPolicy } from "../../../src/engine/define/alerting.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const routingSource = { file: "src/fixture/routing.ts", line: 7 };

/** A model whose routing is a fixture's, with an unrouted receiver of these channels. */
const withUnrouted = (changes: Partial<Model["routing"]["unrouted"]>): Model => ({
  ...base,
  routing: { ...base.routing, source: routingSource, unrouted: { ...base.routing.unrouted, ...changes } },
});

const policy = (severity: SeverityPolicy["severity"]) =>
  base.severities.find((p) => p.severity === severity)!;
const pagerduty = { kind: "pagerduty" as const, routingKeyFile: "/etc/alertmanager/secrets/key" };
const slack = { kind: "slack" as const, channel: "#alerts", webhookUrlFile: "/etc/alertmanager/secrets/url" };
const firstAlertOf = (severity: string) => base.alerts.find((a) => a.severity === severity)!;

/** The model with one alert's routing label changed, its severity field left as it was. */
function relabelled(severity: string, label: string): Model {
  const target = firstAlertOf(severity);
  return {
    ...base,
    alerts: base.alerts.map((a) => (a === target ? { ...a, labels: { ...a.labels, severity: label } } : a)),
  };
}

const bad: BadModel[] = [
  {
    name: "a root receiver that pages through PagerDuty",
    model: () => withUnrouted({ channels: [pagerduty, slack] }),
    message: `the root route's receiver "${base.routing.unrouted.receiver}" pages (pagerduty)`,
    subject: "alert routing",
    source: routingSource,
    fix: "channels that do not page",
  },
  {
    name: "a root receiver that is a paging level's receiver",
    model: () => withUnrouted({ receiver: policy("critical").receiver, channels: [slack] }),
    message: `the root route's receiver "${policy("critical").receiver}" pages (pagerduty)`,
    subject: "alert routing",
    source: routingSource,
  },
  {
    name: "a runbook level with no severity policy",
    model: (): Model => ({ ...base, severities: base.severities.filter((p) => p.severity !== "medium") }),
    message: `the runbook's level "medium" has no severity policy, so no route names it`,
    subject: "severity medium",
    fix: "add its policy",
  },
  {
    name: "two policies for one level, the first to another receiver",
    model: (): Model => ({
      ...base,
      severities: [{ ...policy("high"), receiver: policy("low").receiver }, ...base.severities],
    }),
    message: '2 severity policies name "high": Alertmanager takes the first route that matches',
    subject: "severity high",
  },
  {
    name: "an alert whose severity label matches no route",
    model: () => relabelled("critical", "Critical"),
    message: `its labels (severity="Critical") match no route, so it goes to the root receiver "${base.routing.unrouted.receiver}", not to "${policy("critical").receiver}"`,
    subject: `alert ${firstAlertOf("critical").name}`,
    source: firstAlertOf("critical").source,
  },
  {
    name: "an alert whose severity label routes it to another level's receiver",
    model: () => relabelled("medium", "critical"),
    message: `its labels take it to "${policy("critical").receiver}", not only to "${policy("medium").receiver}"`,
    subject: `alert ${firstAlertOf("medium").name}`,
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "a null root receiver (no channels)", model: () => withUnrouted({ channels: [] }) },
  {
    name: "a root receiver shared with a level that does not page",
    model: () => withUnrouted({ receiver: policy("low").receiver, channels: [] }),
  },
  {
    name: "policies listed in another order",
    model: (): Model => ({ ...base, severities: [...base.severities].reverse() }),
  },
];

describeModelCheck("alerts/route", alertRoute, { severity: "error", match: "message", bad, good }, (run) => {
  it("leaves an alert of a level without a policy to alerts/severity", () => {
    const found = run({ ...base, severities: base.severities.filter((p) => p.severity !== "critical") });
    expect(found.map((d) => d.subject)).toEqual(["severity critical"]);
  });
});

describe("alertRouting(...) validated where it is written", () => {
  it("reports a level that is not the runbook's and a channel of no known kind, at its line", () => {
    const routing = alertRouting({
      ...project.routing!,
      unrouted: { ...project.routing!.unrouted, channels: [{ kind: "email" } as never] },
      inhibit: { severities: ["urgent" as "high"], equal: ["service", "job"] },
    });
    const { diagnostics } = compile({ ...project, routing });
    const found = diagnostics.filter((d) => d.subject === "alert routing");
    expect(found.map((d) => d.message).join("\n")).toMatch(/urgent/);
    expect(found.map((d) => d.message).join("\n")).toMatch(/email/);
    for (const d of found) expect(d.source.file).toBe("test/checks/alerts/route.test.ts");
  });
});
