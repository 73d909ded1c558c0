/**
 * How a series the catalog does not declare is typed on a rule file from elsewhere: by a live Prometheus's metadata,
 * else by its name's conventions, else by how the files use it; otherwise not at all (no check judges it).
 */
import { describe, expect, it } from "vitest";
import { foreignTypes, type TypeSource } from "../../src/engine/check/foreign-types.ts";
import { parsePromQL } from "../../src/engine/promql/parse.ts";
import type { SeriesType } from "../../src/engine/promql/semantics.ts";

const parse = (text: string) => parsePromQL(text, { grafana: false });
/** The type of `name` when the files hold these expressions, each at rules.yaml:<its index + 1>. */
const typeOf = (name: string, expressions: string[] = [], live?: TypeSource) =>
  foreignTypes(
    () => expressions.map((expr, i) => ({ expr, source: { file: "rules.yaml", line: i + 1 } })),
    parse,
    live,
  )(name);

interface Case {
  name: string;
  series: string;
  expressions?: string[];
  expected: SeriesType | undefined;
}

const cases: Case[] = [
  {
    name: "_total, a counter",
    series: "node_cpu_seconds_total",
    expected: { kind: "counter", because: "type inferred from the name: _total is a counter's suffix" },
  },
  {
    name: "_bucket, a histogram's buckets",
    series: "apiserver_request_duration_seconds_bucket",
    expected: { kind: "bucket", because: "type inferred from the name: _bucket is a histogram's buckets" },
  },
  {
    name: "_info, a gauge of 1",
    series: "kube_pod_info",
    expected: { kind: "gauge", because: "type inferred from the name: an _info metric is a gauge of 1" },
  },
  {
    name: "a timestamp, a gauge",
    series: "process_start_time_seconds",
    expected: { kind: "gauge", because: "type inferred from the name: a point in time is a gauge" },
  },
  // Unit suffixes say nothing either way: a gauge, an old counter, or a native histogram.
  { name: "_bytes without _total", series: "node_memory_MemAvailable_bytes", expected: undefined },
  { name: "_seconds without _total", series: "http_request_duration_seconds", expected: undefined },
  // Exporters name gauges _count too (postgres_exporter's connections): only a sibling makes it a histogram's.
  {
    name: "_count alone",
    series: "pg_stat_activity_count",
    expressions: ["sum(pg_stat_activity_count) > 100"],
    expected: undefined,
  },
  {
    name: "_count with its _sum read too",
    series: "rpc_duration_seconds_count",
    expressions: ["rate(rpc_duration_seconds_sum[5m]) / rate(rpc_duration_seconds_count[5m])"],
    expected: {
      kind: "counter",
      because:
        "type inferred: rpc_duration_seconds_sum is read too, so rpc_duration_seconds_count is a histogram's or summary's _count, a counter",
    },
  },
  {
    name: "_sum with its _bucket read too",
    series: "rpc_duration_seconds_sum",
    expressions: ["histogram_quantile(0.9, sum by (le) (rate(rpc_duration_seconds_bucket[5m])))"],
    expected: {
      kind: "counter",
      because:
        "type inferred: rpc_duration_seconds_bucket is read too, so rpc_duration_seconds_sum is a histogram's or summary's _sum, a counter",
    },
  },
  {
    name: "a name the files take rate() of",
    series: "node_vmstat_oom_kill",
    expressions: ["up == 0", "increase(node_vmstat_oom_kill[1m]) > 0"],
    expected: { kind: "counter", because: "type inferred: increase() is taken of it at rules.yaml:2" },
  },
  // Both a counter's and a gauge's functions: one of them is wrong, and which is not known.
  {
    name: "a name the files use both ways",
    series: "queue_depth",
    expressions: ["rate(queue_depth[5m]) > 1", "deriv(queue_depth[10m]) > 0"],
    expected: undefined,
  },
  {
    name: "a native histogram, taken rate() of",
    series: "http_request_duration_seconds",
    expressions: ["histogram_quantile(0.9, rate(http_request_duration_seconds[5m])) > 1"],
    expected: undefined,
  },
  {
    name: "a name the files only compare",
    series: "node_load1",
    expressions: ["node_load1 > 4"],
    expected: undefined,
  },
  {
    name: "an expression that does not parse tells nothing",
    series: "broken_thing",
    expressions: ["rate(broken_thing[5m]"],
    expected: undefined,
  },
];

describe("types without the catalog", () => {
  it.each(cases)("$name", ({ series, expressions, expected }) => {
    expect(typeOf(series, expressions)).toEqual(expected);
  });

  it("takes a live Prometheus's word over the name's", () => {
    const live: TypeSource = {
      typeOf: (name) =>
        name === "weird_total"
          ? { kind: "gauge", because: "type from the metadata of http://prometheus:9090" }
          : undefined,
    };
    expect(typeOf("weird_total", [], live)).toEqual({
      kind: "gauge",
      because: "type from the metadata of http://prometheus:9090",
    });
    expect(typeOf("other_total", [], live)?.kind).toBe("counter");
  });

  it("reads the files once, on the first question that needs them", () => {
    let reads = 0;
    const infer = foreignTypes(() => {
      reads++;
      return [{ expr: "rate(a[5m]) + rate(b[5m])", source: { file: "r.yaml", line: 1 } }];
    }, parse);
    expect(infer("x_total")?.kind).toBe("counter");
    expect(reads).toBe(0);
    expect([infer("a")?.kind, infer("b")?.kind, infer("c")]).toEqual(["counter", "counter", undefined]);
    expect(reads).toBe(1);
  });
});
