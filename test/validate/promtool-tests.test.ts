/**
 * The gate runs promtool's unit tests: a test that our checks cannot judge (it needs the series evaluated) and
 * that fails fails the build at its alert's line; a test file that passed is not run again until what decides
 * its outcome changes. Real promtool, real build files.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ruleGroup } from "../../src/engine/define/alerting.ts";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { judgeWithTools } from "../../src/engine/validate/tools/index.ts";
import { judgeRuleTests, readTestFailures } from "../../src/engine/validate/tools/promtool-tests.ts";
import { renderGrafana } from "../../src/engine/render/grafana.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
import { project } from "../../src/project.ts";
import { variantAlert } from "../helpers/alerts.ts";
import { lineOf } from "../helpers/project.ts";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-promtool-tests-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const thisFile = readFileSync(fileURLToPath(import.meta.url), "utf8");

let staging = 0;
function stage(artifacts: Artifact[]): string {
  const dir = path.join(temp, `stage-${staging++}`);
  for (const artifact of artifacts) {
    mkdirSync(path.dirname(path.join(dir, artifact.path)), { recursive: true });
    writeFileSync(path.join(dir, artifact.path), artifact.content);
  }
  return dir;
}

const base = variantAlert({ name: "TestHighErrorRate" });
const [near] = base.tests;
/** The real project with one more alert group, of our own alerts. */
const withAlerts = (...alerts: ReturnType<typeof variantAlert>[]) => ({ ...project, alertGroups: [...project.alertGroups, ruleGroup("test-alerts", alerts)] });
const built = (...alerts: ReturnType<typeof variantAlert>[]) => {
  const result = compile(withAlerts(...alerts));
  expect(result.ok, result.diagnostics.map(formatDiagnostic).join("\n")).toBe(true);
  return result.artifacts;
};

describe("promtool test rules in the gate", () => {
  it("fails a test that every check accepts but Prometheus computes otherwise, at the alert's line", async () => {
    const wrong = variantAlert({
      name: "TestHighErrorRate",
      tests: base.tests.map((t) => (t === near ? { ...t, expect: t.expect.map((e) => (e.state === "firing" ? { ...e, description: "Not what Prometheus renders." } : e)) } : t)),
    }); // marker: wrong description
    const artifacts = built(wrong);
    const verdict = await judgeWithTools(stage(artifacts), artifacts, "require", { ...process.env, O11Y_CACHE: "off" });
    const lines = verdict.diagnostics.map(formatDiagnostic);
    expect(lines, lines.join("\n")).toHaveLength(1);
    expect(verdict.diagnostics[0]).toMatchObject({ check: "tool/promtool", subject: "alert TestHighErrorRate", source: { file: "test/validate/promtool-tests.test.ts", line: lineOf(thisFile, "marker: wrong description") - 3 } });
    expect(verdict.diagnostics[0]!.message).toMatch(
      /^promtool \d+\.\d+\.\S+ test rules fails \(prometheus\/tests\/alerts\/test\.test\.yaml, test "TestHighErrorRate: 52 of every 1000 requests fail"\):\nalertname: TestHighErrorRate, time: 8m,[\s\S]*Not what Prometheus renders\.[\s\S]*got:/,
    );
    expect(verdict.diagnostics[0]!.fix).toContain("never with for: 0s");
  });

  it("runs each test file once, then only those whose outcome may have changed", async () => {
    const cache = path.join(temp, "cache");
    const first = built(base);
    const run = (artifacts: Artifact[]) => judgeRuleTests(stage(artifacts), artifacts, "require", process.env, cache);
    const all = first.filter((a) => a.schema === "promtool-tests").map((a) => a.path).sort();
    expect(all).toContain("prometheus/tests/alerts/test.test.yaml");

    const cold = await run(first);
    expect(cold).toEqual({ diagnostics: [], ran: all, cached: [] });
    expect(readdirSync(cache)).toHaveLength(all.length);

    expect(await run(first)).toMatchObject({ diagnostics: [], ran: [] });

    // One alert's summary changes: its group's test file runs again, nothing else.
    const changed = built(variantAlert({ name: "TestHighErrorRate", summary: "Too many requests fail." }));
    expect(await run(changed)).toMatchObject({ diagnostics: [], ran: ["prometheus/tests/alerts/test.test.yaml"] });

    // A recording rule file changes: every test may read it.
    const recording = changed.map((a) => (a.path === "prometheus/rules/recording/phoenix.yaml" ? { ...a, content: `${a.content}# changed\n` } : a));
    expect((await run(recording)).ran).toEqual(all);
  });

  it("does not remember a failure", async () => {
    const cache = path.join(temp, "cache-failing");
    const artifacts = built(base).map((a) =>
      a.path === "prometheus/tests/alerts/test.test.yaml" ? { ...a, content: a.content.replace("eval_time: 8m", "eval_time: 1m") } : a,
    );
    const run = () => judgeRuleTests(stage(artifacts), artifacts, "require", process.env, cache);
    const first = await run();
    expect(first.diagnostics.map((d) => d.subject)).toEqual(["alert TestHighErrorRate"]);
    const again = await run();
    expect(again.ran).toEqual(["prometheus/tests/alerts/test.test.yaml"]);
    expect(again.diagnostics).toHaveLength(1);
  });

  it("leaves the tests to check config when a rule file does not load", async () => {
    const artifacts = built(base).map((a) => (a.path === "prometheus/rules/alerts/test.yaml" ? { ...a, content: a.content.replace(/expr: .*/, "expr: 'sum(('") } : a));
    const verdict = await judgeWithTools(stage(artifacts), artifacts, "require", { ...process.env, O11Y_CACHE: "off" });
    expect(verdict.diagnostics.length).toBeGreaterThan(0);
    expect(verdict.diagnostics.every((d) => !d.message.includes("test rules fails")), verdict.diagnostics.map(formatDiagnostic).join("\n")).toBe(true);
  });
});

describe("for: 0s with a pending expectation", () => {
  const zero = variantAlert({ name: "TestHighErrorRate", for: "0s" }); // marker: for 0s
  const alertLine = { file: "test/validate/promtool-tests.test.ts", line: lineOf(thisFile, "marker: for 0s") };
  // Every expectation of pending in the copied alert's tests: each one promtool fails.
  const pending = zero.tests.flatMap((t) => t.expect.filter((e) => e.state === "pending").map((e) => ({ name: t.name, at: e.at })));

  it("fails the build, at the alert's line, before anything is written", () => {
    const result = compile(withAlerts(zero));
    expect(result.ok).toBe(false);
    expect(result.artifacts).toEqual([]);
    const found = result.diagnostics.filter((d) => d.source.file === alertLine.file);
    expect(pending.length).toBeGreaterThan(0);
    expect(found.map(formatDiagnostic).sort()).toEqual(pending.map(({ name, at }) =>
      `${alertLine.file}:${alertLine.line} error alert TestHighErrorRate: test "${name}" at ${at}: expects pending, but with for: 0s the alert fires as soon as its condition holds and is never pending, so promtool fails this test [alerts/tests]\n    fix: give the alert a \`for\` longer than the pending time (most alerts need one to ride out a single bad scrape), or expect firing.`,
    ).sort());
  });

  it("is what promtool concludes too, when the files are rendered regardless", async () => {
    const { model } = compile(withAlerts(zero));
    const artifacts = [...renderGrafana(model), ...renderPrometheus(model)];
    const verdict = await judgeRuleTests(stage(artifacts), artifacts, "require", process.env, undefined);
    expect(verdict.diagnostics.map((d) => [d.subject, d.source])).toEqual(pending.map(() => ["alert TestHighErrorRate", alertLine]));
    expect(verdict.diagnostics.map((d) => d.message).join("\n")).toMatch(/expr: "ALERTS\{alertname=\\"TestHighErrorRate\\", alertstate=\\"pending\\"\}", time: 3m,[\s\S]*got: nil/);
  });
});

describe("readTestFailures", () => {
  it("splits promtool's report into failed tests, each with what promtool said", () => {
    const output = [
      "Unit Testing:  a.test.yaml",
      "  FAILED:",
      "    name: A: fires,",
      "    alertname: A, time: 3m, ",
      "        exp:[], ",
      "        got:[]",
      "",
      '    expr: "ALERTS", time: 3m,',
      "        got: nil",
      "    name: B: other, test,",
      "    alertname: B, time: 1m, ",
      "",
    ].join("\n");
    expect(readTestFailures(output)).toEqual([
      { test: "A: fires", detail: 'alertname: A, time: 3m,\n    exp:[],\n    got:[]\nexpr: "ALERTS", time: 3m,\n    got: nil' },
      { test: "B: other, test", detail: "alertname: B, time: 1m," },
    ]);
  });

  it("keeps a failure that names no test", () => {
    expect(readTestFailures("Unit Testing:  a.test.yaml\n  FAILED:\n    1:1: parse error\n")).toEqual([{ detail: "1:1: parse error" }]);
  });
});
