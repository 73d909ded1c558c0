import { expect, it } from "vitest";
import { histogramQuantile } from "../../../src/engine/check/checks/promql/histogram-quantile.ts";
import { checkContext } from "../../../src/engine/check/run.ts";
import {
  describeExpressionCheck,
  realModel,
  type BadExpression,
  type GoodExpression,
} from "../../helpers/checks.ts";

/** As on a rule file from elsewhere: series the catalog does not declare are typed by convention. */
const foreign = checkContext(realModel(), { catalogLabels: false });

const buckets = "phoenix_http_request_duration_seconds_bucket";

const bad: BadExpression[] = [
  {
    name: "topk() without le among its groups",
    expr: `histogram_quantile(0.99, topk(1, rate(${buckets}[5m])))`,
    message:
      "topk() without le among its groups picks among all buckets together, so those left are not a histogram",
    fix: "by (le)",
    position: { line: 1, column: 26 },
  },
  {
    name: "raw buckets from elsewhere, typed by their _bucket suffix",
    expr: "histogram_quantile(0.9, apiserver_request_duration_seconds_bucket)",
    context: foreign,
    message: "it reads raw bucket counters (type inferred from the name: _bucket is a histogram's buckets)",
    fix: "sum by (le) (rate(apiserver_request_duration_seconds_bucket",
    position: { line: 1, column: 25 },
  },
  {
    name: "the runbook's Phoenix p95 over raw buckets",
    expr: `histogram_quantile(0.95, ${buckets})`,
    message: `histogram_quantile over ${buckets}: it reads raw bucket counters: counts since the process started, mixed across every series`,
    // A rule expression: a window Prometheus reads, not Grafana's $__rate_interval (a syntax error there).
    fix: `histogram_quantile(φ, sum by (le) (rate(${buckets}[5m])))`,
    position: { line: 1, column: 26 },
  },
  {
    name: "the runbook's Ecto p95 over raw buckets",
    expr: "histogram_quantile(0.95, ecto_query_duration_seconds_bucket)",
    message: "it reads raw bucket counters",
    fix: "sum by (le) (rate(ecto_query_duration_seconds_bucket[5m]))",
    position: { line: 1, column: 26 },
  },
  {
    name: "the runbook's Ecto p95 over raw buckets in a panel",
    expr: "histogram_quantile(0.95, ecto_query_duration_seconds_bucket)",
    kind: "dashboard-query",
    message: "it reads raw bucket counters",
    // In a dashboard, Grafana's own window.
    fix: "sum by (le) (rate(ecto_query_duration_seconds_bucket[$__rate_interval]))",
    position: { line: 1, column: 26 },
  },
  {
    name: "a sum that drops le",
    expr: `histogram_quantile(0.95, sum(rate(${buckets}[5m])))`,
    message: "sum() drops the le label, which histogram_quantile needs to find the buckets",
    fix: "keep it: sum by (le) (...).",
    position: { line: 1, column: 26 },
  },
  {
    name: "a sum by route that forgets le",
    expr: `histogram_quantile(0.95, sum by (path) (rate(${buckets}[5m])))`,
    message: "sum() drops the le label",
    fix: "keep it: sum by (le, path) (...).",
    position: { line: 1, column: 26 },
  },
  {
    name: "sum without (le)",
    expr: `histogram_quantile(0.95, sum without (le) (rate(${buckets}[5m])))`,
    message: "sum() drops the le label",
    fix: "keep it: sum by (le) (...).",
    position: { line: 1, column: 26 },
  },
  {
    name: "an average of buckets",
    expr: `histogram_quantile(0.95, avg by (le) (rate(${buckets}[5m])))`,
    message: "avg() of buckets is not a histogram",
    fix: "sum by (le, ...)",
    position: { line: 1, column: 26 },
  },
  {
    name: "a percentage for the quantile",
    expr: `histogram_quantile(95, sum by (le) (rate(${buckets}[5m])))`,
    message: "quantile 95 is outside 0..1",
    fix: "0.95 for p95",
    position: { line: 1, column: 20 },
  },
  {
    name: "a gauge instead of buckets",
    expr: "histogram_quantile(0.95, vm_memory_total_bytes)",
    message: "vm_memory_total_bytes is a gauge, not a histogram's buckets",
    fix: "_bucket series",
    position: { line: 1, column: 26 },
  },
  {
    name: "the _count series instead of the buckets",
    expr: "histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_count[5m])))",
    message: "phoenix_http_request_duration_seconds_count is not a histogram's _bucket series",
    fix: "_bucket series",
    position: { line: 1, column: 26 },
  },
  {
    name: "delta() of buckets, on the third line",
    expr: "histogram_quantile(\n  0.99,\n  sum by (le) (delta(ecto_query_duration_seconds_bucket[5m]))\n)",
    message: "delta() of buckets is not a bucket rate",
    fix: "rate(..._bucket[...])",
    position: { line: 3, column: 3 },
  },
];

const good: GoodExpression[] = [
  // False alarm on kubernetes-mixin's KubeletPodStartUpLatencyHigh: topk by (..., le, ...) keeps one series per bucket
  // (dropping duplicates), so what it leaves per le is still a bucket.
  {
    name: "topk by le, then sum by le",
    expr: `histogram_quantile(0.99, sum by (instance, le) (topk by (instance, le, method) (1, rate(${buckets}[5m]))))`,
  },
  {
    name: "native histograms from elsewhere",
    expr: "histogram_quantile(0.9, sum by (job) (rate(http_request_duration_seconds[5m])))",
    context: foreign,
  },
  { name: "the dashboards' p95", expr: `histogram_quantile(0.95, sum by (le) (rate(${buckets}[5m])))` },
  {
    name: "a p95 per route",
    expr: `histogram_quantile(0.95, sum by (le, method, path) (rate(${buckets}[5m])))`,
  },
  {
    name: "a recorded bucket rate",
    expr: "histogram_quantile(0.95, job:phoenix_http_request_duration_seconds_bucket:rate5m)",
  },
  {
    name: "sum without a label other than le",
    expr: "histogram_quantile(0.99, sum without (instance) (rate(ecto_query_duration_seconds_bucket[5m])))",
  },
  {
    name: "increase() over an hour, per repo",
    expr: "histogram_quantile(0.95, sum by (le, repo) (increase(ecto_query_queue_time_seconds_bucket[1h])))",
  },
  {
    name: "a per-series quantile without aggregation",
    expr: `histogram_quantile(0.5, rate(${buckets}[5m]))`,
  },
  {
    name: "quantiles at both ends of 0..1",
    expr: `histogram_quantile(1, sum by (le) (rate(${buckets}[5m]))) - histogram_quantile(0, sum by (le) (rate(${buckets}[5m])))`,
  },
];

describeExpressionCheck(
  "promql/histogram-quantile",
  histogramQuantile,
  { severity: "error", bad, good, realProject: "accepts every expression of the real project" },
  (run) => {
    // Regression: for `sum without (le)` the fix used to read "keep it: sum by (le, ) (...).".
    it("suggests removing le from without() (regression: the fix read `by (le, )`)", () => {
      const [d] = run(`histogram_quantile(0.95, sum without (le, instance) (rate(${buckets}[5m])))`);
      expect(d!.fix).toBe("remove le from without(): sum without (instance) (...).");
    });

    // Regression: `-0.5` parses as a UnaryExpr (minus applied to 0.5), which the range check skipped,
    // so a negative quantile (it returns -Inf) passed.
    it("flags a negative quantile (regression: a unary minus hid the number)", () => {
      const found = run(`histogram_quantile(-0.5, sum by (le) (rate(${buckets}[5m])))`);
      expect(found.map((d) => d.check)).toEqual(["promql/histogram-quantile"]);
      expect(found[0]!.message).toContain("quantile -0.5 is outside 0..1");
      expect(found[0]!.position).toEqual({ line: 1, column: 20 });
    });
  },
);
