/**
 * What one revision's expressions read and carry, worked out from its own recording rules (and the head's
 * catalog, when there is one): the series a query reads, through recording rules down to raw metrics, and
 * the labels of its result. Each text is parsed once.
 */
import type { MetricModel, RecordingRuleModel } from "../model.ts";
import { parsePromQL, selectors, type ParsedExpression } from "../promql/parse.ts";
import { resultLabels, seriesLabels, type Semantics } from "../promql/semantics.ts";
import type { Snapshot } from "./snapshot.ts";

export interface Analysis {
  /** The recorded series names of the revision, to their rule (the last one of a name). */
  recorded: Map<string, RecordingRuleModel>;
  /** Series names an expression reads directly, in order, without repeats. */
  reads(expr: string, grafana: boolean): string[];
  /** Every series an expression reads, through recording rules down to raw metrics, the recorded ones included. */
  readsDeep(expr: string, grafana: boolean): Set<string>;
  /** Label names of its result; undefined where they cannot be known (an unknown metric, a function not modelled). */
  labels(expr: string, grafana: boolean): ReadonlySet<string> | undefined;
  /**
   * Label values every series of its result has, where it has the label at all: those every selector of it pins with
   * the same `label="value"` (an SLO alert's `sloth_id`), unless label_replace or label_join writes the label.
   */
  pinned(expr: string, grafana: boolean): ReadonlyMap<string, string>;
}

export function analysisOf(snapshot: Snapshot, metrics: MetricModel[] = []): Analysis {
  const seriesIndex = new Map<string, MetricModel>();
  for (const metric of metrics) for (const series of metric.series) seriesIndex.set(series, metric);
  const recorded = new Map(snapshot.recordingRules.map((r) => [r.record, r]));
  const parsed = { plain: new Map<string, ParsedExpression>(), grafana: new Map<string, ParsedExpression>() };
  const parse = (text: string, options: { grafana: boolean }) => {
    const cache = options.grafana ? parsed.grafana : parsed.plain;
    let found = cache.get(text);
    if (!found) cache.set(text, (found = parsePromQL(text, options)));
    return found;
  };
  const semantics: Semantics = { seriesIndex, recordingRules: recorded, parse };
  const direct = (expr: string, grafana: boolean) => [
    ...new Set(
      selectors(parse(expr, { grafana })).flatMap((s) => (s.metric === undefined ? [] : [s.metric])),
    ),
  ];
  const deep = new Map<string, Set<string>>();
  const readsDeep = (expr: string, grafana: boolean): Set<string> => {
    const key = `${grafana ? "g" : "p"}\u0000${expr}`;
    let found = deep.get(key);
    if (found) return found;
    found = new Set<string>();
    const queue = direct(expr, grafana);
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      if (found.has(name)) continue;
      found.add(name);
      const rule = recorded.get(name);
      if (rule) queue.push(...direct(rule.expr, false));
    }
    deep.set(key, found);
    return found;
  };
  // resultLabels takes `by (job)` at its word; a label no input series carries is not in the result, though.
  const recordedLabels = new Map<string, ReadonlySet<string> | undefined | null>();
  const seriesLabelsOf = (name: string): ReadonlySet<string> | undefined => {
    const rule = recorded.get(name);
    if (!rule) return seriesIndex.has(name) ? seriesLabels(name, semantics) : undefined;
    const known = recordedLabels.get(name);
    if (known === null) return undefined; // a cycle: rules/dependency's to report
    if (known !== undefined || recordedLabels.has(name)) return known;
    recordedLabels.set(name, null);
    const own = labels(rule.expr, false);
    const result = own && new Set([...own, ...Object.keys(rule.labels)]);
    recordedLabels.set(name, result);
    return result;
  };
  const labels = (expr: string, grafana: boolean): ReadonlySet<string> | undefined => {
    const tree = parse(expr, { grafana });
    if (tree.errorAt !== undefined) return undefined;
    const result = resultLabels(tree, tree.tree.topNode, semantics);
    if (!result) return undefined;
    const input = new Set<string>();
    for (const selector of selectors(tree)) {
      const carried = selector.metric === undefined ? undefined : seriesLabelsOf(selector.metric);
      if (!carried) return result;
      for (const label of carried) input.add(label);
    }
    for (const made of expr.matchAll(/label_(?:replace|join)\s*\([^,]*,\s*"([^"]+)"/g)) input.add(made[1]!);
    return new Set([...result].filter((label) => input.has(label)));
  };
  const pinned = (expr: string, grafana: boolean): ReadonlyMap<string, string> => {
    const tree = parse(expr, { grafana });
    const found = selectors(tree);
    if (tree.errorAt !== undefined || found.length === 0) return new Map();
    const pins = (selector: (typeof found)[number]) =>
      new Map(selector.matchers.filter((m) => m.op === "=").map((m) => [m.label, m.value]));
    const [first, ...rest] = found.map(pins);
    const written = new Set(
      [...expr.matchAll(/label_(?:replace|join)\s*\([^,]*,\s*"([^"]+)"/g)].map((m) => m[1]!),
    );
    return new Map(
      [...first!].filter(
        ([label, value]) =>
          label !== "__name__" && !written.has(label) && rest.every((p) => p.get(label) === value),
      ),
    );
  };
  return { recorded, reads: direct, readsDeep, labels, pinned };
}

/** The range windows an expression uses (`[5m]`, a subquery's `[1h:5m]`), string literals left out. */
export function windowsOf(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [
    ...new Set(
      [...code.matchAll(/\[\s*([^\]\s:]+)\s*(?::\s*([^\]\s]*)\s*)?\]/g)].map((m) =>
        m[2] === undefined ? m[1]! : `${m[1]}:${m[2]}`,
      ),
    ),
  ];
}
