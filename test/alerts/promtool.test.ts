import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emit } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { run } from "../helpers/tools.ts";

const result = compile(project);
const out = mkdtempSync(path.join(tmpdir(), "o11y-promtool-"));
emit(out, result.artifacts);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const files = (dir: string) =>
  readdirSync(path.join(out, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => path.join(dir, f));

describe("the real Prometheus tools accept the build", () => {
  it("builds", () => expect(result.diagnostics).toEqual([]));

  it("promtool check rules passes on every rule file", () => {
    const rules = files("prometheus/rules");
    expect(rules).toHaveLength(result.model.ruleGroups.length);
    const { code, output } = run("promtool", ["check", "rules", ...rules], out);
    expect(output).not.toContain("FAILED");
    expect(code, output).toBe(0);
    expect(output.match(/SUCCESS/g)).toHaveLength(rules.length);
  });

  it("promtool check config passes on prometheus.yml and finds every rule file", () => {
    const { code, output } = run("promtool", ["check", "config", "prometheus/prometheus.yml"], out);
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${result.model.ruleGroups.length} rule files found`);
  });

  it("amtool check-config passes on alertmanager.yml", () => {
    const { code, output } = run("amtool", ["check-config", "alertmanager/alertmanager.yml"], out);
    expect(code, output).toBe(0);
    // One receiver per level, and the root route's unrouted one.
    expect(output).toContain(`${result.model.severities.length + 1} receivers`);
    expect(output).toContain(`${result.model.routing.inhibit.severities.length} inhibit rules`);
  });

  it.each(result.model.severities.map((p) => [p.severity, p.receiver]))(
    "routes severity=%s to %s",
    (severity, receiver) => {
      const { code, stdout, output } = run(
        "amtool",
        [
          "config",
          "routes",
          "test",
          "--config.file",
          "alertmanager/alertmanager.yml",
          `severity=${severity}`,
          "alertname=Any",
        ],
        out,
      );
      expect(code, output).toBe(0);
      expect(stdout.trim()).toBe(receiver);
    },
  );

  it.each(files("prometheus/tests"))("promtool test rules passes %s", (file) => {
    const { code, output } = run("promtool", ["test", "rules", file], out);
    expect(output).not.toContain("WARNING");
    expect(code, output).toBe(0);
    expect(output).toContain("SUCCESS");
  });

  it("tests every alert and every recording rule", () => {
    const tests = result.artifacts
      .filter((a) => a.path.startsWith("prometheus/tests/"))
      .map((a) => a.content)
      .join("\n");
    for (const alert of result.model.alerts) expect(tests).toContain(`alertname: ${alert.name}`);
    for (const rule of result.model.recordingRules) expect(tests).toContain(`expr: ${rule.record}`);
  });
});
