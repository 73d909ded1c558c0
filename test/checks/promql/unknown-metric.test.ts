import { expect, it } from "vitest";
import { unknownMetric } from "../../../src/engine/check/checks/promql/unknown-metric.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "a typo in a counter name",
    expr: "sum(rate(phoenix_http_request_totl[5m]))",
    kind: "expression",
    message: "unknown metric phoenix_http_request_totl: the catalog declares no such series",
    fix: "did you mean phoenix_http_request_total?",
    position: { line: 1, column: 10 },
  },
  {
    name: "a histogram bucket without its unit suffix",
    expr: "histogram_quantile(0.95, sum by (le) (rate(ecto_query_duration_bucket[5m])))",
    kind: "expression",
    message: "unknown metric ecto_query_duration_bucket",
    fix: "did you mean ecto_query_duration_seconds_bucket?",
    position: { line: 1, column: 44 },
  },
  {
    name: "a NATS gauge with a word missing, in a dashboard query",
    expr: `max(jetstream_consumer_pending{${sel}})`,
    kind: "dashboard-query",
    message: "unknown metric jetstream_consumer_pending",
    fix: "did you mean jetstream_consumer_num_pending?",
    position: { line: 1, column: 5 },
  },
  {
    name: "a name given by a __name__ matcher",
    expr: '{__name__="phoenix_http_request_totl"}',
    kind: "expression",
    message: "unknown metric phoenix_http_request_totl",
    fix: "did you mean phoenix_http_request_total?",
    position: { line: 1, column: 11 },
  },
  {
    name: "a typo on the third line",
    expr: `sum(up{${sel}})\n/\nsum(upp{${sel}})`,
    kind: "dashboard-query",
    message: "unknown metric upp",
    fix: "did you mean up?",
    position: { line: 3, column: 5 },
  },
];

const good: GoodExpression[] = [
  // The runbook's example is a wrong quantile, but its series exists: the check must not complain about the name.
  {
    name: "the runbook's bare histogram_quantile",
    expr: "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)",
    kind: "dashboard-query",
  },
  {
    name: "the runbook's slow-query bucket",
    expr: 'ecto_query_duration_seconds_bucket{le="0.5"}',
    kind: "expression",
  },
  { name: "the runbook's reductions rate", expr: "rate(vm_total_reductions[1m])", kind: "expression" },
  {
    name: "a histogram's _sum and _count series",
    expr: "rate(ecto_query_duration_seconds_sum[5m]) / rate(ecto_query_duration_seconds_count[5m])",
    kind: "expression",
  },
  {
    name: "a NATS gauge with the leader matcher, in a dashboard",
    expr: `max by (stream_name, consumer_name) (jetstream_consumer_num_pending{${sel}, is_consumer_leader="true"})`,
    kind: "dashboard-query",
  },
  // Recorded series are rules/dependency's business, not the catalog's.
  {
    name: "a recorded series",
    expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05",
    kind: "expression",
  },
  { name: "functions that select no metric", expr: "vector(1) + time()", kind: "expression" },
];

describeExpressionCheck(
  "promql/unknown-metric",
  unknownMetric,
  {
    severity: "error",
    dashboard: "gs-phoenix-metrics",
    bad,
    good,
    realProject: "accepts every expression of the real project",
  },
  (run) => {
    it("reports each unknown selector of one expression", () => {
      const found = run("phoenix_http_request_totl / ecto_query_duration_count", "expression");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/unknown-metric", { line: 1, column: 1 }],
        ["promql/unknown-metric", { line: 1, column: 29 }],
      ]);
    });
  },
);
