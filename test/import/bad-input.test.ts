/**
 * `o11y import dashboard` on input it cannot import: a clear message naming what is wrong and how to fix it, a
 * non-zero exit, every problem at once, no stack trace, and no file in src/ created or changed. The inputs are
 * small hand-made edge cases (not real dashboards), except where a real fixture is imported twice.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";
import { readTree } from "../helpers/cli.ts";
import { o11yIn, projectCopies, stackLine } from "../helpers/copy.ts";

const dir = projectCopies("o11y-import-bad-")();
const inputs = mkdtempSync(path.join(tmpdir(), "o11y-import-inputs-"));
let before: Map<string, string>;
beforeAll(() => {
  before = readTree(path.join(dir, "src"));
});

/** A hand-made dashboard of the current schema with these panels and variables. */
function handMade(panels: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ title: "Edge case", uid: "edge-case", tags: ["t"], panels, ...extra });
}

const panel = (id: number, type: string, expr = "rate(http_requests_total[5m])") => ({
  id,
  type,
  title: `Panel ${id}`,
  gridPos: { x: 0, y: id * 8, w: 12, h: 8 },
  targets: [{ refId: "A", expr }],
});

function importing(name: string, text: string, args: string[] = []) {
  const file = path.join(inputs, name);
  writeFileSync(file, text);
  return o11yIn(dir, ["import", "dashboard", ...args, file]);
}

function expectRefused(result: ReturnType<typeof importing>, messages: (string | RegExp)[], code = 1) {
  expect(result.code, result.stderr).toBe(code);
  for (const message of messages) expect(result.stderr).toMatch(message);
  expect(result.stderr).toContain("fix:");
  expect(result.stderr).not.toMatch(stackLine);
  expect(result.stdout).toBe("");
  expect(readTree(path.join(dir, "src")), "src/ unchanged").toEqual(before);
}

describe("o11y import dashboard refuses bad input, and writes nothing", () => {
  it("not JSON", () => {
    expectRefused(importing("broken.json", '{ "title": "x", "panels": [ '), [/broken\.json is not JSON/]);
  });

  it("JSON that is not a dashboard (an alert rule, a list)", () => {
    expectRefused(importing("rule.json", JSON.stringify({ alert: "X", expr: "up == 0" })), [
      /rule\.json is not a Grafana dashboard/,
    ]);
    expectRefused(importing("list.json", "[1, 2]"), [/list\.json is not a Grafana dashboard/]);
  });

  it("a panel type never seen, and a query that does not parse: both reported in one run", () => {
    const text = handMade([panel(1, "acme-sparkles-panel"), panel(2, "timeseries", "sum(rate(x[5m])")]);
    expectRefused(importing("two-problems.json", text), [
      /panel 1 "Panel 1" \(panels\[0\]\) is of type "acme-sparkles-panel", a panel type o11y import has never seen/,
      /--allow-panel-type acme-sparkles-panel/,
      /panel 2 "Panel 2" › query A: the query does not parse as PromQL \(line 1, column \d+\)/,
      /import failed: 2 problem\(s\)/,
    ]);
  });

  it("a plugin panel is kept as it is with --allow-panel-type (dry run: still nothing written)", () => {
    const result = importing("plugin.json", handMade([panel(1, "acme-sparkles-panel")]), [
      "--allow-panel-type",
      "acme-sparkles-panel",
      "--dry-run",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("dry run: nothing was written");
    expect(readTree(path.join(dir, "src"))).toEqual(before);
  });

  it("what a schema refuses, on a panel that owes debt too (no description): the build would refuse it", () => {
    const wide = { ...panel(1, "timeseries"), gridPos: { x: 0, y: 0, w: 30, h: 8 } };
    expectRefused(importing("wide.json", handMade([wide])), [
      /dashboard edge-case › panel 1 "Panel 1": \/panels\/0\/gridPos\/w: must be <= 24 \(got 30\)/,
    ]);
  });

  it("a uid or a file name that collides with an existing dashboard", () => {
    expectRefused(importing("uid.json", handMade([panel(1, "timeseries")], { uid: "gs-phoenix-metrics" })), [
      /dashboard uid "gs-phoenix-metrics" is already used by "Phoenix Metrics"/,
    ]);
    expectRefused(importing("name.json", handMade([panel(1, "timeseries")]), ["--name", "phoenix-metrics"]), [
      /src\/dashboards\/phoenix-metrics\.ts exists already/,
      /src\/dashboards\/index\.ts already has a name phoenixMetrics/,
    ]);
  });

  it("a file that is missing: exit 2, nothing written", () => {
    const result = o11yIn(dir, ["import", "dashboard", path.join(inputs, "missing.json")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("there is no such file");
    expect(readTree(path.join(dir, "src"))).toEqual(before);
  });

  it("a real dashboard imported twice: the second run refuses, the first run's files stay as they were", () => {
    const fixture = path.join(
      projectRoot,
      "test/fixtures/import/dashboards/kube-prometheus-alertmanager-overview.json",
    );
    const first = o11yIn(dir, ["import", "dashboard", fixture]);
    expect(first.code, first.stderr).toBe(0);
    const after = readTree(path.join(dir, "src"));
    expect(after.get("dashboards/alertmanager-overview.ts")).toContain("importedDashboard(");
    const second = o11yIn(dir, ["import", "dashboard", fixture]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      'dashboard uid "alertmanager-overview" is already used by "Alertmanager / Overview"',
    );
    expect(readTree(path.join(dir, "src"))).toEqual(after);
    before = after;
  });
});
