import { expect, it } from "vitest";
import { undefinedVariable } from "../../../src/engine/check/checks/dashboard/undefined-variable.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import {
  describeExpressionCheck,
  expressionSite,
  runSites,
  type BadExpression,
  type GoodExpression,
} from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "a variable no dashboard defines",
    expr: `sum(rate(phoenix_http_request_total{${sel}, region=~"$region"}[$__rate_interval]))`,
    message: "variable $region is not defined by dashboard gs-phoenix-metrics",
    position: { line: 1, column: 82 },
  },
  {
    name: "a variable that only the NATS dashboard defines",
    expr: `max(jetstream_consumer_num_pending{${sel}, stream_name=~"$stream"})`,
    message: "variable $stream is not defined by dashboard gs-phoenix-metrics",
    position: { line: 1, column: 86 },
  },
  {
    name: "the old [[repo]] syntax, defined on Ecto Performance only",
    expr: `sum(rate(ecto_query_duration_seconds_count{${sel}, repo=~"[[repo]]"}[$__rate_interval]))`,
    message: "variable $repo is not defined by dashboard gs-phoenix-metrics",
    position: { line: 1, column: 87 },
  },
  {
    name: "the ${repo:regex} syntax with a format",
    expr: `sum(rate(ecto_query_duration_seconds_count{${sel}, repo=~"\${repo:regex}"}[$__rate_interval]))`,
    message: "variable $repo is not defined",
    position: { line: 1, column: 87 },
  },
  {
    // needsValidSyntax: false, so a query that also has a syntax error still gets this report.
    name: "a variable in a query that does not parse",
    expr: `sum(up{${sel}, region=~"$region"}`,
    message: "variable $region is not defined",
    position: { line: 1, column: 53 },
  },
];

const good: GoodExpression[] = [
  { name: "the pickers every dashboard has", expr: `sum(up{${sel}})`, kind: "dashboard-query" },
  {
    name: "$stream and $consumer on NATS Streams",
    expr: `max(jetstream_consumer_num_pending{${sel}, stream_name=~"$stream", consumer_name=~"$consumer"})`,
    kind: "dashboard-query",
    dashboard: "gs-nats-streams",
  },
  {
    name: "$repo on Ecto Performance",
    expr: `sum(rate(ecto_query_duration_seconds_count{${sel}, repo=~"$repo"}[$__rate_interval]))`,
    kind: "dashboard-query",
    dashboard: "gs-ecto-performance",
  },
  {
    name: "Grafana's built-in variables",
    expr: `sum(increase(phoenix_http_request_total{${sel}}[$__range])) / \${__range_s} + 0 * sum(rate(up{${sel}}[$__rate_interval]))`,
    kind: "dashboard-query",
  },
  // Alerts and rules are not Grafana queries: a `$` there is not a template variable.
  { name: "a $ in an alert expression", expr: 'sum(up{region=~"$region"})', kind: "expression" },
];

// Bad queries are on Phoenix Metrics; good ones say their kind, and their dashboard when it is another.
describeExpressionCheck(
  "dashboard/undefined-variable",
  undefinedVariable,
  {
    severity: "error",
    kind: "dashboard-query",
    dashboard: "gs-phoenix-metrics",
    fix: "$datasource, $job, $instance",
    bad,
    good,
    realProject: "accepts every query and variable of the real dashboards",
  },
  (run) => {
    it("accepts $1 in label_replace", () => {
      expect(
        run(`label_replace(up{${sel}}, "host", "$1", "instance", "(.*):.*")`, "dashboard-query"),
      ).toEqual([]);
    });

    it("says a misspelt Grafana variable is one, with the name it meant", () => {
      const found = run(
        `sum(rate(phoenix_http_request_total{${sel}}[$__rate_intervall]))`,
        "dashboard-query",
      );
      expect(found.map((d) => [d.message, d.fix])).toEqual([
        [
          "variable $__rate_intervall is not defined by dashboard gs-phoenix-metrics",
          expect.stringMatching(
            /^did you mean \$__rate_interval\? Otherwise use one of Grafana's: \$__rate_interval, /,
          ),
        ],
      ]);
    });

    it("judges Grafana's own variables in a query without a dashboard (o11y check --dashboard --expr)", () => {
      const query = (expr: string) =>
        runSites(undefinedVariable, [expressionSite(expr, { kind: "dashboard-query" })]);
      const found = query("sum(rate(phoenix_http_request_total[$__rate_intervall]))");
      expect(found.map((d) => [d.message, d.position])).toEqual([
        [
          "variable $__rate_intervall is not one of Grafana's own variables (names starting with __ are reserved for them)",
          { line: 1, column: 37 },
        ],
      ]);
      expect(found[0]!.fix).toMatch(/^did you mean \$__rate_interval\?/);
      // Any other name may be a variable of the dashboard the query is meant for.
      expect(query('sum(rate(phoenix_http_request_total{path=~"$route"}[$__rate_interval]))')).toEqual([]);
    });

    it("ignores a variable inside a # comment", () => {
      expect(run(`sum(up{${sel}}) # later: split by $region`, "dashboard-query")).toEqual([]);
    });
  },
);
