/**
 * Definitions are validated where they are written: a wrong type, a missing field, a number that is not
 * finite, `undefined` interpolated into PromQL. Each case holds one mistake; it must be reported once, at the
 * marked line, naming the definition, with a fix, and nothing else may be said about it (the compile reads
 * placeholders, and the checks' findings on a broken definition are noise). Nothing may throw.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { phoenix } from "../../src/catalog/index.ts";
import { above, recordingRule, ruleGroup, severityPolicy } from "../../src/engine/define/alerting.ts";
import { counter, gauge, histogram } from "../../src/engine/define/catalog.ts";
import { dashboard, labelVariable, query, row, sel, stat, timeseries } from "../../src/engine/define/dashboard-kit.ts";
import type { ProjectDefinition } from "../../src/engine/define/project.ts";
import { formatDiagnostic, type Diagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { projectWith as projectWithAlerts, variantAlert } from "../helpers/alerts.ts";
import { goodPanel, testDashboard } from "../helpers/dashboards.ts";
import { lineOf, projectWith as projectWithDashboards } from "../helpers/project.ts";

const thisFile = "test/define/validation.test.ts";
const text = readFileSync(fileURLToPath(import.meta.url), "utf8");
/** A catalog group read as untyped code would read it. */
const untyped = phoenix as unknown as Record<string, unknown>;
const anything = <T>(value: unknown) => value as T;

const alertSubject = "alert PhoenixHigh5xxErrorRate";
const okMetric = { help: "h", unit: "short", labels: {}, origin: { kind: "exporter", detail: "d", status: "exported" } } as const;
const okRule = { record: "job:test_metric:sum", expr: "sum by (job) (up)", tests: [{ name: "t", input: [{ series: 'up{job="a"}', values: "1x10" }], at: "5m", expect: [{ labels: { job: "a" }, value: 1 }] }] };
const critical = project.severities[0]!;

interface Case {
  name: string;
  /** The project with the mistake, and the same project without it: what else is said must be the same. */
  project: () => ProjectDefinition;
  baseline: () => ProjectDefinition;
  subject: string;
  message: string;
  fix: string;
  mark: string;
  check?: string;
  position?: { line: number; column: number };
}

const alertCase = (name: string, project: () => ProjectDefinition, message: string, fix: string, mark: string, extra: Partial<Case> = {}): Case => ({
  name,
  project,
  baseline: () => projectWithAlerts([variantAlert({})]),
  subject: alertSubject,
  message,
  fix,
  mark,
  ...extra,
});

const dashboardCase = (name: string, board: () => ReturnType<typeof testDashboard>, subject: string, message: string, fix: string, mark: string, extra: Partial<Case> = {}): Case => ({
  name,
  project: () => projectWithDashboards([board()]),
  baseline: () => projectWithDashboards([testDashboard("fine").withPanel(goodPanel(1))]),
  subject,
  message,
  fix,
  mark,
  ...extra,
});

const withMetric = (metric: ReturnType<typeof counter>) => ({ ...project, metrics: [...project.metrics, metric] });
const withRules = (rules: ReturnType<typeof recordingRule>[]) => projectWithAlerts([variantAlert({})], rules);

const cases: Case[] = [
  alertCase("a summary that is a number", () => projectWithAlerts([variantAlert({ summary: anything(42) })]), "summary is 42 (a number), not text", 'summary: "', "MARK:summary"), // MARK:summary
  alertCase("an alert without its threshold", () => projectWithAlerts([variantAlert({ threshold: anything(undefined) })]), "threshold is missing", "thresholds.", "MARK:no-threshold"), // MARK:no-threshold
  alertCase("a for that is a number", () => projectWithAlerts([variantAlert({ for: anything(5) })]), "for is 5 (a number), not text", '"5m"', "MARK:for"), // MARK:for
  alertCase("a test value that is NaN", () => projectWithAlerts([variantAlert({ tests: variantAlert({}).tests.map((t, i) => (i === 0 ? { ...t, value: Number.NaN } : t)) })]), "tests[0].value is NaN, not a finite number", "value: ", "MARK:test-nan"), // MARK:test-nan
  alertCase("an infinite threshold", () => projectWithAlerts([variantAlert({ threshold: above(Number.POSITIVE_INFINITY, "ratio") })]), "threshold Infinity is not a finite number", "above(0.05", "MARK:infinite", { check: "alerts/threshold" }), // MARK:infinite
  alertCase("a threshold value given as text", () => projectWithAlerts([variantAlert({ threshold: above(anything("0.05"), "ratio") })]), `the threshold's value is "0.05" (text), not a number`, "above(value, unit) takes the number itself", "MARK:threshold-text"), // MARK:threshold-text
  alertCase("a threshold of an unknown unit", () => projectWithAlerts([variantAlert({ threshold: above(0.05, anything("percentage")) })]), `the threshold's unit is "percentage" (text), not one of "ratio"`, '"ratio" (0.05 for 5%)', "MARK:unit"), // MARK:unit
  alertCase("a label value that is a number", () => projectWithAlerts([variantAlert({ labels: anything({ tier: 1 }) })]), "labels.tier is 1 (a number), not text", "labels: {", "MARK:label"), // MARK:label
  alertCase("a link to a dashboard that is undefined", () => projectWithAlerts([variantAlert({ dashboard: anything({ dashboard: undefined, panel: 301 }) })]), "dashboard.dashboard is missing", "dashboard's builder", "MARK:no-dashboard"), // MARK:no-dashboard
  alertCase("a misspelt catalog metric in the expression", () => projectWithAlerts([variantAlert({ expr: `sum(rate(${untyped.httpRequestz}[5m])) > 0.05` })]), `expr holds \`undefined\`: phoenix.httpRequestz (read at line ${lineOf(text, "MARK:catalog-typo")}) is not in the metric catalog`, "did you mean phoenix.httpRequests?", "MARK:catalog-typo", { position: { line: 1, column: 10 } }), // MARK:catalog-typo
  alertCase("a misspelt catalog metric in a test series", () => projectWithAlerts([variantAlert({ tests: variantAlert({}).tests.map((t, i) => (i === 0 ? { ...t, input: [{ series: `${untyped.httpRequestTotal}{job="a"}`, values: "1x10" }] } : t)) })]), "tests[0].input[0].series holds `undefined`: phoenix.httpRequestTotal", "did you mean phoenix.httpRequests?", "MARK:series-typo"), // MARK:series-typo
  alertCase("an object interpolated into the expression", () => projectWithAlerts([variantAlert({ expr: `${{ record: "x" }} > 0.05` })]), "expr holds `[object Object]`: an object was interpolated", "interpolate a catalog metric", "MARK:object"), // MARK:object
  alertCase("a NaN computed into the expression", () => projectWithAlerts([variantAlert({ expr: `job:phoenix_http_requests_5xx:ratio_rate5m * ${0 / 0} > 0.05` })]), "expr holds `NaN`: a number interpolated with ${...} is not finite", "division by zero", "MARK:nan-expr"), // MARK:nan-expr
  {
    name: "a recording rule without its expression",
    project: () => withRules([recordingRule({ ...okRule, expr: anything(undefined) })]), // MARK:rule-expr
    baseline: () => withRules([recordingRule(okRule)]),
    subject: "recording rule job:test_metric:sum",
    message: "expr is missing",
    fix: "expr: `sum by (job)",
    mark: "MARK:rule-expr",
  },
  {
    name: "a recording rule test expecting Infinity",
    project: () => withRules([recordingRule({ ...okRule, tests: [{ ...okRule.tests[0]!, expect: [{ labels: { job: "a" }, value: Number.POSITIVE_INFINITY }] }] })]), // MARK:rule-inf
    baseline: () => withRules([recordingRule(okRule)]),
    subject: "recording rule job:test_metric:sum",
    message: "tests[0].expect[0].value is Infinity, not a finite number",
    fix: "the exact value recorded",
    mark: "MARK:rule-inf",
  },
  {
    name: "a rule group listing something undefined",
    project: () => ({ ...project, recordingRuleGroups: [...project.recordingRuleGroups, ruleGroup("test-recording", [recordingRule(okRule), anything(undefined)])] }), // MARK:group
    baseline: () => ({ ...project, recordingRuleGroups: [...project.recordingRuleGroups, ruleGroup("test-recording", [recordingRule(okRule)])] }),
    subject: "rule group test-recording",
    message: "rules[1] is undefined, not an alert(...) or recordingRule(...) definition",
    fix: "imported and spelt right",
    mark: "MARK:group",
  },
  {
    name: "a counter whose labels are a list",
    project: () => withMetric(counter({ ...okMetric, name: "test_list_labels_total", labels: anything(["method"]) })), // MARK:labels-list
    baseline: () => withMetric(counter({ ...okMetric, name: "test_list_labels_total" })),
    subject: "metric test_list_labels_total",
    message: "labels is a list, not an object of text values",
    fix: "labels: { method:",
    mark: "MARK:labels-list",
  },
  {
    // Found by npm run fuzz: spelling the series names threw out of histogram().
    name: "a histogram whose name has no string of its own",
    project: () => withMetric(histogram({ ...okMetric, name: anything({ toString: "not a function" }), buckets: [0.1, 1] })), // MARK:no-string
    baseline: () => withMetric(histogram({ ...okMetric, name: "test_no_string_seconds", buckets: [0.1, 1] })),
    // A metric with no name is named by where it is defined (this file's MARK line).
    subject: expect.stringMatching(/^metric \(no name, test\/define\/validation\.test\.ts:\d+\)$/) as unknown as string,
    message: "name is",
    fix: "",
    mark: "MARK:no-string",
  },
  {
    name: "a histogram bucket that is NaN",
    project: () => withMetric(histogram({ ...okMetric, name: "test_seconds", buckets: [0.1, Number.NaN, 1] })), // MARK:bucket
    baseline: () => withMetric(histogram({ ...okMetric, name: "test_seconds", buckets: [0.1, 0.5, 1] })),
    subject: "metric test_seconds",
    message: "buckets[1] is NaN, not a finite number",
    fix: "finite upper bounds",
    mark: "MARK:bucket",
  },
  {
    name: "a metric origin of an unknown kind",
    project: () => withMetric(gauge({ ...okMetric, name: "test_gauge", origin: { ...okMetric.origin, kind: anything("scrape") } })), // MARK:origin
    baseline: () => withMetric(gauge({ ...okMetric, name: "test_gauge" })),
    subject: "metric test_gauge",
    message: 'origin.kind is "scrape" (text), not one of "promex", "telemetry", "exporter", "prometheus"',
    fix: "origin.kind:",
    mark: "MARK:origin",
  },
  dashboardCase("a panel without an id", () => testDashboard("no-id").withPanel(stat(anything({ title: "T", description: "D", unit: "short", queries: [query(`sum(up{${sel}})`)] }))), 'dashboard no-id › panel 0 "T"', "id is missing", "id: 205", "MARK:no-id"), // MARK:no-id
  dashboardCase("a width given as text", () => testDashboard("width").withPanel(stat({ id: 1, title: "T", description: "D", unit: "short", queries: [query(`sum(up{${sel}})`)], width: anything("6") })), 'dashboard width › panel 1 "T"', 'width is "6" (text), not an integer from 1 to 24', "width: 6", "MARK:width"), // MARK:width
  dashboardCase("a width beyond the grid", () => testDashboard("wide").withPanel(stat({ id: 1, title: "T", description: "D", unit: "short", queries: [query(`sum(up{${sel}})`)], width: 30 })), 'dashboard wide › panel 1 "T"', "width is 30 (a number), not an integer from 1 to 24", "out of Grafana's 24", "MARK:wide"), // MARK:wide
  dashboardCase("a title that is a number", () => testDashboard("title").withPanel(stat({ id: 1, title: anything(5), description: "D", unit: "short", queries: [query(`sum(up{${sel}})`)] })), 'dashboard title › panel 1 ""', "title is 5 (a number), not text", 'title: "', "MARK:title"), // MARK:title
  dashboardCase("a panel without queries", () => testDashboard("no-queries").withPanel(timeseries(anything({ id: 1, title: "T", description: "D", unit: "short" }))), 'dashboard no-queries › panel 1 "T"', "queries is missing", "queries: [query(", "MARK:no-queries"), // MARK:no-queries
  dashboardCase("an undefined query", () => testDashboard("undefined-query").withPanel(stat({ id: 1, title: "T", description: "D", unit: "short", queries: [anything(undefined)] })), 'dashboard undefined-query › panel 1 "T"', "queries[0] is undefined, not query(expr, legend)", "query(expr, legend)", "MARK:undefined-query"), // MARK:undefined-query
  dashboardCase("a query that is a number", () => testDashboard("number-query").withPanel(stat({ id: 1, title: "T", description: "D", unit: "short", queries: [query(anything(5))] })), 'dashboard number-query › panel 1 "T"', "queries[0].expr is 5 (a number), not text", "PromQL text", "MARK:number-query"), // MARK:number-query
  dashboardCase("a misspelt catalog metric in a query", () => testDashboard("query-typo").withPanel(stat({ id: 1, title: "T", description: "D", unit: "reqps", queries: [query(`sum(rate(${untyped.httpRequest}{${sel}}[$__rate_interval]))`)] })), 'dashboard query-typo › panel 1 "T"', "queries[0].expr holds `undefined`: phoenix.httpRequest (read at line", "did you mean phoenix.httpRequests?", "MARK:query-typo", { position: { line: 1, column: 10 } }), // MARK:query-typo
  dashboardCase("a threshold line that is NaN", () => testDashboard("nan-line").withPanel(timeseries({ id: 1, title: "T", description: "D", unit: "short", queries: [query(`sum(up{${sel}})`)], thresholds: [{ value: Number.NaN }] })), 'dashboard nan-line › panel 1 "T"', "thresholds[0].value is NaN, not a finite number", "thresholds: [thresholds.x]", "MARK:nan-line"), // MARK:nan-line
  dashboardCase("a row id given as text", () => testDashboard("row-id").withRow(row(anything("100"), "R")).withPanel(goodPanel(101)), 'dashboard row-id › panel 0 "R"', 'id is "100" (text), not an integer', "row(100, title)", "MARK:row-id"), // MARK:row-id
  dashboardCase("a variable over a misspelt metric", () => testDashboard("variable").withVariable(labelVariable({ name: "route", label: "Route", selector: `${untyped.httpRequestz}{${sel}}` })).withPanel(goodPanel(1)), "dashboard variable › variable $route", "selector holds `undefined`: phoenix.httpRequestz", "did you mean phoenix.httpRequests?", "MARK:variable"), // MARK:variable
  {
    name: "a dashboard uid that is a number",
    project: () => projectWithDashboards([dashboard({ uid: anything(5), title: "T", description: "D", tags: [], anchorMetric: "up", defaultDatasourceUid: "gs-prometheus", defaultJob: "j" }).withPanel(goodPanel(1))]), // MARK:uid
    baseline: () => projectWithDashboards([testDashboard("fine").withPanel(goodPanel(1))]),
    subject: `dashboard (no uid, ${thisFile}:${lineOf(text, "MARK:uid")})`,
    message: "uid is 5 (a number), not text",
    fix: 'uid: "gs-phoenix-metrics"',
    mark: "MARK:uid",
  },
  {
    name: "a severity policy with a number for a duration",
    project: () => ({ ...project, severities: [severityPolicy({ ...critical, groupWait: anything(10) }), ...project.severities.slice(1)] }), // MARK:policy
    baseline: () => project,
    subject: "severity critical",
    message: "groupWait is 10 (a number), not text",
    fix: 'groupWait: "1m"',
    mark: "MARK:policy",
  },
];

const errors = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);

describe("definitions validated where they are written", () => {
  it.each(cases)("reports $name at its line, and nothing else about it", (c) => {
    const result = compile(c.project());
    expect(result.ok).toBe(false);
    expect(result.artifacts).toEqual([]);
    const found = result.diagnostics.filter((d) => d.message.includes(c.message));
    expect(found, errors(result.diagnostics).join("\n")).toHaveLength(1);
    const diagnostic = found[0]!;
    expect(diagnostic).toMatchObject({ check: c.check ?? "definition/invalid", severity: "error", subject: c.subject, source: { file: thisFile, line: lineOf(text, c.mark) } });
    expect(diagnostic.fix).toContain(c.fix);
    if (c.position) expect(diagnostic.position).toEqual(c.position);
    // Everything else is what the same project says without the mistake.
    const others = errors(result.diagnostics.filter((d) => d !== diagnostic));
    expect(others).toEqual(errors(compile(c.baseline()).diagnostics));
  });

  it("reports every problem of every definition in one run", () => {
    const alertCases = cases.filter((c) => c.subject === alertSubject);
    const result = compile(projectWithAlerts(alertCases.flatMap((c) => c.project().alertGroups.at(-1)!.rules)));
    for (const c of alertCases) expect(result.diagnostics.some((d) => d.message.includes(c.message) && d.source.line === lineOf(text, c.mark)), c.name).toBe(true);
  });

  it("reports a copy of a broken definition made with a spread, and leaves the definition as written", () => {
    const broken = variantAlert({ summary: anything(42) }); // MARK:spread
    const copy = { ...broken, severity: "low" as const };
    const first = compile(projectWithAlerts([copy]));
    expect(first.diagnostics.filter((d) => d.check === "definition/invalid")).toEqual([
      expect.objectContaining({ message: "summary is 42 (a number), not text", source: { file: thisFile, line: lineOf(text, "MARK:spread") } }),
    ]);
    expect(copy.summary).toBe(42);
    expect(compile(projectWithAlerts([copy])).diagnostics).toEqual(first.diagnostics);
  });

  it("says nothing about the real project", () => {
    expect(compile(project).diagnostics.filter((d) => d.check === "definition/invalid")).toEqual([]);
  });

  it("reports a project list that holds something other than definitions", () => {
    const result = compile({ ...project, dashboards: [...project.dashboards, anything(undefined)], metrics: anything("none") });
    expect(result.diagnostics.filter((d) => d.subject === "project").map((d) => d.message)).toEqual([
      `project.dashboards[${project.dashboards.length}] is undefined, not a dashboard(...) builder`,
      'project.metrics is "none" (text), not a list',
    ]);
  });

  it.each([
    { name: "settings that are not an object", settings: "", messages: ['settings: the definition is "" (text), not an object { scrapeInterval, evaluationInterval, datasource, grafana, runbookUrl, scrapeTargets, alertmanagers }'] },
    {
      name: "settings with wrong types",
      settings: { ...project.settings, scrapeInterval: 15, grafana: { ...project.settings.grafana, baseUrl: undefined }, alertmanagers: "am:9093", scrapeTargets: { app: [4000] } },
      messages: [
        "settings: alertmanagers is \"am:9093\" (text), not a list",
        "settings: grafana.baseUrl is missing",
        "settings: scrapeInterval is 15 (a number), not text",
        "settings: scrapeTargets.app[0] is 4000 (a number), not text",
      ],
    },
  ])("reports $name as definition errors at the project, without throwing", ({ settings, messages }) => {
    const result = compile({ ...project, settings: anything(settings) });
    expect(result.ok).toBe(false);
    expect(result.artifacts).toEqual([]);
    expect(result.diagnostics.filter((d) => d.subject === "project settings").map((d) => d.message).sort()).toEqual(messages);
  });

  it("reads the real definitions and the catalog as before", () => {
    expect(`${phoenix.httpRequests}`).toBe("phoenix_http_request_total");
    expect(Object.keys(phoenix)).toContain("httpRequests");
  });
});
