import { callerLocation, type SourceLocation } from "../source.ts";

export type MetricType = "counter" | "gauge" | "histogram" | "summary";

/**
 * Where a metric comes from. `required` marks instrumentation the application does not export yet:
 * the README lists these so the application team can add them.
 */
export interface MetricOrigin {
  kind: "promex" | "telemetry" | "exporter" | "prometheus";
  /** The plugin, telemetry event or exporter, in words an application engineer can act on. */
  detail: string;
  status: "exported" | "required";
}

export interface MetricSpec {
  name: string;
  help: string;
  /** Grafana unit id of the sample value, e.g. `s`, `bytes`, `short`, `reqps` for its rate. */
  unit: string;
  /** Label name -> what it means. `job` and `instance` are added by the scrape and implied. */
  labels: Record<string, string>;
  origin: MetricOrigin;
  /** Why the metric is typed or queried the way it is, e.g. where the runbook's example was wrong. */
  notes?: string;
}

export interface GaugeSpec extends MetricSpec {
  /**
   * A gauge whose value only grows until the process restarts: a sequence number or a running total that an
   * exporter publishes as a gauge. `rate()` and `increase()` are right on it, and the checks accept them.
   */
  monotonic?: boolean;
}

export interface HistogramSpec extends MetricSpec {
  /** Upper bounds of the buckets the application configures, so `le` matchers can be checked. */
  buckets: number[];
}

export interface MetricDefinition extends MetricSpec {
  type: MetricType;
  monotonic?: boolean;
  buckets?: number[];
  source: SourceLocation;
  /** Series names this metric exposes, e.g. `x_bucket`, `x_sum`, `x_count` for a histogram. */
  series: string[];
}

export interface HistogramDefinition extends MetricDefinition {
  type: "histogram";
  bucket: string;
  sum: string;
  count: string;
}

export interface SummaryDefinition extends MetricDefinition {
  type: "summary";
  sum: string;
  count: string;
}

/** Labels every scraped series carries. */
export const targetLabels = ["job", "instance"] as const;

function define<T extends MetricDefinition>(type: MetricType, spec: MetricSpec, series: string[], extra: object): T {
  const metric = { ...spec, type, source: callerLocation(), series, ...extra };
  // Interpolating a metric into PromQL text writes its name: `${phoenix.requests}` -> `phoenix_http_request_total`.
  Object.defineProperty(metric, "toString", { value: () => spec.name, enumerable: false });
  return metric as T;
}

export function counter(spec: MetricSpec): MetricDefinition {
  return define("counter", spec, [spec.name], {});
}

export function gauge(spec: GaugeSpec): MetricDefinition {
  return define("gauge", spec, [spec.name], {});
}

export function histogram(spec: HistogramSpec): HistogramDefinition {
  const bucket = `${spec.name}_bucket`;
  const sum = `${spec.name}_sum`;
  const count = `${spec.name}_count`;
  return define("histogram", spec, [bucket, sum, count], { bucket, sum, count });
}

export function summary(spec: MetricSpec): SummaryDefinition {
  const sum = `${spec.name}_sum`;
  const count = `${spec.name}_count`;
  return define("summary", spec, [spec.name, sum, count], { sum, count });
}
