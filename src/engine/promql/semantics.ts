/**
 * What the catalog lets us know about a PromQL expression offline: the kind of each series a selector
 * reads (counter, gauge, histogram bucket, ...) and the labels an expression's result carries.
 */
import type { SyntaxNode } from "@lezer/common";
import type { MetricModel, RecordingRuleModel } from "../model.ts";
import { parsePromQL, selectors, type ParsedExpression } from "./parse.ts";

export type SeriesKind = "counter" | "gauge" | "monotonic-gauge" | "bucket" | "summary-quantile" | "recorded" | "recorded-bucket-rate" | "unknown";

/** A series' kind, and, when the catalog did not say it, where it comes from. */
export interface SeriesType {
  kind: SeriesKind;
  /** Set when the kind was inferred or read elsewhere, for messages: `type inferred from the name: ...`. */
  because?: string;
}

/** What the catalog and the recording rules say; read-only once made (what is derived from it is memoized). */
export interface Semantics {
  seriesIndex: Map<string, MetricModel>;
  recordingRules: Map<string, RecordingRuleModel>;
  /** How recording rules' expressions are parsed: a check run passes its shared parses. Default parsePromQL. */
  parse?(text: string, options: { grafana: boolean }): ParsedExpression;
  /**
   * The type of a series that is neither declared in the catalog nor recorded, where something else can tell it (rule
   * files from elsewhere: src/engine/check/foreign-types.ts). Without it such a series is "unknown".
   */
  inferType?(name: string): SeriesType | undefined;
  /**
   * Whether the catalog's labels are the raw series' labels (default true). Not on a rule file from elsewhere: the
   * catalog describes our targets, and another Prometheus attaches its own target labels to the same metric.
   */
  catalogLabels?: boolean;
}

export function seriesType(name: string, sem: Semantics): SeriesType {
  const recorded = sem.recordingRules.get(name);
  if (recorded) return { kind: /_bucket:rate/.test(name) ? "recorded-bucket-rate" : "recorded" };
  const metric = sem.seriesIndex.get(name);
  if (!metric) return sem.inferType?.(name) ?? { kind: "unknown" };
  if (metric.type === "histogram") return { kind: name.endsWith("_bucket") ? "bucket" : "counter" };
  if (metric.type === "summary") return { kind: name === metric.name ? "summary-quantile" : "counter" };
  if (metric.type === "gauge") return { kind: metric.monotonic ? "monotonic-gauge" : "gauge" };
  return { kind: "counter" };
}

export function seriesKind(name: string, sem: Semantics): SeriesKind {
  return seriesType(name, sem).kind;
}

/** ` (type inferred from ...)` after a series' name in a message, when its type was not the catalog's; else nothing. */
export function typeNote(type: SeriesType): string {
  return type.because ? ` (${type.because})` : "";
}

/**
 * A recorded series' labels as worked out once (seriesLabels with a `seen` that holds none of `reach`), to be
 * replayed: `visited` are the recorded names that working it out added to `seen`, in order.
 */
interface RecordedLabels {
  /** Every recorded name the work could consult `seen` about: the rule's own and those it reads, transitively. */
  reach: Set<string>;
  visited: string[];
  labels: ReadonlySet<string> | undefined;
}

/** Per Semantics: recorded series' labels, the recorded names each rule's expression reads, raw series' labels. */
interface Memo {
  recorded: Map<string, RecordedLabels>;
  reads: Map<string, string[]>;
  raw: Map<string, Set<string>>;
}
const memos = new WeakMap<Semantics, Memo>();

function memoOf(sem: Semantics): Memo {
  let memo = memos.get(sem);
  if (!memo) memos.set(sem, (memo = { recorded: new Map(), reads: new Map(), raw: new Map() }));
  return memo;
}

const parseRule = (sem: Semantics, rule: RecordingRuleModel) => (sem.parse ?? parsePromQL)(rule.expr, { grafana: false });

/** Recorded names that `name`'s rule, and the rules it reads, transitively, might look up: itself included. */
function reachOf(name: string, sem: Semantics, memo: Memo): Set<string> {
  const reach = new Set([name]);
  for (const current of reach) {
    let reads = memo.reads.get(current);
    if (!reads) {
      const expr = parseRule(sem, sem.recordingRules.get(current)!);
      reads = selectors(expr).flatMap((s) => (s.metric !== undefined && sem.recordingRules.has(s.metric) ? [s.metric] : []));
      memo.reads.set(current, reads);
    }
    for (const read of reads) reach.add(read);
  }
  return reach;
}

/** Whether `seen` holds none of `reach`, looking through the smaller of the two. */
function disjoint(reach: Set<string>, seen: Set<string>): boolean {
  if (seen.size < reach.size) {
    for (const name of seen) if (reach.has(name)) return false;
  } else {
    for (const name of reach) if (seen.has(name)) return false;
  }
  return true;
}

/**
 * Labels a raw series carries: the catalog's, the scrape's, and `le`/`quantile` where they apply. A recorded
 * series carries its rule's result labels and static labels; `seen` holds the recorded series looked up so far,
 * and one looked up again (a cycle, or the same series twice in one expression) is unknown.
 *
 * A series' labels are worked out once per Semantics, and the set is shared: callers must not change it. A
 * recorded series' labels depend on `seen` only through the recorded names its rule can reach, so while `seen`
 * holds none of them the first answer stands, and what working it out added to `seen` is added again.
 */
export function seriesLabels(name: string, sem: Semantics, seen = new Set<string>()): ReadonlySet<string> | undefined {
  const recorded = sem.recordingRules.get(name);
  if (recorded) {
    if (seen.has(name)) return undefined;
    const memo = memoOf(sem);
    const known = memo.recorded.get(name);
    if (known && disjoint(known.reach, seen)) {
      for (const visited of known.visited) seen.add(visited);
      return known.labels;
    }
    const reach = known?.reach ?? reachOf(name, sem, memo);
    const fresh = disjoint(reach, seen);
    const before = seen.size;
    const labels = recordedLabels(name, recorded, sem, seen);
    // `seen` only grows, so what this call added is its tail.
    if (fresh) memo.recorded.set(name, { reach, visited: [...seen].slice(before), labels });
    return labels;
  }
  const memo = memoOf(sem);
  let labels = memo.raw.get(name);
  if (!labels) {
    if (sem.catalogLabels === false) return undefined;
    const metric = sem.seriesIndex.get(name);
    if (!metric) return undefined;
    labels = new Set(["job", "instance", ...Object.keys(metric.labels)]);
    if (metric.type === "histogram" && name.endsWith("_bucket")) labels.add("le");
    if (metric.type === "summary" && name === metric.name) labels.add("quantile");
    memo.raw.set(name, labels);
  }
  return labels;
}

function recordedLabels(name: string, recorded: RecordingRuleModel, sem: Semantics, seen: Set<string>): Set<string> | undefined {
  seen.add(name);
  const expr = parseRule(sem, recorded);
  if (expr.errorAt !== undefined) return undefined;
  const labels = resultLabels(expr, expr.tree.topNode, sem, seen);
  if (!labels) return undefined;
  return new Set([...labels, ...Object.keys(recorded.labels)]);
}

const text = (expr: ParsedExpression, node: SyntaxNode) => expr.text.slice(node.from, node.to);

export function groupingLabels(expr: ParsedExpression, node: SyntaxNode | null): string[] {
  const grouping = node?.getChild("GroupingLabels");
  const labels: string[] = [];
  for (let child = grouping?.firstChild; child; child = child.nextSibling) {
    if (child.name === "LabelName") labels.push(text(expr, child));
    else if (child.name === "QuotedLabelName" || child.name === "StringLiteral") labels.push(text(expr, child).slice(1, -1));
  }
  return labels;
}

/** The labels group_left(...) or group_right(...) copy from the "one" side. */
function includedLabels(expr: ParsedExpression, clause: SyntaxNode): string[] {
  const group = clause.getChild("GroupLeft") ?? clause.getChild("GroupRight");
  const list = group?.nextSibling?.name === "GroupingLabels" ? group.nextSibling : null;
  const labels: string[] = [];
  for (let child = list?.firstChild; child; child = child.nextSibling) {
    if (child.name === "LabelName") labels.push(text(expr, child));
    else if (child.name === "QuotedLabelName" || child.name === "StringLiteral") labels.push(text(expr, child).slice(1, -1));
  }
  return labels;
}

/** Functions whose result keeps the labels of their (last) vector argument. */
const labelPreserving = new Set([
  "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "resets", "changes", "abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt",
  "clamp", "clamp_min", "clamp_max", "sort", "sort_desc", "timestamp", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
  "last_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "present_over_time", "holt_winters", "label_replace", "label_join",
]);

/**
 * Labels of an expression's result; undefined where we cannot know (an unknown metric, a function we do not model).
 * Scalars have no labels (an empty set).
 */
export function resultLabels(expr: ParsedExpression, node: SyntaxNode, sem: Semantics, seen = new Set<string>()): ReadonlySet<string> | undefined {
  switch (node.name) {
    case "PromQL":
      return node.firstChild ? resultLabels(expr, node.firstChild, sem, seen) : undefined;
    case "ParenExpr":
    case "OffsetExpr":
    case "StepInvariantExpr":
    case "SubqueryExpr":
    case "MatrixSelector":
    case "UnaryExpr": {
      const inner = [...children(node)].find((c) => isExpression(c));
      return inner ? resultLabels(expr, inner, sem, seen) : undefined;
    }
    case "VectorSelector": {
      const identifier = node.getChild("Identifier");
      return identifier ? seriesLabels(text(expr, identifier), sem, seen) : undefined;
    }
    case "NumberDurationLiteral":
    case "NumberLiteral":
    case "StringLiteral":
      return new Set();
    case "AggregateExpr": {
      const op = text(expr, node.firstChild!);
      const modifier = node.getChild("AggregateModifier");
      const body = node.getChild("FunctionCallBody");
      const args = [...children(body)].filter(isExpression);
      const inner = args.length ? resultLabels(expr, args[args.length - 1]!, sem, seen) : undefined;
      if (["topk", "bottomk", "limitk", "limit_ratio"].includes(op)) return inner;
      if (!modifier) return new Set();
      const listed = groupingLabels(expr, modifier);
      if (modifier.getChild("By")) return new Set(listed);
      if (!inner) return undefined;
      return new Set([...inner].filter((l) => !listed.includes(l)));
    }
    case "FunctionCall": {
      const name = text(expr, node.getChild("FunctionIdentifier")!);
      const args = [...children(node.getChild("FunctionCallBody"))].filter(isExpression);
      if (name === "histogram_quantile") {
        const inner = args[1] ? resultLabels(expr, args[1], sem, seen) : undefined;
        return inner ? new Set([...inner].filter((l) => l !== "le")) : undefined;
      }
      if (["vector", "time", "scalar", "pi"].includes(name)) return new Set();
      if (!labelPreserving.has(name)) return undefined;
      const vector = args.find((a) => !["NumberDurationLiteral", "StringLiteral"].includes(a.name));
      const inner = vector ? resultLabels(expr, vector, sem, seen) : undefined;
      if (inner && (name === "label_replace" || name === "label_join")) {
        const target = args[1] ? text(expr, args[1]).slice(1, -1) : undefined;
        // The inner set may be shared (seriesLabels): add to a copy.
        if (target) return new Set(inner).add(target);
      }
      return inner;
    }
    case "BinaryExpr": {
      const [left, right] = [...children(node)].filter(isExpression);
      if (!left || !right) return undefined;
      const l = resultLabels(expr, left, sem, seen);
      const r = resultLabels(expr, right, sem, seen);
      if (l && l.size === 0 && isScalar(left)) return r;
      if (r && r.size === 0 && isScalar(right)) return l;
      // As Prometheus labels the result (engine.go, resultMetric): `and`, `unless` (and here `or`) keep the left side's;
      // group_left/group_right the "many" side's, plus the labels they copy from the other; one-to-one matching
      // keeps only the on() labels, or drops the ignoring() ones.
      const clause = node.getChild("MatchingModifierClause");
      if (!clause || node.getChild("And") || node.getChild("Unless") || node.getChild("Or")) return l;
      const many = clause.getChild("GroupRight") ? r : clause.getChild("GroupLeft") ? l : undefined;
      if (many) return new Set([...many, ...includedLabels(expr, clause)]);
      if (clause.getChild("GroupRight") || clause.getChild("GroupLeft") || !l) return undefined;
      const listed = groupingLabels(expr, clause);
      return new Set([...l].filter((label) => listed.includes(label) === !!clause.getChild("On")));
    }
    default:
      return undefined;
  }
}

function* children(node: SyntaxNode | null | undefined): Generator<SyntaxNode> {
  for (let child = node?.firstChild; child; child = child.nextSibling) yield child;
}

const expressionNodes = new Set([
  "AggregateExpr", "BinaryExpr", "FunctionCall", "MatrixSelector", "NumberDurationLiteral", "NumberLiteral", "OffsetExpr", "ParenExpr", "StringLiteral",
  "SubqueryExpr", "UnaryExpr", "VectorSelector", "StepInvariantExpr",
]);

export function isExpression(node: SyntaxNode): boolean {
  return expressionNodes.has(node.name);
}

/** A number, or arithmetic of numbers: no vector involved. */
export function isScalar(node: SyntaxNode): boolean {
  if (node.name === "NumberDurationLiteral" || node.name === "NumberLiteral") return true;
  if (node.name === "ParenExpr" || node.name === "UnaryExpr" || node.name === "BinaryExpr") return [...children(node)].filter(isExpression).every(isScalar);
  if (node.name === "FunctionCall") {
    const name = node.getChild("FunctionIdentifier");
    return !!name && ["scalar", "time", "pi"].includes(name.firstChild?.name.toLowerCase() ?? "");
  }
  return false;
}

export { children };
