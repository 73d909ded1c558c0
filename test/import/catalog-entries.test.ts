/** How `o11y import` infers an unknown metric's type and labels from its name and the queries that read it. */
import { describe, expect, it } from "vitest";
import { MetricUsage } from "../../src/engine/import/catalog-entries.ts";

function infer(queries: string[], declared: string[] = []) {
  const usage = new MetricUsage((series) => declared.includes(series));
  for (const q of queries) expect(usage.add(q, { grafana: true }), q).toBeUndefined();
  return usage.metrics();
}

describe("catalog entries for unknown metrics", () => {
  it.each([
    {
      name: "a _total read by rate() is a counter, with the labels its matchers and by() name",
      queries: ['sum by (method) (rate(http_requests_total{status=~"5.."}[$__rate_interval]))'],
      expected: [{ name: "http_requests_total", type: "counter", labels: ["method", "status"] }],
    },
    {
      name: "a name without _total read by increase() is a counter",
      queries: ["increase(node_vmstat_pgfault[1h])"],
      expected: [{ name: "node_vmstat_pgfault", type: "counter", labels: [] }],
    },
    {
      name: "_bucket under histogram_quantile() is a histogram that claims its _sum and _count; le is implied",
      queries: [
        "histogram_quantile(0.95, sum by (le, route) (rate(req_seconds_bucket[5m])))",
        "rate(req_seconds_sum[5m]) / rate(req_seconds_count[5m])",
      ],
      expected: [{ name: "req_seconds", type: "histogram", labels: ["route"], buckets: [] }],
    },
    {
      name: "_bucket read with le matchers names its bounds",
      queries: ['sum(rate(q_seconds_bucket{le="0.5"}[5m])) / sum(rate(q_seconds_bucket{le="+Inf"}[5m]))'],
      expected: [{ name: "q_seconds", type: "histogram", labels: [], buckets: [0.5] }],
    },
    {
      name: "_sum and _count together without buckets are a summary",
      queries: ["rate(decode_ms_sum[1m]) / rate(decode_ms_count[1m])"],
      expected: [{ name: "decode_ms", type: "summary", labels: [] }],
    },
    {
      name: "anything else is a gauge; job and instance are implied",
      queries: ['node_memory_MemAvailable_bytes{job="$job", instance=~"$node"} / node_memory_MemTotal_bytes'],
      expected: [
        { name: "node_memory_MemAvailable_bytes", type: "gauge", labels: [] },
        { name: "node_memory_MemTotal_bytes", type: "gauge", labels: [] },
      ],
    },
  ])("$name", ({ queries, expected }) => {
    expect(infer(queries).map(({ inferred: _why, ...m }) => m)).toEqual(expected);
  });

  it("leaves out what the catalog declares and recorded series (a colon in the name)", () => {
    expect(
      infer(["rate(phoenix_http_request_total[5m]) + job:x:rate5m"], ["phoenix_http_request_total"]),
    ).toEqual([]);
  });

  it("says why it inferred each type", () => {
    const [counter] = infer(["rate(a_total[5m])"]);
    expect(counter!.inferred).toBe("ends in _total; read with rate() or increase()");
  });

  it("reports where a query does not parse", () => {
    const usage = new MetricUsage(() => false);
    expect(usage.add("sum(rate(x[5m])", { grafana: true })).toBeTypeOf("number");
  });
});
