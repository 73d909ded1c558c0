import { expect, it } from "vitest";
import { counterWithoutRate } from "../../../src/engine/check/checks/promql/counter-without-rate.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { checkContext } from "../../../src/engine/check/run.ts";
import {
  describeExpressionCheck,
  realModel,
  type BadExpression,
  type GoodExpression,
} from "../../helpers/checks.ts";

/** As on a rule file from elsewhere: series the catalog does not declare are typed by convention. */
const foreign = checkContext(realModel(), { catalogLabels: false });

const bad: BadExpression[] = [
  {
    // Counts the queries *within* 500 ms, since the process started: the fast ones.
    name: "the runbook's slow-query bucket",
    expr: 'ecto_query_duration_seconds_bucket{le="0.5"}',
    message:
      "histogram bucket ecto_query_duration_seconds_bucket is used as a raw value: it is a total since the process started",
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
  {
    name: "a raw counter left of `and` (its values are the result)",
    expr: "phoenix_http_request_total > 0 and on (job) up == 1",
    message: "counter phoenix_http_request_total is used as a raw value",
    position: { line: 1, column: 1 },
  },
  {
    // awesome-prometheus-alerts' HostEdacUncorrectableErrorsDetected: fires from the first error until node_exporter restarts.
    name: "a counter from elsewhere, typed by its _total suffix, compared raw",
    expr: "(node_edac_uncorrectable_errors_total > 0)",
    context: foreign,
    message:
      "counter node_edac_uncorrectable_errors_total (type inferred from the name: _total is a counter's suffix) is used as a raw value",
    position: { line: 1, column: 2 },
  },
];

const good: GoodExpression[] = [
  {
    name: "the dashboards' slow-query rate (all queries minus those within 0.5 s)",
    expr: 'sum by (repo) (rate(ecto_query_duration_seconds_count[5m]))\n-\nsum by (repo) (rate(ecto_query_duration_seconds_bucket{le="0.5"}[5m]))',
  },
  {
    name: "a quantile of bucket rates",
    expr: "histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket[5m])))",
  },
  { name: "increase() over a window", expr: "sum(increase(global_sovereign_project_creations_total[1h]))" },
  { name: "counting series, not adding values", expr: "count(phoenix_http_request_total)" },
  { name: "absent()", expr: 'absent(phoenix_http_request_total{job="global-sovereign"})' },
  { name: "a gauge as a raw value", expr: "global_sovereign_covenant_projects_total" },
  { name: "a recorded ratio", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
  // label_values() only lists label values: a raw counter is the natural selector there.
  {
    name: "a dashboard variable's selector",
    expr: `ecto_query_duration_seconds_count{job=~"$job"}`,
    kind: "dashboard-variable",
  },
  // False alarm on kubernetes-mixin's KubeClientCertificateExpiration: the right side of `and` only filters, and there
  // `_count > 0` says the histogram has observations at all; its value never reaches the alert.
  {
    name: "a raw counter guarding the right side of `and`",
    expr: "histogram_quantile(0.01, sum by (job, le) (rate(phoenix_http_request_duration_seconds_bucket[5m]))) < 0.5\nand\non (job) phoenix_http_request_duration_seconds_count > 0",
  },
  {
    name: "a raw counter guarding the right side of `unless`",
    expr: "up == 0 unless on (job) phoenix_http_request_total == 0",
  },
  // Unit suffixes without _total are not assumed counters (gauges, or native histograms).
  {
    name: "a gauge from elsewhere named in bytes",
    expr: "node_memory_MemAvailable_bytes < 1e9",
    context: foreign,
  },
  {
    name: "a _count from elsewhere without a sibling (postgres_exporter's connections gauge)",
    expr: "sum by (datname) (pg_stat_activity_count) > 100",
    context: foreign,
  },
  // Our own definitions are judged by the catalog alone: an undeclared name is promql/unknown-metric's.
  { name: "an undeclared _total in our own definitions", expr: "node_edac_uncorrectable_errors_total > 0" },
];

describeExpressionCheck(
  "promql/counter-without-rate",
  counterWithoutRate,
  {
    severity: "error",
    dashboard: "gs-ecto-performance",
    fix: "wrap it: rate(",
    bad,
    good,
    realProject: "accepts every expression of the real project",
  },
  (run) => {
    it("suggests a window that fits where the expression runs", () => {
      expect(run('phoenix_http_request_total{status=~"5.."} > 100')[0]!.fix).toBe(
        "wrap it: rate(phoenix_http_request_total{...}[5m]) for per-second, increase(...) for a count over the window.",
      );
      expect(run(`sum(phoenix_http_request_total{${sel}})`, "dashboard-query")[0]!.fix).toBe(
        "wrap it: rate(phoenix_http_request_total{...}[$__rate_interval]) for per-second, increase(...) for a count over the window.",
      );
    });

    it("flags both sides of a mean computed from raw counters", () => {
      const found = run("ecto_query_duration_seconds_sum / ecto_query_duration_seconds_count");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/counter-without-rate", { line: 1, column: 1 }],
        ["promql/counter-without-rate", { line: 1, column: 35 }],
      ]);
    });
  },
);
