/**
 * The metrics imported queries read that the catalog does not declare, with a type inferred from their names and
 * how the queries use them, and the labels the queries name. Nothing else is known, so nothing else is written:
 * the entries are `importedMetric()`s, which `catalog/unreviewed` reports until someone reviews them.
 */
import type { SyntaxNode } from "@lezer/common";
import type { MetricType } from "../define/catalog.ts";
import { nodesNamed, parseKept, selectors, type ParsedExpression } from "../promql/parse.ts";

export interface InferredMetric {
  name: string;
  type: MetricType;
  labels: string[];
  buckets?: number[];
  inferred: string;
}

/** What the queries say about one series name. */
interface Use {
  labels: Set<string>;
  rated: boolean;
  quantile: boolean;
  leValues: Set<number>;
}

const counterFunctions = new Set(["rate", "irate", "increase", "resets"]);
/** Labels the scrape adds, or a histogram's and a summary's own: implied by the type. */
const impliedLabels = new Set(["job", "instance", "le", "quantile", "__name__"]);

function enclosingCalls(expr: ParsedExpression, node: SyntaxNode): string[] {
  const names: string[] = [];
  for (let at: SyntaxNode | null = node.parent; at; at = at.parent) {
    if (at.name !== "FunctionCall") continue;
    const identifier = at.getChild("FunctionIdentifier");
    if (identifier) names.push(expr.text.slice(identifier.from, identifier.to));
  }
  return names;
}

/** Reads every expression's series names (those `isDeclared` does not know) into uses. */
export class MetricUsage {
  private readonly uses = new Map<string, Use>();

  constructor(private readonly isDeclared: (series: string) => boolean) {}

  /** Adds one expression; returns the offset of its syntax error, if it does not parse. */
  add(text: string, options: { grafana: boolean }): number | undefined {
    const expr = parseKept(text, options);
    if (expr.errorAt !== undefined) return expr.errorAt;
    const grouped = new Set<string>();
    // by (...), without (...), on (...), ignoring (...), group_left (...): labels the series carry.
    for (const node of nodesNamed(expr, "GroupingLabels")) {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        const label = expr.text.slice(child.from, child.to);
        if (child.name === "LabelName") grouped.add(label);
        else if (child.name === "QuotedLabelName" || child.name === "StringLiteral")
          grouped.add(label.slice(1, -1));
      }
    }
    const found = selectors(expr);
    for (const selector of found) {
      const name = selector.metric;
      // A recorded series (`job:x:rate5m`) is declared by its recording rule, not the catalog.
      if (!name || name.includes(":") || this.isDeclared(name)) continue;
      let use = this.uses.get(name);
      if (!use)
        this.uses.set(
          name,
          (use = { labels: new Set(), rated: false, quantile: false, leValues: new Set() }),
        );
      for (const m of selector.matchers) {
        if (m.label === "le" && m.op === "=" && Number.isFinite(Number(m.value)))
          use.leValues.add(Number(m.value));
        use.labels.add(m.label);
      }
      for (const label of grouped) use.labels.add(label);
      const calls = enclosingCalls(expr, selector.node);
      if (calls.some((fn) => counterFunctions.has(fn))) use.rated = true;
      if (calls.includes("histogram_quantile")) use.quantile = true;
    }
    return undefined;
  }

  /** A query variable's `label_values(metric, label)`: the metric carries the label. */
  addLabel(series: string, label: string): void {
    if (series.includes(":") || this.isDeclared(series)) return;
    let use = this.uses.get(series);
    if (!use)
      this.uses.set(
        series,
        (use = { labels: new Set(), rated: false, quantile: false, leValues: new Set() }),
      );
    use.labels.add(label);
  }

  /** One entry per metric, histograms and summaries gathering their series; sorted by name. */
  metrics(): InferredMetric[] {
    const out: InferredMetric[] = [];
    const taken = new Set<string>();
    const base = (name: string, suffix: string) =>
      name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    const names = [...this.uses.keys()].sort();
    // Histograms first: a _bucket read with le or by histogram_quantile() claims its _sum and _count.
    for (const name of names) {
      const root = base(name, "_bucket");
      const use = this.uses.get(name)!;
      if (!root || !(use.labels.has("le") || use.quantile)) continue;
      const series = [name, `${root}_sum`, `${root}_count`].filter((s) => this.uses.has(s));
      series.forEach((s) => taken.add(s));
      out.push({
        name: root,
        type: "histogram",
        labels: this.labelsOf(series),
        buckets: [...use.leValues].sort((a, b) => a - b),
        inferred: use.quantile ? "_bucket read by histogram_quantile()" : "_bucket read with le",
      });
    }
    // Summaries: x with quantile, or x_sum and x_count together without buckets.
    for (const name of names) {
      if (taken.has(name)) continue;
      const quantiled = this.uses.get(name)!.labels.has("quantile");
      const root = quantiled ? name : (base(name, "_sum") ?? base(name, "_count"));
      if (!root || taken.has(root)) continue;
      const series = [root, `${root}_sum`, `${root}_count`].filter((s) => this.uses.has(s) && !taken.has(s));
      const pair = this.uses.has(`${root}_sum`) && this.uses.has(`${root}_count`);
      if (!quantiled && !pair) continue;
      if (quantiled && !name.endsWith("_sum") && !name.endsWith("_count")) {
        series.forEach((s) => taken.add(s));
        out.push({
          name: root,
          type: "summary",
          labels: this.labelsOf(series),
          inferred: "read with a quantile label",
        });
      } else if (pair && !this.uses.has(`${root}_bucket`)) {
        series.forEach((s) => taken.add(s));
        out.push({
          name: root,
          type: "summary",
          labels: this.labelsOf(series),
          inferred: "_sum and _count read together, no _bucket",
        });
      }
    }
    for (const name of names) {
      if (taken.has(name)) continue;
      const use = this.uses.get(name)!;
      const total = name.endsWith("_total");
      const counter = total || use.rated;
      const inferred = counter
        ? [total && "ends in _total", use.rated && "read with rate() or increase()"]
            .filter(Boolean)
            .join("; ")
        : "no _total, _bucket or _sum/_count suffix, not read with rate()";
      out.push({ name, type: counter ? "counter" : "gauge", labels: this.labelsOf([name]), inferred });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private labelsOf(series: string[]): string[] {
    const labels = new Set<string>();
    for (const s of series) for (const label of this.uses.get(s)?.labels ?? []) labels.add(label);
    return [...labels].filter((l) => !impliedLabels.has(l)).sort();
  }
}
