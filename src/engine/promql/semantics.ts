/**
 * What the catalog lets us know about a PromQL expression offline: the kind of each series a selector
 * reads (counter, gauge, histogram bucket, ...) and the labels an expression's result carries.
 */
import type { SyntaxNode } from "@lezer/common";
import type { MetricModel, RecordingRuleModel } from "../model.ts";
import { parsePromQL, selectors, type ParsedExpression } from "./parse.ts";

export type SeriesKind =
  | "counter"
  | "gauge"
  | "monotonic-gauge"
  | "bucket"
  | "summary-quantile"
  | "recorded"
  | "recorded-bucket-rate"
  | "unknown";

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

/** Per Semantics: recorded series' labels (undefined: unknown), the recorded names each rule reads, raw series' labels. */
interface Memo {
  recorded: Map<string, ReadonlySet<string> | undefined>;
  reads: Map<string, string[]>;
  raw: Map<string, Set<string>>;
}
const memos = new WeakMap<Semantics, Memo>();

function memoOf(sem: Semantics): Memo {
  let memo = memos.get(sem);
  if (!memo) memos.set(sem, (memo = { recorded: new Map(), reads: new Map(), raw: new Map() }));
  return memo;
}

const parseRule = (sem: Semantics, rule: RecordingRuleModel) =>
  (sem.parse ?? parsePromQL)(rule.expr, { grafana: false });

/** The recorded names a rule's expression reads, once per Semantics. */
function readsOf(name: string, sem: Semantics, memo: Memo): string[] {
  let reads = memo.reads.get(name);
  if (!reads) {
    const expr = parseRule(sem, sem.recordingRules.get(name)!);
    reads = selectors(expr).flatMap((s) =>
      s.metric !== undefined && sem.recordingRules.has(s.metric) ? [s.metric] : [],
    );
    memo.reads.set(name, reads);
  }
  return reads;
}

/**
 * Labels a raw series carries: the catalog's, the scrape's, and `le`/`quantile` where they apply. A recorded
 * series carries its rule's result labels and static labels; one whose rule depends on itself, through any
 * number of rules, is unknown.
 *
 * A series' labels are worked out once per Semantics, and the set is shared: callers must not change it.
 */
export function seriesLabels(name: string, sem: Semantics): ReadonlySet<string> | undefined {
  const memo = memoOf(sem);
  if (sem.recordingRules.has(name)) {
    if (!memo.recorded.has(name)) workOutRecorded(name, sem, memo);
    return memo.recorded.get(name);
  }
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

/**
 * Works out the labels of a recorded series and of every recorded series its rule reads, transitively: rules read
 * before the rules that read them, by a depth-first walk of its own (not the call stack, for a chain of ten
 * thousand rules), so that each rule's expression finds the labels of what it reads already known. Rules that
 * depend on themselves (each rule of a cycle) are unknown, and so is what needs them.
 */
function workOutRecorded(start: string, sem: Semantics, memo: Memo): void {
  const path: Array<{ name: string; next: number }> = [{ name: start, next: 0 }];
  const onPath = new Set([start]);
  const cyclic = new Set<string>();
  while (path.length) {
    const top = path[path.length - 1]!;
    const reads = readsOf(top.name, sem, memo);
    if (top.next < reads.length) {
      const read = reads[top.next++]!;
      if (onPath.has(read)) {
        // A cycle: every rule on the path from `read` up to here depends on itself.
        for (let i = path.length - 1; i >= 0 && path[i]!.name !== read; i--) cyclic.add(path[i]!.name);
        cyclic.add(read);
      } else if (!memo.recorded.has(read)) {
        path.push({ name: read, next: 0 });
        onPath.add(read);
      }
      continue;
    }
    path.pop();
    onPath.delete(top.name);
    memo.recorded.set(
      top.name,
      cyclic.has(top.name) ? undefined : recordedLabels(sem.recordingRules.get(top.name)!, sem),
    );
  }
}

/** A recorded series' labels, once the labels of what its rule reads are known (or unknown, for a cycle). */
function recordedLabels(recorded: RecordingRuleModel, sem: Semantics): Set<string> | undefined {
  const expr = parseRule(sem, recorded);
  if (expr.errorAt !== undefined) return undefined;
  const labels = resultLabels(expr, expr.tree.topNode, sem);
  if (!labels) return undefined;
  return new Set([...labels, ...Object.keys(recorded.labels)]);
}

const text = (expr: ParsedExpression, node: SyntaxNode) => expr.text.slice(node.from, node.to);

export function groupingLabels(expr: ParsedExpression, node: SyntaxNode | null): string[] {
  const grouping = node?.getChild("GroupingLabels");
  const labels: string[] = [];
  for (let child = grouping?.firstChild; child; child = child.nextSibling) {
    if (child.name === "LabelName") labels.push(text(expr, child));
    else if (child.name === "QuotedLabelName" || child.name === "StringLiteral")
      labels.push(text(expr, child).slice(1, -1));
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
    else if (child.name === "QuotedLabelName" || child.name === "StringLiteral")
      labels.push(text(expr, child).slice(1, -1));
  }
  return labels;
}

/** Functions whose result keeps the labels of their (last) vector argument. */
const labelPreserving = new Set([
  "rate",
  "irate",
  "increase",
  "delta",
  "idelta",
  "deriv",
  "predict_linear",
  "resets",
  "changes",
  "abs",
  "ceil",
  "floor",
  "round",
  "exp",
  "ln",
  "log2",
  "log10",
  "sqrt",
  "clamp",
  "clamp_min",
  "clamp_max",
  "sort",
  "sort_desc",
  "timestamp",
  "avg_over_time",
  "min_over_time",
  "max_over_time",
  "sum_over_time",
  "count_over_time",
  "last_over_time",
  "quantile_over_time",
  "stddev_over_time",
  "stdvar_over_time",
  "present_over_time",
  "holt_winters",
  "label_replace",
  "label_join",
]);

/** Per Semantics and expression, by nodeKey: the labels worked out for a node. */
const labelMemos = new WeakMap<
  Semantics,
  WeakMap<ParsedExpression, Map<string, ReadonlySet<string> | undefined>>
>();
/**
 * Expressions this long keep what resultLabels and isScalar work out for each node. A shorter one has too few
 * operators for asking again to cost much, and keeping would cost more.
 */
const memoizeFrom = 2000;

const nodeKey = (node: SyntaxNode) => `${node.from},${node.to},${node.type.id}`;
const none: ReadonlySet<string> = new Set();
type Labels = ReadonlySet<string> | undefined;

/**
 * What a node's labels are made of: the nodes whose labels it needs, in the order they are worked out, and how
 * they combine (by `kind`, in combineLabels).
 */
type LabelsPlan = { node: SyntaxNode; inputs: SyntaxNode[] } & (
  | { kind: "same" }
  | { kind: "aggregate"; op: string; modifier: SyntaxNode | null }
  | { kind: "histogram_quantile" }
  | { kind: "function"; name: string; args: SyntaxNode[] }
  | { kind: "binary"; left: SyntaxNode; right: SyntaxNode }
);

function labelsPlan(
  expr: ParsedExpression,
  node: SyntaxNode,
  sem: Semantics,
): LabelsPlan | { labels: Labels } {
  switch (node.name) {
    case "PromQL":
      return node.firstChild ? { kind: "same", node, inputs: [node.firstChild] } : { labels: undefined };
    case "ParenExpr":
    case "OffsetExpr":
    case "StepInvariantExpr":
    case "SubqueryExpr":
    case "MatrixSelector":
    case "UnaryExpr": {
      const inner = [...children(node)].find((c) => isExpression(c));
      return inner ? { kind: "same", node, inputs: [inner] } : { labels: undefined };
    }
    case "VectorSelector": {
      const identifier = node.getChild("Identifier");
      return { labels: identifier ? seriesLabels(text(expr, identifier), sem) : undefined };
    }
    case "NumberDurationLiteral":
    case "NumberLiteral":
    case "StringLiteral":
      return { labels: none };
    case "AggregateExpr": {
      const args = [...children(node.getChild("FunctionCallBody"))].filter(isExpression);
      return {
        kind: "aggregate",
        node,
        inputs: args.length ? [args[args.length - 1]!] : [],
        op: text(expr, node.firstChild!),
        modifier: node.getChild("AggregateModifier"),
      };
    }
    case "FunctionCall": {
      const name = text(expr, node.getChild("FunctionIdentifier")!);
      const args = [...children(node.getChild("FunctionCallBody"))].filter(isExpression);
      if (name === "histogram_quantile")
        return { kind: "histogram_quantile", node, inputs: args[1] ? [args[1]] : [] };
      if (["vector", "time", "scalar", "pi"].includes(name)) return { labels: none };
      if (!labelPreserving.has(name)) return { labels: undefined };
      const vector = args.find((a) => !["NumberDurationLiteral", "StringLiteral"].includes(a.name));
      return { kind: "function", node, inputs: vector ? [vector] : [], name, args };
    }
    case "BinaryExpr": {
      const [left, right] = [...children(node)].filter(isExpression);
      if (!left || !right) return { labels: undefined };
      return { kind: "binary", node, inputs: [left, right], left, right };
    }
    default:
      return { labels: undefined };
  }
}

/** A node's labels from those of its plan's inputs. */
function combineLabels(expr: ParsedExpression, plan: LabelsPlan, [first, second]: Labels[]): Labels {
  switch (plan.kind) {
    case "same":
      return first;
    case "aggregate": {
      const { op, modifier } = plan;
      if (["topk", "bottomk", "limitk", "limit_ratio"].includes(op)) return first;
      if (!modifier) return none;
      const listed = groupingLabels(expr, modifier);
      if (modifier.getChild("By")) return new Set(listed);
      if (!first) return undefined;
      return new Set([...first].filter((l) => !listed.includes(l)));
    }
    case "histogram_quantile":
      return first ? new Set([...first].filter((l) => l !== "le")) : undefined;
    case "function": {
      const { name, args } = plan;
      if (first && (name === "label_replace" || name === "label_join")) {
        const target = args[1] ? text(expr, args[1]).slice(1, -1) : undefined;
        // The inner set may be shared (seriesLabels): add to a copy.
        if (target) return new Set(first).add(target);
      }
      return first;
    }
    case "binary": {
      if (first && first.size === 0 && isScalar(plan.left, expr)) return second;
      if (second && second.size === 0 && isScalar(plan.right, expr)) return first;
      // As Prometheus labels the result (engine.go, resultMetric): `and`, `unless` (and here `or`) keep the left side's;
      // group_left/group_right the "many" side's, plus the labels they copy from the other; one-to-one matching
      // keeps only the on() labels, or drops the ignoring() ones.
      const { node } = plan;
      const clause = node.getChild("MatchingModifierClause");
      if (!clause || node.getChild("And") || node.getChild("Unless") || node.getChild("Or")) return first;
      const many = clause.getChild("GroupRight") ? second : clause.getChild("GroupLeft") ? first : undefined;
      if (many) return new Set([...many, ...includedLabels(expr, clause)]);
      if (clause.getChild("GroupRight") || clause.getChild("GroupLeft") || !first) return undefined;
      const listed = groupingLabels(expr, clause);
      return new Set([...first].filter((label) => listed.includes(label) === !!clause.getChild("On")));
    }
  }
}

/**
 * Labels of an expression's result; undefined where we cannot know (an unknown metric, a function we do not model).
 * Scalars have no labels (an empty set).
 *
 * Worked out without recursion, so that a chain of ten thousand operators is no deeper to follow than one; and, in
 * a long expression, kept for every node worked out, so that the checks asking for the labels of every operand of
 * such a chain ask in linear time, not quadratic.
 */
export function resultLabels(expr: ParsedExpression, node: SyntaxNode, sem: Semantics): Labels {
  let memo: Map<string, Labels> | undefined;
  if (expr.parsed.length >= memoizeFrom) {
    let perSem = labelMemos.get(sem);
    if (!perSem) labelMemos.set(sem, (perSem = new WeakMap()));
    memo = perSem.get(expr);
    if (!memo) perSem.set(expr, (memo = new Map()));
  }
  const frames: Array<{ plan: LabelsPlan; key: string | undefined; results: Labels[] }> = [];
  /** The labels of `at` when they are known at once (kept, or a leaf); otherwise its frame is pushed. */
  const start = (at: SyntaxNode): { labels: Labels } | undefined => {
    const key = memo && nodeKey(at);
    if (key !== undefined && memo!.has(key)) return { labels: memo!.get(key) };
    const plan = labelsPlan(expr, at, sem);
    if ("labels" in plan) {
      if (key !== undefined) memo!.set(key, plan.labels);
      return plan;
    }
    frames.push({ plan, key, results: [] });
    return undefined;
  };
  const top = start(node);
  if (top) return top.labels;
  for (;;) {
    const frame = frames[frames.length - 1]!;
    if (frame.results.length < frame.plan.inputs.length) {
      const done = start(frame.plan.inputs[frame.results.length]!);
      if (done) frame.results.push(done.labels);
      continue;
    }
    const labels = combineLabels(expr, frame.plan, frame.results);
    if (frame.key !== undefined) memo!.set(frame.key, labels);
    frames.pop();
    const parent = frames[frames.length - 1];
    if (!parent) return labels;
    parent.results.push(labels);
  }
}

function* children(node: SyntaxNode | null | undefined): Generator<SyntaxNode> {
  for (let child = node?.firstChild; child; child = child.nextSibling) yield child;
}

const expressionNodes = new Set([
  "AggregateExpr",
  "BinaryExpr",
  "FunctionCall",
  "MatrixSelector",
  "NumberDurationLiteral",
  "NumberLiteral",
  "OffsetExpr",
  "ParenExpr",
  "StringLiteral",
  "SubqueryExpr",
  "UnaryExpr",
  "VectorSelector",
  "StepInvariantExpr",
]);

export function isExpression(node: SyntaxNode): boolean {
  return expressionNodes.has(node.name);
}

const scalarMemos = new WeakMap<ParsedExpression, Map<string, boolean>>();

/**
 * A number, or arithmetic of numbers: no vector involved. Without recursion; given the expression, the answer for
 * each node is kept, so that asking it of every operand of a long chain stays linear.
 */
export function isScalar(node: SyntaxNode, expr?: ParsedExpression): boolean {
  // Most nodes asked about settle at once.
  if (node.name === "NumberDurationLiteral" || node.name === "NumberLiteral") return true;
  if (
    node.name !== "ParenExpr" &&
    node.name !== "UnaryExpr" &&
    node.name !== "BinaryExpr" &&
    node.name !== "FunctionCall"
  )
    return false;
  let memo: Map<string, boolean> | undefined;
  if (expr && expr.parsed.length >= memoizeFrom) {
    memo = scalarMemos.get(expr);
    if (!memo) scalarMemos.set(expr, (memo = new Map()));
  }
  /** Whether the node is a scalar by itself (true/false), or as its expression children are (their list). */
  const own = (at: SyntaxNode): boolean | SyntaxNode[] => {
    if (at.name === "NumberDurationLiteral" || at.name === "NumberLiteral") return true;
    if (at.name === "ParenExpr" || at.name === "UnaryExpr" || at.name === "BinaryExpr")
      return [...children(at)].filter(isExpression);
    if (at.name === "FunctionCall") {
      const name = at.getChild("FunctionIdentifier");
      return !!name && ["scalar", "time", "pi"].includes(name.firstChild?.name.toLowerCase() ?? "");
    }
    return false;
  };
  // Depth first, last child first (the right side of a chain, usually a leaf, settles a vector chain at once).
  const frames: Array<{ node: SyntaxNode; pending: SyntaxNode[] }> = [];
  let answer: boolean | undefined;
  const enter = (at: SyntaxNode) => {
    const known = memo?.get(nodeKey(at));
    const value = known ?? own(at);
    if (typeof value === "boolean") answer = value;
    else frames.push({ node: at, pending: value });
  };
  enter(node);
  while (frames.length) {
    const frame = frames[frames.length - 1]!;
    if (answer === false || frame.pending.length === 0) {
      // Every child was a scalar (or there were none), or one was not: the same for this node.
      const value = answer !== false;
      memo?.set(nodeKey(frame.node), value);
      frames.pop();
      answer = value;
      continue;
    }
    answer = undefined;
    enter(frame.pending.pop()!);
  }
  return answer!;
}

export { children };
