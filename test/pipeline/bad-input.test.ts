import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { labelVariable, query, row, sel, stat, timeseries } from "../../src/engine/define/dashboard-kit.ts";
import { goodPanel, testDashboard } from "../helpers/dashboards.ts";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compileWith, lineOf } from "../helpers/project.ts";
import { editIn, o11yIn, projectCopies, stackLine } from "../helpers/copy.ts";

const thisFile = "test/pipeline/bad-input.test.ts";
const text = readFileSync(fileURLToPath(import.meta.url), "utf8");

const base = testDashboard;

/** This file's line and column of `needle`'s first character, where it first appears (the query, above the case's `at`). */
function positionIn(needle: string): { file: string; line: number; column: number } {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`${needle} is not in ${thisFile}`);
  const before = text.slice(0, index);
  return { file: thisFile, line: before.split("\n").length, column: index - before.lastIndexOf("\n") };
}
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
    // At the end of the query: the template's closing backtick.
    at: "`)] }), // MARK:syntax",
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
    at: "phoenix_http_request_totl{",
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
    at: '$region"})`',
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
    at: "up)`)] }), // MARK:no-sel",
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
    at: "5m]))`)] }), // MARK:fixed-window",
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
  it.each(cases)(
    "reports $name at its definition",
    ({ dashboards, check, subject, message, mark, ...rest }) => {
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
      // A PromQL finding points at its character in the query's template; any other at the panel's line.
      expect(diagnostic.source).toEqual(
        "at" in rest && rest.at !== undefined
          ? positionIn(rest.at)
          : { file: thisFile, line: lineOf(text, mark) },
      );
    },
  );

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
    // In the TypeScript source, `upp` is on the query's line, after two `\n` escapes (two characters each).
    const { line, column } = positionIn("upp{${sel}})`)] })");
    expect(formatDiagnostic(diagnostic)).toMatch(
      new RegExp(
        `^test/pipeline/bad-input\\.test\\.ts:${line}:${column} error dashboard column › panel 1 "Col" › query A: unknown metric upp.*\\(expr 3:5\\) \\[promql/unknown-metric\\]\\n    fix: did you mean up\\?`,
      ),
    );
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

/*
 * A project that cannot be evaluated, or an error in o11y itself: never a stack trace. Each case edits a copy of
 * the project and runs its CLI, from the cached bundle and through tsx (O11Y_CACHE=off), with and without the
 * type check (the syntax error is then esbuild's to find, as the bundle and tsx read the sources).
 */
describe("a project that cannot be evaluated", () => {
  const projectCopy = projectCopies("o11y-bad-project-");
  const starts: Array<{ name: string; env: Record<string, string> }> = [
    { name: "the bundle", env: {} },
    { name: "tsx", env: { O11Y_CACHE: "off" } },
  ];

  it.each(starts)("reports a syntax error as one diagnostic at its position, from $name", ({ env }) => {
    const dir = projectCopy();
    const line = editIn(dir, "src/alerts/phoenix.ts", '  severity: "critical",', '  severity: "critical",,');
    const column = '  severity: "critical",,'.length;
    for (const typecheck of ["on", "off"]) {
      const result = o11yIn(dir, ["build", "--tools", "off", "--typecheck", typecheck], env);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).not.toMatch(stackLine);
      const errors = result.stderr.split("\n").filter((text) => / error /.test(text));
      expect(errors, result.stderr).toEqual([
        typecheck === "on"
          ? `src/alerts/phoenix.ts:${line}:${column} error TS1136: Property assignment expected. [typescript/syntax]`
          : `src/alerts/phoenix.ts:${line}:${column} error syntax: Expected identifier but found "," [typescript/syntax]`,
      ]);
      expect(result.stderr).toContain("build failed: 1 error(s); nothing was written");
    }
    const json = JSON.parse(o11yIn(dir, ["check", "--typecheck", "off", "--format", "json"], env).stdout) as { diagnostics: unknown[] };
    expect(json.diagnostics).toEqual([expect.objectContaining({ check: "typescript/syntax", source: { file: "src/alerts/phoenix.ts", line, column } })]);
  });

  it.each(starts)("reports a throw in a definition module at its line, from $name", ({ env }) => {
    const dir = projectCopy();
    const line = editIn(dir, "src/alerts/phoenix.ts", "export const phoenixAlerts", "const broken = JSON.parse(\"{\");\nexport const phoenixAlerts");
    const result = o11yIn(dir, ["check", "--tools", "off", "--typecheck", "off"], env);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).not.toMatch(stackLine);
    expect(result.stdout).toMatch(new RegExp(`^src/alerts/phoenix\\.ts:${line}:\\d+ error module src/alerts/phoenix\\.ts: threw SyntaxError: .*JSON.* while the project's definitions were evaluated \\[definition/exception\\]$`, "m"));
    // With O11Y_DEBUG=1, the stack too.
    expect(o11yIn(dir, ["check", "--tools", "off", "--typecheck", "off"], { ...env, O11Y_DEBUG: "1" }).stderr).toMatch(stackLine);
  });

  it("reports an import of a file that is not there at the import", () => {
    const dir = projectCopy();
    const line = editIn(dir, "src/alerts/phoenix.ts", 'from "./thresholds.ts";', 'from "./threshold.ts";');
    const result = o11yIn(dir, ["build", "--tools", "off", "--typecheck", "off"]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(stackLine);
    expect(result.stderr).toContain(`src/alerts/phoenix.ts:${line} error module src/alerts/phoenix.ts: imports src/alerts/threshold.ts, which does not exist [definition/exception]`);
  });

  it("says an error in o11y itself in one line, with the stack only under O11Y_DEBUG=1", () => {
    const dir = projectCopy();
    // A project whose metrics cannot even be read: the engine trips over it after the module was evaluated.
    writeFileSync(
      path.join(dir, "src/getter-project.ts"),
      'import { project as real } from "./project.ts";\nexport const project = { ...real, get metrics(): never { throw new Error("unreadable metrics"); } };\n',
    );
    const result = o11yIn(dir, ["build", "--tools", "off", "--typecheck", "off", "--project", "src/getter-project.ts"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("o11y: internal error: unreadable metrics\n    this is a bug in o11y, not in your definitions: please report it with the command you ran (O11Y_DEBUG=1 prints the stack).\n");
    const debug = o11yIn(dir, ["build", "--tools", "off", "--typecheck", "off", "--project", "src/getter-project.ts"], { O11Y_DEBUG: "1" });
    expect(debug.stderr).toMatch(/^o11y: internal error: unreadable metrics\nError: unreadable metrics\n\s+at /);
  });
});
