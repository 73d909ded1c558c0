/**
 * Types of the series a rule file from elsewhere reads, where our catalog declares none: from a live Prometheus's
 * metadata when one is given (metric-source.ts), else from the name's conventions and from how the files themselves
 * use it. What cannot be known stays unknown, and the type-aware checks say nothing about it: a false alarm on a
 * team's working rules is worse than a finding missed. docs/checks/configuration.md#types-without-the-catalog says how.
 */
import { nodesNamed, rangeArgument, selectors, type ParsedExpression } from "../promql/parse.ts";
import type { SeriesType } from "../promql/semantics.ts";
import { formatLocation, type SourceLocation } from "../source.ts";

/** Types a live Prometheus reports (metric-source.ts). */
export interface TypeSource {
  typeOf(name: string): SeriesType | undefined;
}

/** An expression of the files, and where it was written. */
export interface Written {
  expr: string;
  source: SourceLocation;
}

const nameRule = (pattern: RegExp, kind: SeriesType["kind"], why: string) => ({
  pattern,
  type: { kind, because: `type inferred from the name: ${why}` } satisfies SeriesType,
});

/**
 * What a name alone tells, by suffix. `_count` and `_sum` are not here: exporters name plain gauges so too
 * (`pg_stat_activity_count`), so they count as a histogram's or summary's only when the files read a sibling.
 * Unit suffixes (`_bytes`, `_seconds`, ...) without `_total` tell nothing either way: a gauge, or a native histogram.
 */
const byName = [
  nameRule(/_bucket$/, "bucket", "_bucket is a histogram's buckets"),
  nameRule(/_total$/, "counter", "_total is a counter's suffix"),
  nameRule(/_info$/, "gauge", "an _info metric is a gauge of 1"),
  nameRule(/(_timestamp_seconds|_time_seconds|_timestamp|_created)$/, "gauge", "a point in time is a gauge"),
];

/** Functions that read a counter, and those that read a gauge (Prometheus's docs say which). */
const counterFunctions = new Set(["rate", "irate", "increase", "resets"]);
const gaugeFunctions = new Set([
  "deriv",
  "predict_linear",
  "delta",
  "idelta",
  "holt_winters",
  "double_exponential_smoothing",
]);

/** How the files use one name. */
interface Usage {
  /** The first expression that takes rate(), irate(), increase() or resets() of it. */
  asCounter?: { fn: string; source: SourceLocation };
  asGauge?: boolean;
  /** Inside a histogram_* function without being a _bucket series: a native histogram. */
  asNativeHistogram?: boolean;
}

function usageOf(
  expressions: Iterable<Written>,
  parse: (text: string) => ParsedExpression,
): { usage: Map<string, Usage>; names: Set<string> } {
  const usage = new Map<string, Usage>();
  const names = new Set<string>();
  const of = (name: string) => {
    let found = usage.get(name);
    if (!found) usage.set(name, (found = {}));
    return found;
  };
  for (const { expr: text, source } of expressions) {
    const expr = parse(text);
    if (expr.errorAt !== undefined) continue;
    for (const selector of selectors(expr)) if (selector.metric) names.add(selector.metric);
    for (const call of nodesNamed(expr, "FunctionCall")) {
      const id = call.getChild("FunctionIdentifier");
      if (!id) continue;
      const fn = expr.text.slice(id.from, id.to);
      if (fn.startsWith("histogram_")) {
        for (const selector of selectors(expr)) {
          if (
            selector.metric &&
            !selector.metric.endsWith("_bucket") &&
            selector.node.from >= call.from &&
            selector.node.to <= call.to
          )
            of(selector.metric).asNativeHistogram = true;
        }
        continue;
      }
      if (!counterFunctions.has(fn) && !gaugeFunctions.has(fn)) continue;
      const name = rangeArgument(call)?.getChild("VectorSelector")?.getChild("Identifier");
      if (!name) continue;
      const found = of(expr.text.slice(name.from, name.to));
      if (gaugeFunctions.has(fn)) found.asGauge = true;
      else found.asCounter ??= { fn, source };
    }
  }
  return { usage, names };
}

/**
 * The inferType of a Semantics for rule files from elsewhere: asked only about names neither the catalog nor a
 * recording rule knows. The files' expressions are read once, on the first question, with the run's shared parse.
 */
export function foreignTypes(
  expressions: () => Iterable<Written>,
  parse: (text: string) => ParsedExpression,
  live?: TypeSource,
): (name: string) => SeriesType | undefined {
  let read: ReturnType<typeof usageOf> | undefined;
  const answers = new Map<string, SeriesType | undefined>();
  const infer = (name: string): SeriesType | undefined => {
    const reported = live?.typeOf(name);
    if (reported) return reported;
    for (const rule of byName) if (rule.pattern.test(name)) return rule.type;
    read ??= usageOf(expressions(), parse);
    const sibling = /^(.*)_(count|sum)$/.exec(name);
    if (sibling) {
      const [, base, suffix] = sibling;
      const other = `${base}_${suffix === "count" ? "sum" : "count"}`;
      const seen = [`${base}_bucket`, other].find((candidate) => read!.names.has(candidate));
      if (seen)
        return {
          kind: "counter",
          because: `type inferred: ${seen} is read too, so ${name} is a histogram's or summary's _${suffix}, a counter`,
        };
    }
    const used = read.usage.get(name);
    if (used?.asCounter && !used.asGauge && !used.asNativeHistogram) {
      return {
        kind: "counter",
        because: `type inferred: ${used.asCounter.fn}() is taken of it at ${formatLocation(used.asCounter.source)}`,
      };
    }
    return undefined;
  };
  return (name) => {
    if (!answers.has(name)) answers.set(name, infer(name));
    return answers.get(name);
  };
}
