import { syntax } from "../../../src/engine/check/checks/promql/syntax.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "an unclosed aggregation",
    expr: "sum(rate(phoenix_http_request_total[5m])",
    kind: "expression",
    message: "PromQL syntax error at the end of the expression",
    position: { line: 1, column: 41 },
  },
  {
    name: "a missing comma between matchers",
    expr: 'up{job="global-sovereign" instance="a:4000"}',
    kind: "expression",
    message: 'PromQL syntax error near "instance="a:"',
    position: { line: 1, column: 27 },
  },
  {
    name: "`by` after a function that is not an aggregation",
    expr: "rate(phoenix_http_request_total[5m]) by (status)",
    kind: "expression",
    message: 'PromQL syntax error near "by (status)"',
    position: { line: 1, column: 38 },
  },
  {
    name: "an empty matcher value on the third line of a dashboard query",
    expr: `sum(up{${sel}})\n/\nsum(up{${sel}, job=})`,
    kind: "dashboard-query",
    message: 'PromQL syntax error near "})"',
    position: { line: 3, column: 48 },
  },
  {
    name: "an empty expression",
    expr: "",
    kind: "expression",
    message: "PromQL syntax error at the end of the expression",
    position: { line: 1, column: 1 },
  },
  {
    name: "a Grafana variable outside a dashboard (rules are plain PromQL)",
    expr: "rate(vm_total_reductions[$__rate_interval])",
    kind: "expression",
    message:
      'PromQL syntax error near "$__rate_inte": $__rate_interval is a Grafana variable, which only Grafana fills in; Prometheus reads it as an error',
    fix: "alerts and recording rules are plain PromQL: write a duration such as [5m] instead of $__rate_interval.",
    position: { line: 1, column: 26 },
  },
];

const good: GoodExpression[] = [
  // The runbook's quantile is wrong (promql/histogram-quantile and the catalog notes say why), but it parses.
  {
    name: "the runbook's bare histogram_quantile",
    expr: "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)",
    kind: "expression",
  },
  { name: "the runbook's 1m reductions rate", expr: "rate(vm_total_reductions[1m])", kind: "expression" },
  {
    name: "the runbook's slow-query bucket",
    expr: 'ecto_query_duration_seconds_bucket{le="0.5"}',
    kind: "expression",
  },
  {
    name: "a dashboard query with $__rate_interval and picker variables",
    expr: `histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
    kind: "dashboard-query",
  },
  {
    name: "a subquery whose range and step are Grafana variables",
    expr: `max_over_time(sum(jetstream_consumer_num_pending{${sel}})[$__range:$__interval])`,
    kind: "dashboard-query",
  },
  {
    name: "a multi-line expression with a comment",
    expr: `sum(rate(ecto_query_duration_seconds_count{${sel}}[$__rate_interval])) # all queries\n-\nsum(rate(ecto_query_duration_seconds_bucket{${sel}, le="0.5"}[$__rate_interval]))`,
    kind: "dashboard-query",
  },
];

describeExpressionCheck("promql/syntax", syntax, {
  severity: "error",
  dashboard: "gs-phoenix-metrics",
  fix: true,
  bad,
  good,
  realProject: "accepts every expression of the real project",
});
