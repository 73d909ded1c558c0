import { expect, it } from "vitest";
import { vectorMatching } from "../../../src/engine/check/checks/promql/vector-matching.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const requests = "rate(phoenix_http_request_total[5m])";

const bad: BadExpression[] = [
  {
    // One-to-one matching with on() keeps only the on() labels (Prometheus's resultMetric): job is gone after the division.
    name: "on() a label that an earlier on() division dropped",
    expr: "(sum by (job, instance) (vm_memory_total_bytes) / on (instance) sum by (instance) (vm_total_processes))\n* on (job) group_left sum by (job) (ecto_connection_pool_size)",
    message: "on(job) names job, which is not on both sides: left {instance}, right {job}",
    fix: "match on labels both sides keep.",
    position: { line: 1, column: 1 },
  },
  {
    name: "memory per pool connection (the pool size carries repo)",
    expr: "vm_memory_total_bytes / ecto_connection_pool_size",
    message:
      "the sides carry different labels (left {instance, job}, right {instance, job, repo}), so one-to-one matching pairs nothing",
    fix: "match with on(job, instance) or ignoring(repo).",
    position: { line: 1, column: 1 },
  },
  {
    name: "two sums by different labels",
    expr: `sum by (path) (${requests}) / sum by (method) (${requests})`,
    message: "(left {path}, right {method})",
    fix: "the sides share no label: aggregate both",
    position: { line: 1, column: 1 },
  },
  {
    // The catalog's slow-query formula taken literally: the bucket carries le, the _count does not.
    name: "all queries minus the bucket, without ignoring(le)",
    expr: 'rate(ecto_query_duration_seconds_count[5m]) - rate(ecto_query_duration_seconds_bucket{le="0.5"}[5m])',
    message: "left {command, instance, job, repo, source}, right {command, instance, job, le, repo, source}",
    fix: "ignoring(le)",
    position: { line: 1, column: 1 },
  },
  {
    name: "on() a label one side aggregated away",
    expr: "sum by (instance) (vm_memory_total_bytes) / on(repo) sum by (instance, repo) (ecto_connection_pool_size)",
    message: "on(repo) names repo, which is not on both sides: left {instance}, right {instance, repo}",
    fix: "match on labels both sides keep.",
    position: { line: 1, column: 1 },
  },
  {
    name: "a recorded per-job ratio against a per-instance rate, on the second line",
    expr: "100 * (\n  job:phoenix_http_requests_5xx:ratio_rate5m\n  / sum by (instance) (rate(phoenix_http_request_total[5m]))\n)",
    message: "(left {job}, right {instance})",
    fix: "the sides share no label: aggregate both",
    position: { line: 2, column: 3 },
  },
  {
    name: "a comparison between mismatched vectors",
    expr: "vm_memory_total_bytes > ecto_connection_pool_size",
    message: "the sides carry different labels",
    fix: "ignoring(repo)",
    position: { line: 1, column: 1 },
  },
];

const good: GoodExpression[] = [
  // False alarm on kubernetes-mixin's KubeletTooManyPods: group_left(node) copies node from the right side, so the
  // product carries it and the next on (cluster, node) matches.
  {
    name: "group_left(label) adds the label it copies",
    expr: "max by (cluster, instance) (up > 1)\n* on (cluster, instance) group_left (node) max by (cluster, instance, node) (up)\n/ on (cluster, node) group_left () max by (cluster, node) (up != 1)",
  },
  {
    name: "ignoring() drops the labels it names",
    expr: "(sum by (job, le) (vm_memory_total_bytes) / ignoring (le) sum by (job, le) (vm_total_processes)) / sum by (job) (vm_total_processes)",
  },
  {
    name: "ignoring() the extra label",
    expr: "vm_memory_total_bytes / ignoring(repo) ecto_connection_pool_size",
  },
  {
    name: "on() labels both sides keep",
    expr: "sum by (instance) (vm_memory_total_bytes) / on(instance) sum by (instance) (ecto_connection_pool_size)",
  },
  {
    name: "on() with group_right",
    expr: "vm_memory_total_bytes / on(job, instance) group_right ecto_connection_pool_size",
  },
  {
    name: "the 5xx share per route",
    expr: `sum by (path) (rate(phoenix_http_request_total{status=~"5.."}[5m])) / sum by (path) (${requests})`,
  },
  {
    name: "the slow-query formula with ignoring(le)",
    expr: 'rate(ecto_query_duration_seconds_count[5m]) - ignoring(le) rate(ecto_query_duration_seconds_bucket{le="0.5"}[5m])',
  },
  {
    name: "the dashboards' slow-query rate (both sides summed by repo)",
    expr: 'sum by (repo) (rate(ecto_query_duration_seconds_count[5m]))\n-\nsum by (repo) (rate(ecto_query_duration_seconds_bucket{le="0.5"}[5m]))',
  },
  {
    name: "the memory alert's ratio",
    expr: 'vm_memory_total_bytes{job="global-sovereign"} / on (job, instance) global_sovereign_memory_limit_bytes{job="global-sovereign"} > 0.8',
  },
  { name: "a recorded ratio against a number", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
  {
    name: "two recorded series with the same labels",
    expr: "job:phoenix_http_requests_5xx:ratio_rate5m * job:phoenix_http_requests:rate5m",
  },
  {
    name: "or between different label sets (a union)",
    expr: "vm_memory_total_bytes or ecto_connection_pool_size",
  },
];

describeExpressionCheck(
  "promql/vector-matching",
  vectorMatching,
  { severity: "error", bad, good, realProject: "accepts every expression of the real project" },
  (run) => {
    it("flags `and` between vectors with different labels", () => {
      expect(run("vm_memory_total_bytes and ecto_connection_pool_size").map((d) => d.check)).toEqual([
        "promql/vector-matching",
      ]);
    });

    it("does not suggest an empty on()", () => {
      const [d] = run(`sum by (path) (${requests}) / sum by (method) (${requests})`);
      expect(d!.fix).not.toContain("on()");
    });
  },
);
