import { regexp } from "../../../src/engine/check/checks/promql/regexp.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "a 5xx matcher anchored by hand",
    expr: 'sum(rate(phoenix_http_request_total{status=~"^5..$"}[5m]))',
    message: 'status=~"^5..$": Prometheus already anchors regexes at both ends',
    fix: "drop the ^ and $.",
    position: { line: 1, column: 37 },
  },
  {
    name: "an anchor at the end only",
    expr: 'rate(phoenix_http_request_total{path=~"/api/graphql$"}[5m])',
    message: 'path=~"/api/graphql$": Prometheus already anchors regexes',
    fix: "drop the ^ and $.",
    position: { line: 1, column: 33 },
  },
  {
    name: "an equality written as a regex (the leader filter)",
    expr: 'max(jetstream_consumer_num_pending{is_consumer_leader=~"true"})',
    message: 'is_consumer_leader=~"true" has no regex metacharacters',
    fix: 'use is_consumer_leader="true".',
    position: { line: 1, column: 36 },
  },
  {
    name: "an inequality written as a negative regex",
    expr: 'rate(phoenix_http_request_total{method!~"GET"}[5m])',
    message: 'method!~"GET" has no regex metacharacters',
    fix: 'use method!="GET".',
    position: { line: 1, column: 33 },
  },
  {
    name: "an anchored matcher next to the pickers, on the second line of a panel query",
    expr: `sum by (path) (\n  rate(phoenix_http_request_total{${sel}, path=~"^/api/.*"}[$__rate_interval])\n)`,
    kind: "dashboard-query",
    message: 'path=~"^/api/.*": Prometheus already anchors regexes',
    fix: "drop the ^ and $.",
    position: { line: 2, column: 71 },
  },
];

const good: GoodExpression[] = [
  { name: "the runbook's 5xx matcher", expr: 'rate(phoenix_http_request_total{status=~"5.."}[5m])' },
  { name: "an alternation", expr: 'sum(rate(phoenix_http_request_total{method=~"GET|POST"}[5m]))' },
  { name: "a prefix match", expr: 'sum(rate(phoenix_http_request_total{path=~"/api/.*"}[5m]))' },
  {
    name: "an escaped dollar, which is a literal",
    expr: 'sum(rate(phoenix_http_request_total{path=~"/price\\\\$"}[5m]))',
  },
  {
    name: "equality for the leader filter",
    expr: 'max(jetstream_consumer_num_pending{is_consumer_leader="true"})',
  },
  // Multi-value variables expand to a regex: `=~` is right even though the text has no metacharacter.
  {
    name: "the dashboards' job and instance pickers",
    expr: `sum(rate(phoenix_http_request_total{${sel}}[$__rate_interval]))`,
    kind: "dashboard-query",
  },
  {
    name: "a braced variable",
    expr: 'sum(rate(phoenix_http_request_total{job=~"${job}", instance=~"$instance"}[$__rate_interval]))',
    kind: "dashboard-query",
  },
];

describeExpressionCheck("promql/regexp", regexp, {
  severity: "warning",
  dashboard: "gs-phoenix-metrics",
  bad,
  good,
  realProject: "accepts every expression of the real project",
});
