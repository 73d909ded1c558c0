import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { labelVariable, query, row, sel, stat, timeseries } from "../../src/engine/define/dashboard-kit.ts";
import { goodPanel, testDashboard } from "../helpers/dashboards.ts";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compileWith, lineOf } from "../helpers/project.ts";

const thisFile = "test/pipeline/bad-input.test.ts";
const text = readFileSync(fileURLToPath(import.meta.url), "utf8");

const base = testDashboard;
const good = goodPanel;

/** Each case: a dashboard with one mistake, the check that must catch it, and the marker on the line it must point at. */
const cases = [
  {
    name: "a duplicate dashboard uid",
    dashboards: () => [base("dup-uid").withPanel(good(1)), base("dup-uid") /* MARK:dup-uid */.withPanel(good(1))],
    check: "dashboard/unique-uid",
    subject: "dashboard dup-uid",
    message: 'uid "dup-uid" is already used',
    mark: "MARK:dup-uid",
  },
  {
    name: "a duplicate panel id",
    dashboards: () => [base("dup-panel").withRow(row(1, "Row")).withPanel(good(2)).withPanel(stat({ id: 2, title: "Again", description: "Same id.", unit: "short", queries: [query(`up{${sel}}`)] })) /* MARK:dup-panel */],
    check: "dashboard/unique-panel-id",
    subject: 'panel 2 "Again"',
    message: "panel id 2 is already used",
    mark: "MARK:dup-panel",
  },
  {
    name: "a panel without a unit",
    dashboards: () => [
      base("no-unit").withPanel(
        timeseries({ id: 1, title: "Unitless", description: "No unit.", unit: "", queries: [query(`up{${sel}}`)] }), // MARK:no-unit
      ),
    ],
    check: "dashboard/panel-unit",
    subject: 'panel 1 "Unitless"',
    message: "no unit",
    mark: "MARK:no-unit",
  },
  {
    name: "a panel without a description",
    dashboards: () => [
      base("no-description").withPanel(
        timeseries({ id: 1, title: "Silent", description: "", unit: "short", queries: [query(`up{${sel}}`)] }), // MARK:no-description
      ),
    ],
    check: "dashboard/panel-description",
    subject: 'panel 1 "Silent"',
    message: "no description",
    mark: "MARK:no-description",
  },
  {
    name: "a PromQL syntax error",
    dashboards: () => [
      base("syntax").withPanel(
        timeseries({ id: 1, title: "Broken", description: "Unbalanced.", unit: "short", queries: [query(`sum(rate(up{${sel}}[$__rate_interval])`)] }), // MARK:syntax
      ),
    ],
    check: "promql/syntax",
    subject: 'panel 1 "Broken" › query A',
    message: "PromQL syntax error",
    mark: "MARK:syntax",
  },
  {
    name: "an unknown metric",
    dashboards: () => [
      base("unknown").withPanel(
        timeseries({ id: 1, title: "Typo", description: "Typo.", unit: "reqps", queries: [query(`sum(rate(phoenix_http_request_totl{${sel}}[$__rate_interval]))`)] }), // MARK:unknown
      ),
    ],
    check: "promql/unknown-metric",
    subject: 'panel 1 "Typo" › query A',
    message: "unknown metric phoenix_http_request_totl",
    fix: "did you mean phoenix_http_request_total?",
    mark: "MARK:unknown",
  },
  {
    name: "a variable the dashboard does not define",
    dashboards: () => [
      base("undefined-var").withPanel(
        timeseries({ id: 1, title: "Region", description: "Uses $region.", unit: "short", queries: [query(`sum(up{${sel}, region=~"$region"})`)] }), // MARK:undefined-var
      ),
    ],
    check: "dashboard/undefined-variable",
    subject: 'panel 1 "Region" › query A',
    message: "variable $region is not defined",
    mark: "MARK:undefined-var",
  },
  {
    name: "a query that ignores the job and instance pickers",
    dashboards: () => [
      base("no-sel").withPanel(
        timeseries({ id: 1, title: "Everything", description: "No selector.", unit: "short", queries: [query(`sum(up)`)] }), // MARK:no-sel
      ),
    ],
    check: "dashboard/job-instance-matchers",
    subject: 'panel 1 "Everything" › query A',
    message: 'lacks job=~"$job" and instance=~"$instance"',
    mark: "MARK:no-sel",
  },
  {
    name: "a fixed rate window in a dashboard",
    dashboards: () => [
      base("fixed-window").withPanel(
        timeseries({ id: 1, title: "Fixed", description: "5m window.", unit: "reqps", queries: [query(`sum(rate(phoenix_http_request_total{${sel}}[5m]))`)] }), // MARK:fixed-window
      ),
    ],
    check: "promql/rate-window",
    subject: 'panel 1 "Fixed" › query A',
    message: "rate() over [5m] in a dashboard",
    mark: "MARK:fixed-window",
  },
  {
    name: "overlapping panels",
    dashboards: () => [
      base("overlap")
        .withPanel(good(1))
        .withPanel(stat({ id: 2, title: "On top", description: "Overlaps.", unit: "short", queries: [query(`up{${sel}}`)] }).gridPos({ x: 2, y: 0, w: 6, h: 4 })), // MARK:overlap
    ],
    check: "dashboard/grid-layout",
    subject: 'panel 2 "On top"',
    message: 'overlaps panel 1 "Panel 1"',
    mark: "MARK:overlap",
  },
];

describe("bad dashboard input", () => {
  it.each(cases)("reports $name at its definition", ({ dashboards, check, subject, message, mark, ...rest }) => {
    const result = compileWith(dashboards());
    expect(result.ok).toBe(false);
    expect(result.artifacts).toEqual([]);
    const found = result.diagnostics.filter((d) => d.check === check);
    expect(found, result.diagnostics.map(formatDiagnostic).join("\n")).toHaveLength(1);
    const diagnostic = found[0]!;
    expect(diagnostic.severity).toBe("error");
    expect(diagnostic.subject).toContain(subject);
    expect(diagnostic.message).toContain(message);
    expect(diagnostic.fix).toBeTruthy();
    if ("fix" in rest) expect(diagnostic.fix).toContain(rest.fix);
    expect(diagnostic.source).toEqual({ file: thisFile, line: lineOf(text, mark) });
  });

  it("reports every problem of every dashboard in one run", () => {
    const result = compileWith(cases.flatMap((c) => c.dashboards()));
    const checks = new Set(result.diagnostics.map((d) => d.check));
    for (const c of cases) expect(checks).toContain(c.check);
  });

  it("points a PromQL error at its column inside the expression", () => {
    const result = compileWith([
      base("column").withPanel(
        timeseries({ id: 1, title: "Col", description: "Typo in second line.", unit: "short", queries: [query(`sum(up{${sel}})\n/\nsum(upp{${sel}})`)] }),
      ),
    ]);
    const diagnostic = result.diagnostics.find((d) => d.check === "promql/unknown-metric")!;
    expect(diagnostic.position).toEqual({ line: 3, column: 5 });
    expect(formatDiagnostic(diagnostic)).toMatch(/^test\/pipeline\/bad-input\.test\.ts:\d+ error dashboard column › panel 1 "Col" › query A: unknown metric upp.*\(expr 3:5\) \[promql\/unknown-metric\]\n    fix: did you mean up\?/);
  });

  it("checks template variable queries too", () => {
    const result = compileWith([
      base("var-typo").withVariable(labelVariable({ name: "repo", label: "Repo", selector: `ecto_query_duration_secnds_count{${sel}}` })).withPanel(good(1)),
    ]);
    const diagnostic = result.diagnostics.find((d) => d.check === "promql/unknown-metric")!;
    expect(diagnostic.subject).toBe("dashboard var-typo › variable $repo");
    expect(diagnostic.fix).toContain("ecto_query_duration_seconds_count");
  });
});
