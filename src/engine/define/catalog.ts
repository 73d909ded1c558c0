import { suggestedUnit, unitCategory } from "../grafana/units.ts";
import { callerLocation, formatLocation, type SourceLocation } from "../source.ts";
import { spell } from "../text.ts";
import {
  boolean,
  finite,
  list,
  noteUnknownMember,
  object,
  oneOf,
  optional,
  readSpec,
  text,
  textRecord,
  type Shape,
  type Validated,
} from "./validate.ts";

export const metricTypes = ["counter", "gauge", "histogram", "summary"] as const;
export type MetricType = (typeof metricTypes)[number];

/**
 * Where a metric comes from. `required` marks instrumentation the application does not export yet:
 * the README lists these so the application team can add them.
 */
export interface MetricOrigin {
  /** `imported`: brought in by `o11y import` from a dashboard or rule file, not reviewed yet (see importedMetric). */
  kind: "promex" | "telemetry" | "exporter" | "prometheus" | "imported";
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
  /** Set by importedMetric(): the entry awaits review (`catalog/unreviewed`). */
  review?: ImportedReview;
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

/** Where an imported entry came from and why it has its type; `catalog/unreviewed` reports it until reviewed. */
export interface ImportedReview {
  /** The file `o11y import` read it from, as the user named it. */
  importedFrom: string;
  /** Why its type was inferred, e.g. `ends in _total; read with rate()`. */
  inferred: string;
}

export interface ImportedMetricSpec extends ImportedReview {
  name: string;
  type: MetricType;
  /** The labels its queries use; what each means is for the reviewer to write. */
  labels: string[];
  /** A histogram's bucket bounds, where the imported queries name them (`le="0.5"`). */
  buckets?: number[];
}

/**
 * A metric that `o11y import` found in a dashboard or rule file and the catalog did not declare. It says only what
 * the import knows: its name, its inferred type and the labels its queries use. Help, unit and the labels'
 * meanings are for a reviewer to write, who then declares it with counter(), gauge(), histogram() or summary().
 */
export function importedMetric(spec: ImportedMetricSpec): MetricDefinition {
  const base: MetricSpec = {
    name: spec.name,
    help: "",
    unit: "",
    labels: Object.fromEntries((spec.labels ?? []).map((label) => [label, ""])),
    origin: { kind: "imported", detail: `o11y import, from ${spec.importedFrom}`, status: "exported" },
  };
  const extra = { review: { importedFrom: spec.importedFrom, inferred: spec.inferred } };
  const series = seriesOf(spec.type, spec.name);
  if (spec.type === "histogram") {
    return define("histogram", { ...base, buckets: spec.buckets ?? [] } as HistogramSpec, series, {
      ...extra,
      bucket: series[0],
      sum: series[1],
      count: series[2],
    });
  }
  if (spec.type === "summary")
    return define("summary", base, series, { ...extra, sum: series[1], count: series[2] });
  return define(spec.type, base, series, extra);
}

/** Labels every scraped series carries. */
export const targetLabels = ["job", "instance"] as const;

function define<T extends MetricDefinition>(
  type: MetricType,
  spec: MetricSpec,
  series: string[],
  extra: object,
): T {
  // Whatever it was given: validatedMetric says what is wrong with it.
  const metric = {
    ...(typeof spec === "object" ? spec : {}),
    type,
    source: callerLocation(),
    series,
    ...extra,
  };
  // Interpolating a metric into PromQL text writes its name: `${phoenix.requests}` -> `phoenix_http_request_total`.
  Object.defineProperty(metric, "toString", { value: () => spell(spec?.name), enumerable: false });
  return metric as T;
}

export function counter(spec: MetricSpec): MetricDefinition {
  return define("counter", spec, seriesOf("counter", spec?.name), {});
}

export function gauge(spec: GaugeSpec): MetricDefinition {
  return define("gauge", spec, seriesOf("gauge", spec?.name), {});
}

export function histogram(spec: HistogramSpec): HistogramDefinition {
  const [bucket, sum, count] = seriesOf("histogram", spec?.name);
  return define("histogram", spec, [bucket!, sum!, count!], { bucket, sum, count });
}

export function summary(spec: MetricSpec): SummaryDefinition {
  const [name, sum, count] = seriesOf("summary", spec?.name);
  return define("summary", spec, [name!, sum!, count!], { sum, count });
}

/** The series a metric of this type exposes (a name that is no text is validatedMetric's to report). */
function seriesOf(type: MetricType, given: string): string[] {
  const name = spell(given);
  if (type === "histogram") return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === "summary") return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** Where a metric comes from, of those a hand-written entry may name; `imported` belongs to importedMetric(). */
const originShape = (kinds: readonly MetricOrigin["kind"][]) =>
  object<MetricOrigin>(
    {
      kind: oneOf(kinds, 'origin.kind: "promex", "telemetry", "exporter" or "prometheus".'),
      detail: text(
        'origin.detail: "[:phoenix, :endpoint, :stop] event", where it comes from, in words an application engineer can act on.',
      ),
      status: oneOf(
        ["exported", "required"],
        'origin.status: "exported", or "required" while the application does not export it yet.',
      ),
    },
    "{ kind, detail, status }",
  );

const metricShape: Shape<Omit<MetricDefinition, "source" | "series">> = {
  name: text('name: "phoenix_http_request_total", the metric\'s name as the application exports it.'),
  type: oneOf(metricTypes, "declare it with counter(), gauge(), histogram() or summary()."),
  help: text('help: "HTTP requests completed by the Phoenix endpoint.", what it counts or measures.'),
  unit: text('unit: "s", the Grafana unit id of its value (s, bytes, short, reqps, ...).'),
  labels: textRecord('labels: { method: "HTTP method, e.g. GET" }: each label with what it means, as text.'),
  origin: originShape(["promex", "telemetry", "exporter", "prometheus"]),
  notes: optional(text("notes: why it is typed or queried the way it is, as text.")),
  review: optional(
    object<ImportedReview>(
      {
        importedFrom: text("importedFrom: the file o11y import read the metric from, as text."),
        inferred: text("inferred: why its type was inferred, as text."),
      },
      "{ importedFrom, inferred }, as importedMetric() writes it",
    ),
  ),
  monotonic: optional(
    boolean("monotonic: true for a gauge that only grows until a restart, else leave it out."),
  ),
  buckets: optional(
    list(
      finite(
        "buckets: [0.005, 0.01, ...], the finite upper bounds the application configures (+Inf is implied).",
      ),
      "buckets: [0.005, 0.01, ...], a list of numbers.",
    ),
  ),
};

/** A metric as the engine may read it, and what is wrong with it, at its line. */
export function validatedMetric(definition: MetricDefinition): Validated<MetricDefinition> {
  const read = readSpec(
    definition,
    definition.review === undefined
      ? metricShape
      : {
          ...metricShape,
          origin: originShape(["promex", "telemetry", "exporter", "prometheus", "imported"]),
        },
    `${definition.type ?? "counter"}({ name, help, unit, labels, origin })`,
    definition.source,
  );
  let metric = read.spec as MetricDefinition;
  if (definition.type === "histogram" && definition.buckets === undefined) {
    read.problems.push({
      message: "buckets is missing",
      fix: "buckets: [0.005, 0.01, ...], the upper bounds the application configures.",
      source: definition.source,
    });
  }
  if (typeof metric.unit === "string" && metric.unit !== "" && unitCategory(metric.unit) === undefined) {
    const better = suggestedUnit(metric.unit);
    read.problems.push({
      message: `unit "${metric.unit}" is not a Grafana unit id`,
      fix: `${better ? `did you mean "${better}"? ` : ""}unit: the Grafana unit id of the metric's value (s, bytes, short, reqps, ...); src/engine/grafana/units.ts lists them.`,
      source: definition.source,
    });
  }
  if (typeof definition.name !== "string") {
    const name = `(no name, ${formatLocation(definition.source)})`;
    metric = { ...metric, name, series: seriesOf(metric.type, name) };
  }
  return { value: metric, problems: read.problems };
}

/**
 * A group of the catalog (`phoenix`, `ecto`, ...), as content reads it: `${phoenix.httpRequests}`. A member it
 * does not have (`phoenix.httpRequestz`) reads as undefined, as JavaScript has it, and is noted with where it
 * was read, so that the definition whose PromQL then holds `undefined` can name it and its likely spelling.
 */
export function catalogGroup<T extends object>(name: string, members: T): T {
  return new Proxy(members, {
    get(target, property, receiver) {
      if (typeof property === "string" && !(property in target) && !probes.has(property)) {
        noteUnknownMember(name, property, Object.keys(target));
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** Names that tools and runtimes ask any object for, which say nothing about a misspelt metric. */
const probes = new Set([
  "then",
  "toJSON",
  "constructor",
  "inspect",
  "asymmetricMatch",
  "$$typeof",
  "nodeType",
  "tagName",
  "@@__IMMUTABLE_ITERABLE__@@",
  "@@__IMMUTABLE_RECORD__@@",
  "_isMockFunction",
  "__esModule",
  "default",
]);
