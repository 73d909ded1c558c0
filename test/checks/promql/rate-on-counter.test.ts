import { expect, it } from "vitest";
import { rateOnCounter } from "../../../src/engine/check/checks/promql/rate-on-counter.ts";
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
    // A row count polled from the database: every deletion reads as a reset and a burst of "creations".
    name: "the runbook's project creation rate over a gauge",
    expr: "rate(global_sovereign_covenant_projects_total[1h])",
    message:
      "rate() over gauge global_sovereign_covenant_projects_total: rate() reads every fall of the value as a counter reset",
    fix: "use delta() or deriv()",
    position: { line: 1, column: 6 },
  },
  {
    name: "increase() of the messages stored in a stream (falls when limits remove messages)",
    expr: 'sum(increase(jetstream_stream_total_messages{stream_name="audit", is_stream_leader="true"}[1h]))',
    message: "increase() over gauge jetstream_stream_total_messages",
    fix: "declare the metric monotonic in src/catalog/",
    position: { line: 1, column: 14 },
  },
  {
    name: "irate() of memory",
    expr: "irate(vm_memory_total_bytes[5m])",
    message: "irate() over gauge vm_memory_total_bytes",
    fix: "delta()",
    position: { line: 1, column: 7 },
  },
  {
    name: "resets() of a 0/1 gauge",
    expr: 'resets(up{job="global-sovereign"}[1h])',
    message: "resets() over gauge up",
    fix: "delta()",
    position: { line: 1, column: 8 },
  },
  {
    name: "rate() of the redelivery map's size, on the second line",
    expr: "sum by (stream_name) (\n  rate(jetstream_consumer_num_redelivered[5m])\n)",
    message: "rate() over gauge jetstream_consumer_num_redelivered",
    fix: "delta()",
    position: { line: 2, column: 8 },
  },
  {
    name: "rate() of an info metric from elsewhere (always 1)",
    expr: "sum by (namespace) (rate(kube_pod_info[5m]))",
    context: foreign,
    message: "rate() over gauge kube_pod_info (type inferred from the name: an _info metric is a gauge of 1)",
    fix: "o11y-disable promql/rate-on-counter",
    position: { line: 1, column: 26 },
  },
  {
    name: "increase() of a boot time from elsewhere",
    expr: "increase(node_boot_time_seconds[1h]) > 0",
    context: foreign,
    message:
      "increase() over gauge node_boot_time_seconds (type inferred from the name: a point in time is a gauge)",
    fix: "delta()",
    position: { line: 1, column: 10 },
  },
];

const good: GoodExpression[] = [
  {
    name: "the dashboards' net change of projects",
    expr: "delta(global_sovereign_covenant_projects_total[1h])",
  },
  {
    name: "the creation rate from the creations counter",
    expr: 'sum(rate(global_sovereign_project_creations_total{outcome="success"}[1h])) * 3600',
  },
  // Declared monotonic in the catalog: running totals exported as gauges.
  { name: "reductions, a monotonic gauge", expr: "rate(vm_total_reductions[5m])" },
  {
    name: "a JetStream sequence number, a monotonic gauge",
    expr: "rate(jetstream_consumer_delivered_consumer_seq[5m])",
  },
  { name: "a counter", expr: 'sum by (job) (rate(phoenix_http_request_total{status=~"5.."}[5m]))' },
  {
    name: "histogram buckets",
    expr: "histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket[5m])))",
  },
  { name: "a histogram's _count", expr: "increase(ecto_query_duration_seconds_count[1h])" },
  { name: "deriv() of a gauge", expr: "deriv(vm_memory_total_bytes[10m])" },
  { name: "a recorded series", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
  // Names that say nothing either way are not judged: an old counter, or a native histogram.
  {
    name: "rate() of a unit-named series from elsewhere",
    expr: "rate(node_network_receive_bytes[5m])",
    context: foreign,
  },
  {
    name: "rate() of a native histogram from elsewhere",
    expr: "histogram_quantile(0.9, rate(http_request_duration_seconds[5m]))",
    context: foreign,
  },
  { name: "rate() of a _total from elsewhere", expr: "rate(node_cpu_seconds_total[5m])", context: foreign },
];

describeExpressionCheck(
  "promql/rate-on-counter",
  rateOnCounter,
  { severity: "error", bad, good, realProject: "accepts every expression of the real project" },
  (run) => {
    // Regression: the check only read a MatrixSelector that was the direct argument of the call. With
    // `offset` (or `@`) the grammar wraps it in an OffsetExpr, so the gauge was never looked at.
    it("flags a gauge whose range carries an offset (regression: offset hid the selector)", () => {
      const found = run("rate(global_sovereign_covenant_projects_total[1h] offset 1d)");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/rate-on-counter", { line: 1, column: 6 }],
      ]);
    });

    // Regression: a subquery over a raw gauge has the same problem as a range over it, but only a
    // MatrixSelector was looked for (and aggregate-then-rate ignores it: nothing is aggregated).
    it("flags rate() over a subquery of a gauge (regression: subqueries were not inspected)", () => {
      const found = run("rate(global_sovereign_covenant_projects_total[1h:5m])");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/rate-on-counter", { line: 1, column: 6 }],
      ]);
    });

    it("flags a gauge whose range carries an @ modifier", () => {
      const found = run("increase(jetstream_stream_total_messages[1h] @ end())");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/rate-on-counter", { line: 1, column: 10 }],
      ]);
    });
  },
);
