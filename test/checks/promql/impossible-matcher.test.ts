import { impossibleMatcher } from "../../../src/engine/check/checks/promql/impossible-matcher.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "one label equal to two values",
    expr: 'sum(rate(phoenix_http_request_total{status="500", status="503"}[5m]))',
    message: 'status="500" and status="503": no series has both values, so this selector matches no series',
    fix: 'status=~"a|b"',
    position: { line: 1, column: 51 },
  },
  {
    name: "equal to a value and not equal to it",
    expr: 'up{job="global-sovereign", job!="global-sovereign"} == 0',
    message: 'job="global-sovereign" and job!="global-sovereign": one excludes what the other requires',
    position: { line: 1, column: 28 },
  },
  {
    name: "a value its regex does not match (anchored at both ends)",
    expr: 'sum(rate(phoenix_http_request_total{status="5xx", status=~"5[0-9]+"}[5m])) > 1',
    message: '"5xx" does not match the regex, which Prometheus anchors at both ends',
    position: { line: 1, column: 51 },
  },
  {
    name: "a value its negative regex matches",
    expr: 'up{job="global-sovereign", job!~"global-.*"} == 0',
    message: '"global-sovereign" matches the regex it must not match',
    position: { line: 1, column: 28 },
  },
  {
    name: "two metric names",
    expr: 'up{__name__="vm_total_processes"} == 0',
    message: "no series has both values",
    fix: "keep one metric name.",
    position: { line: 1, column: 4 },
  },
  {
    name: "an empty value (the label absent) with a regex that needs one",
    expr: 'count(ecto_connection_pool_size{repo="", repo=~".+"})',
    message: '"" does not match the regex',
    position: { line: 1, column: 42 },
  },
];

const good: GoodExpression[] = [
  {
    name: "one value per label",
    expr: 'sum(rate(phoenix_http_request_total{status="500", method="GET"}[5m]))',
  },
  { name: "a value and the regex it matches", expr: 'up{job="global-sovereign", job=~"global-.*"} == 0' },
  {
    name: "a value a dot in the regex matches",
    expr: 'sum(rate(phoenix_http_request_total{status="5xx", status=~"5.."}[5m])) > 1',
  },
  { name: "a value and another it is not", expr: 'up{job="global-sovereign", job!="nats"} == 0' },
  { name: "two regexes (not judged against each other)", expr: 'up{job=~"a.*", job=~".*b"} == 0' },
  { name: "a regex JavaScript may read differently (RE2 flags)", expr: 'up{job="API", job=~"(?i)api"} == 0' },
  {
    name: "a Grafana variable in a panel query",
    expr: 'up{job="global-sovereign", job=~"$job"}',
    kind: "dashboard-query",
    dashboard: "gs-phoenix-metrics",
  },
  { name: "the name given once, in __name__", expr: '{__name__="up", job="global-sovereign"} == 0' },
];

describeExpressionCheck("promql/impossible-matcher", impossibleMatcher, {
  severity: "error",
  bad,
  good,
  realProject: "accepts every expression of the real project",
});
