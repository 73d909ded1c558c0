import { expect, it } from "vitest";
import { aggregateThenRate } from "../../../src/engine/check/checks/promql/aggregate-then-rate.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "rate() of summed request counters",
    expr: "rate(sum by (job) (phoenix_http_request_total)[5m:])",
    message:
      "rate() over the subquery sum by (job) (phoenix_http_request_total)[5m:]: a restart of one series looks like a reset of the whole aggregate",
    fix: "take rate() of the raw counters first, then aggregate: sum(rate(x[5m])).",
    position: { line: 1, column: 1 },
  },
  {
    name: "increase() of a parenthesised sum with a step",
    expr: "increase((sum(global_sovereign_project_creations_total))[1h:1m])",
    message: "increase() over the subquery (sum(global_sovereign_project_creations_total))[1h:1m]",
    fix: "take increase() of the raw counters first",
    position: { line: 1, column: 1 },
  },
  {
    name: "rate() of two counters added together",
    expr: 'rate((phoenix_http_request_total{method="GET"} + ignoring(method) phoenix_http_request_total{method="POST"})[5m:])',
    message: "looks like a reset of the whole result",
    fix: "take rate() of the raw counters first",
    position: { line: 1, column: 1 },
  },
  {
    name: "irate() of a max, inside another aggregation",
    expr: "max(irate(max by (instance) (ecto_query_duration_seconds_count)[5m:]))",
    message: "irate() over the subquery max by (instance) (ecto_query_duration_seconds_count)[5m:]",
    fix: "take irate() of the raw counters first",
    position: { line: 1, column: 5 },
  },
  {
    name: "rate() of summed reductions on the second line",
    expr: "sum by (job) (\n  rate(sum by (job, instance) (vm_total_reductions)[5m:])\n)",
    message: "rate() over the subquery sum by (job, instance) (vm_total_reductions)[5m:]",
    fix: "then aggregate",
    position: { line: 2, column: 3 },
  },
];

const good: GoodExpression[] = [
  {
    name: "the rate of each series, then the sum",
    expr: "sum by (job) (rate(phoenix_http_request_total[5m]))",
  },
  {
    name: "increase() of the raw counter, then the sum",
    expr: "sum(increase(global_sovereign_project_creations_total[1h]))",
  },
  {
    name: "a subquery over a raw counter (no aggregation inside)",
    expr: "rate(phoenix_http_request_total[5m:1m])",
  },
  {
    name: "a subquery of aggregated rates under max_over_time",
    expr: "max_over_time(sum(rate(phoenix_http_request_total[5m]))[1h:])",
  },
  {
    name: "deriv() of a summed gauge (no reset handling involved)",
    expr: "deriv(sum(vm_memory_total_bytes)[10m:])",
  },
  { name: "the dashboards' reductions rate", expr: "sum(rate(vm_total_reductions[5m]))" },
  { name: "a recorded rate in an alert", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
];

describeExpressionCheck(
  "promql/aggregate-then-rate",
  aggregateThenRate,
  { severity: "error", bad, good, realProject: "accepts every expression of the real project" },
  (run) => {
    it("flags an aggregate subquery that carries an offset", () => {
      const found = run("rate(sum(phoenix_http_request_total)[5m:] offset 1h)");
      expect(found.map((d) => d.check)).toEqual(["promql/aggregate-then-rate"]);
    });

    it("accepts a subquery that only scales a counter by a number", () => {
      expect(run("rate((phoenix_http_request_total * 60)[5m:])")).toEqual([]);
    });
  },
);
