import { describe, expect, it } from "vitest";
import type { ExpressionSite } from "../../../src/engine/check/check.ts";
import { aggregateThenRate } from "../../../src/engine/check/checks/promql/aggregate-then-rate.ts";
import { checkContext, checkExpressions, checkModel } from "../../../src/engine/check/run.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";

const model = compile(project).model;
const ctx = checkContext(model);

function run(expr: string) {
  const site: ExpressionSite = { expr, subject: "test", source: { file: "t", line: 1 }, kind: "expression" };
  return checkExpressions([site], ctx, [aggregateThenRate]);
}

const bad: Array<{ name: string; expr: string; message: string; fix: string; position: { line: number; column: number } }> = [
  {
    name: "rate() of summed request counters",
    expr: "rate(sum by (job) (phoenix_http_request_total)[5m:])",
    message: "rate() over the subquery sum by (job) (phoenix_http_request_total)[5m:]: a restart of one series looks like a reset of the whole aggregate",
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

const good: Array<{ name: string; expr: string }> = [
  { name: "the rate of each series, then the sum", expr: "sum by (job) (rate(phoenix_http_request_total[5m]))" },
  { name: "increase() of the raw counter, then the sum", expr: "sum(increase(global_sovereign_project_creations_total[1h]))" },
  { name: "a subquery over a raw counter (no aggregation inside)", expr: "rate(phoenix_http_request_total[5m:1m])" },
  { name: "a subquery of aggregated rates under max_over_time", expr: "max_over_time(sum(rate(phoenix_http_request_total[5m]))[1h:])" },
  { name: "deriv() of a summed gauge (no reset handling involved)", expr: "deriv(sum(vm_memory_total_bytes)[10m:])" },
  { name: "the dashboards' reductions rate", expr: "sum(rate(vm_total_reductions[5m]))" },
  { name: "a recorded rate in an alert", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
];

describe("promql/aggregate-then-rate", () => {
  it.each(bad)("flags $name", ({ expr, message, fix, position }) => {
    const found = run(expr);
    expect(found).toHaveLength(1);
    const [d] = found;
    expect(d!.check).toBe("promql/aggregate-then-rate");
    expect(d!.severity).toBe("error");
    expect(d!.message).toContain(message);
    expect(d!.fix).toContain(fix);
    expect(d!.position).toEqual(position);
  });

  it.each(good)("accepts $name", ({ expr }) => {
    expect(run(expr)).toEqual([]);
  });

  it("accepts every expression of the real project", () => {
    expect(checkModel(model, [aggregateThenRate])).toEqual([]);
  });

  it("flags an aggregate subquery that carries an offset", () => {
    const found = run("rate(sum(phoenix_http_request_total)[5m:] offset 1h)");
    expect(found.map((d) => d.check)).toEqual(["promql/aggregate-then-rate"]);
  });

  it("accepts a subquery that only scales a counter by a number", () => {
    expect(run("rate((phoenix_http_request_total * 60)[5m:])")).toEqual([]);
  });
});
