/**
 * The unit `o11y import rules` gives the threshold an alert's expression ends in, inferred from what the expression
 * compares (src/engine/import/threshold-unit.ts), and the traffic guard it finds after an `and`. Hand-made
 * expressions of the shapes rule files have, against a catalog and recording rules of this test's own.
 */
import { describe, expect, it } from "vitest";
import type { MetricModel, RecordingRuleModel } from "../../src/engine/model.ts";
import { inferThresholdUnit, trafficGuardOf } from "../../src/engine/import/threshold-unit.ts";
import { topComparison } from "../../src/engine/promql/comparison.ts";
import { parsePromQL } from "../../src/engine/promql/parse.ts";
import type { Semantics } from "../../src/engine/promql/semantics.ts";

const metric = (name: string, type: MetricModel["type"], unit: string, series = [name]) =>
  ({ name, type, unit, series }) as MetricModel;
const catalog = [
  metric("app_requests_total", "counter", "reqps"),
  metric("app_latency_seconds", "histogram", "s", ["app_latency_seconds_bucket", "app_latency_seconds_sum"]),
  metric("app_balance", "gauge", "currencyUSD"),
];
const rules: Record<string, string> = {
  "job:app_requests:rate5m": "sum by (job) (rate(app_requests_total[5m]))",
  "job:app_errors:ratio_rate5m":
    'sum by (job) (rate(app_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(app_requests_total[5m]))',
  "job:app_latency_seconds_bucket:rate5m": "sum by (job, le) (rate(app_latency_seconds_bucket[5m]))",
  "job:app_latency_seconds:p95_rate5m": "histogram_quantile(0.95, job:app_latency_seconds_bucket:rate5m)",
  "job:app_balance:drop_ratio1h": "1 - (max by (job) (app_balance) / max by (job) (app_balance offset 1h))",
};
const semantics: Semantics = {
  seriesIndex: new Map(catalog.flatMap((m) => m.series.map((s) => [s, m] as const))),
  recordingRules: new Map(
    Object.entries(rules).map(([record, expr]) => [record, { record, expr } as RecordingRuleModel]),
  ),
  parse: parsePromQL,
};

/** The unit of the threshold of `expr`, as the import infers it. */
function unitOf(expr: string): string {
  const comparison = topComparison(expr)!;
  expect(comparison.value, expr).toBeDefined();
  return inferThresholdUnit(comparison.left, comparison.op, comparison.value!, semantics).unit;
}

describe("the unit of an imported alert's threshold", () => {
  it.each([
    [
      "bytes over bytes is a ratio",
      "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.1",
      "ratio",
    ],
    [
      "a rate of counters over a rate of counters is a ratio",
      "rate(errs_total[5m]) / rate(packets_total[5m]) > 0.01",
      "ratio",
    ],
    [
      "seconds per second (CPU busy) are a ratio",
      '1 - avg without (cpu) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > 0.8',
      "ratio",
    ],
    ["a share above 1 is a multiple: a count", "node_load1 / count(node_cpu_seconds_total) > 2", "count"],
    ["times 100 is a percentage", "a_bytes / b_bytes * 100 < 15", "percent"],
    ["times 100 before the division is one too", "open_fds * 100 / max_fds > 70", "percent"],
    ["100 minus a percentage is one", "100 - (free_bytes / size_bytes * 100) > 90", "percent"],
    ["a _percent series is a percentage", "disk_used_percent > 90", "percent"],
    [
      "a quantile of _seconds buckets is in seconds",
      "histogram_quantile(0.99, rate(req_duration_seconds_bucket[5m])) > 0.5",
      "seconds",
    ],
    ["the time since a _seconds timestamp is in seconds", "time() - node_boot_time_seconds < 600", "seconds"],
    ["a size is in bytes", "predict_linear(node_filesystem_avail_bytes[6h], 86400) < 1000000", "bytes"],
    ["a catalog counter's rate is a count", "sum(rate(app_requests_total[5m])) > 100", "count"],
    ["a recorded ratio (by its expression) is a ratio", "job:app_errors:ratio_rate5m > 0.05", "ratio"],
    [
      "a recorded quantile of recorded buckets is in seconds",
      "job:app_latency_seconds:p95_rate5m > 0.5",
      "seconds",
    ],
    [
      "a recorded series whose expression says no unit, but whose name says ratio",
      "job:app_balance:drop_ratio1h > 0.1",
      "ratio",
    ],
    ["== 0 is a state", "etcd_server_has_leader == 0", "bool"],
    ["!= 1 is a state", "pg_up != 1", "bool"],
    ["up < 1 is a state, by the name", 'up{job="x"} < 1', "bool"],
    ["...:present < 1 is a state, by the name", "job_metric:alert_input:present < 1", "bool"],
    ["> 0 of a count is a count", 'node_md_disks{state="failed"} > 0', "count"],
    ["nothing known is a count", "some_gauge > 3", "count"],
  ])("%s", (_name, expr, unit) => {
    expect(unitOf(expr)).toBe(unit);
  });

  it("says why, naming the metrics it read", () => {
    const comparison = topComparison("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.1")!;
    const { why } = inferThresholdUnit(comparison.left, comparison.op, comparison.value!, semantics);
    expect(why).toContain("node_memory_MemAvailable_bytes, node_memory_MemTotal_bytes");
  });
});

describe("the traffic guard of an imported alert", () => {
  it.each([
    {
      name: "a count of events after `and on (...)`",
      expr: "job:app_errors:ratio_rate5m > 0.05\nand on (job)\nsum by (job) (increase(app_requests_total[5m])) >= 100",
      guard: { op: ">=", value: 100, text: ">= 100" },
    },
    {
      name: "inside an aggregation",
      expr: "count by (job) (x:ratio > 0.1 and on (job, region) sum by (job, region) (increase(y_total[10m])) >= 20) >= 3",
      guard: { op: ">=", value: 20, text: ">= 20" },
    },
    {
      name: "none where `and` filters on a state",
      expr: "a_bytes / b_bytes < 0.1 and c == 0",
      guard: undefined,
    },
    { name: "none without `and`", expr: "rate(x_total[5m]) > 1", guard: undefined },
  ])("$name", ({ expr, guard }) => {
    const found = trafficGuardOf(parsePromQL(expr, { grafana: false }));
    if (!guard) return expect(found).toBeUndefined();
    expect(found).toMatchObject({ op: guard.op, value: guard.value });
    expect(expr.slice(found!.at.from, found!.at.to)).toBe(guard.text);
  });
});
