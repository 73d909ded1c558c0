import { expect, it } from "vitest";
import { counterWithoutRate } from "../../../src/engine/check/checks/promql/counter-without-rate.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    // Counts the queries *within* 500 ms, since the process started: the fast ones.
    name: "the runbook's slow-query bucket",
    expr: 'ecto_query_duration_seconds_bucket{le="0.5"}',
    message: "histogram bucket ecto_query_duration_seconds_bucket is used as a raw value: it is a total since the process started",
    position: { line: 1, column: 1 },
  },
  {
    name: "a counter compared to a threshold",
    expr: 'phoenix_http_request_total{status=~"5.."} > 100',
    message: "counter phoenix_http_request_total is used as a raw value",
    position: { line: 1, column: 1 },
  },
  {
    name: "a counter summed as is in a panel",
    expr: `sum by (status) (phoenix_http_request_total{${sel}})`,
    kind: "dashboard-query",
    message: "counter phoenix_http_request_total is used as a raw value",
    position: { line: 1, column: 18 },
  },
  {
    name: "a counter under an *_over_time function",
    expr: "max_over_time(global_sovereign_project_creations_total[1h])",
    message: "counter global_sovereign_project_creations_total is used as a raw value",
    position: { line: 1, column: 15 },
  },
  {
    name: "a mean query time whose denominator forgot rate(), on the third line",
    expr: "sum(rate(ecto_query_duration_seconds_sum[5m]))\n/\nsum(ecto_query_duration_seconds_count)",
    message: "counter ecto_query_duration_seconds_count is used as a raw value",
    position: { line: 3, column: 5 },
  },
];

const good: GoodExpression[] = [
  {
    name: "the dashboards' slow-query rate (all queries minus those within 0.5 s)",
    expr: 'sum by (repo) (rate(ecto_query_duration_seconds_count[5m]))\n-\nsum by (repo) (rate(ecto_query_duration_seconds_bucket{le="0.5"}[5m]))',
  },
  { name: "a quantile of bucket rates", expr: "histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket[5m])))" },
  { name: "increase() over a window", expr: "sum(increase(global_sovereign_project_creations_total[1h]))" },
  { name: "counting series, not adding values", expr: "count(phoenix_http_request_total)" },
  { name: "absent()", expr: 'absent(phoenix_http_request_total{job="global-sovereign"})' },
  { name: "a gauge as a raw value", expr: "global_sovereign_covenant_projects_total" },
  { name: "a recorded ratio", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
  // label_values() only lists label values: a raw counter is the natural selector there.
  { name: "a dashboard variable's selector", expr: `ecto_query_duration_seconds_count{job=~"$job"}`, kind: "dashboard-variable" },
];

describeExpressionCheck(
  "promql/counter-without-rate",
  counterWithoutRate,
  { severity: "error", dashboard: "gs-ecto-performance", fix: "wrap it: rate(", bad, good, realProject: "accepts every expression of the real project" },
  (run) => {
    it("flags both sides of a mean computed from raw counters", () => {
      const found = run("ecto_query_duration_seconds_sum / ecto_query_duration_seconds_count");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/counter-without-rate", { line: 1, column: 1 }],
        ["promql/counter-without-rate", { line: 1, column: 35 }],
      ]);
    });
  },
);
