/**
 * What the catalog lets us know about a PromQL expression offline: the kind of each series a selector
 * reads (counter, gauge, histogram bucket, ...) and the labels an expression's result carries.
 */
import type { SyntaxNode } from "@lezer/common";
import type { MetricModel, RecordingRuleModel } from "../model.ts";
import { parsePromQL, selectors, type ParsedExpression } from "./parse.ts";

export type SeriesKind = "counter" | "gauge" | "monotonic-gauge" | "bucket" | "summary-quantile" | "recorded" | "recorded-bucket-rate" | "unknown";

/** What the catalog and the recording rules say; read-only once made (what is derived from it is memoized). */
export interface Semantics {
  seriesIndex: Map<string, MetricModel>;
  recordingRules: Map<string, RecordingRuleModel>;
  /** How recording rules' expressions are parsed: a check run passes its shared parses. Default parsePromQL. */
  parse?(text: string, options: { grafana: boolean }): ParsedExpression;
}

export function seriesKind(name: string, sem: Semantics): SeriesKind {
  const recorded = sem.recordingRules.get(name);
  if (recorded) return /_bucket:rate/.test(name) ? "recorded-bucket-rate" : "recorded";
  const metric = sem.seriesIndex.get(name);
  if (!metric) return "unknown";
  if (metric.type === "histogram") return name.endsWith("_bucket") ? "bucket" : "counter";
  if (metric.type === "summary") return name === metric.name ? "summary-quantile" : "counter";
  if (metric.type === "gauge") return metric.monotonic ? "monotonic-gauge" : "gauge";
  return "counter";
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
  if (recordedDepth >= maxRecordedDepth) return undefined;
  const expr = parseRule(sem, recorded);
  if (expr.errorAt !== undefined) return undefined;
  recordedDepth++;
  try {
    const labels = resultLabels(expr, expr.tree.topNode, sem, seen);
    if (!labels) return undefined;
    return new Set([...labels, ...Object.keys(recorded.labels)]);
  } finally {
    recordedDepth--;
  }
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

/** Functions whose result keeps the labels of their (last) vector argument. */
const labelPreserving = new Set([
  "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "resets", "changes", "abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt",
  "clamp", "clamp_min", "clamp_max", "sort", "sort_desc", "timestamp", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
  "last_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "present_over_time", "holt_winters", "label_replace", "label_join",
]);

/**
 * How many recording rules deep the labels of a recorded series are followed (a rule reading a rule reading ...):
 * deeper than this, they are unknown, and the checks that need them pass over them.
 */
const maxRecordedDepth = 200;
let recordedDepth = 0;

/** What resultLabels worked out for a node, with `seen` empty when it started: its labels, and what it added to `seen`. */
interface KnownLabels {
  labels: ReadonlySet<string> | undefined;
  visited: string[];
}
/** Per Semantics and expression, by nodeKey. */
const labelMemos = new WeakMap<Semantics, WeakMap<ParsedExpression, Map<string, KnownLabels>>>();

const nodeKey = (node: SyntaxNode) => `${node.from},${node.to},${node.type.id}`;
const none: ReadonlySet<string> = new Set();

/** What a node's labels are made of: the nodes whose labels it needs, in the order they are worked out, and how. */
interface LabelsPlan {
  inputs: SyntaxNode[];
  combine(results: Array<ReadonlySet<string> | undefined>): ReadonlySet<string> | undefined;
}

function labelsPlan(expr: ParsedExpression, node: SyntaxNode, sem: Semantics, seen: Set<string>): LabelsPlan | { labels: ReadonlySet<string> | undefined } {
  const first = ([labels]: Array<ReadonlySet<string> | undefined>) => labels;
  switch (node.name) {
    case "PromQL":
      return node.firstChild ? { inputs: [node.firstChild], combine: first } : { labels: undefined };
    case "ParenExpr":
    case "OffsetExpr":
    case "StepInvariantExpr":
    case "SubqueryExpr":
    case "MatrixSelector":
    case "UnaryExpr": {
      const inner = [...children(node)].find((c) => isExpression(c));
      return inner ? { inputs: [inner], combine: first } : { labels: undefined };
    }
    case "VectorSelector": {
      const identifier = node.getChild("Identifier");
      return { labels: identifier ? seriesLabels(text(expr, identifier), sem, seen) : undefined };
    }
    case "NumberDurationLiteral":
    case "NumberLiteral":
    case "StringLiteral":
      return { labels: none };
    case "AggregateExpr": {
      const op = text(expr, node.firstChild!);
      const modifier = node.getChild("AggregateModifier");
      const args = [...children(node.getChild("FunctionCallBody"))].filter(isExpression);
      const combine = ([inner]: Array<ReadonlySet<string> | undefined>) => {
        if (["topk", "bottomk", "limitk", "limit_ratio"].includes(op)) return inner;
        if (!modifier) return none;
        const listed = groupingLabels(expr, modifier);
        if (modifier.getChild("By")) return new Set(listed);
        if (!inner) return undefined;
        return new Set([...inner].filter((l) => !listed.includes(l)));
      };
      return { inputs: args.length ? [args[args.length - 1]!] : [], combine };
    }
    case "FunctionCall": {
      const name = text(expr, node.getChild("FunctionIdentifier")!);
      const args = [...children(node.getChild("FunctionCallBody"))].filter(isExpression);
      if (name === "histogram_quantile") {
        return { inputs: args[1] ? [args[1]] : [], combine: ([inner]) => (inner ? new Set([...inner].filter((l) => l !== "le")) : undefined) };
      }
      if (["vector", "time", "scalar", "pi"].includes(name)) return { labels: none };
      if (!labelPreserving.has(name)) return { labels: undefined };
      const vector = args.find((a) => !["NumberDurationLiteral", "StringLiteral"].includes(a.name));
      const combine = ([inner]: Array<ReadonlySet<string> | undefined>) => {
        if (inner && (name === "label_replace" || name === "label_join")) {
          const target = args[1] ? text(expr, args[1]).slice(1, -1) : undefined;
          // The inner set may be shared (seriesLabels): add to a copy.
          if (target) return new Set(inner).add(target);
        }
        return inner;
      };
      return { inputs: vector ? [vector] : [], combine };
    }
    case "BinaryExpr": {
      const [left, right] = [...children(node)].filter(isExpression);
      if (!left || !right) return { labels: undefined };
      const combine = ([l, r]: Array<ReadonlySet<string> | undefined>) => {
        if (l && l.size === 0 && isScalar(left, expr)) return r;
        if (r && r.size === 0 && isScalar(right, expr)) return l;
        if (node.getChild("MatchingModifierClause")?.getChild("GroupRight")) return r;
        return l;
      };
      return { inputs: [left, right], combine };
    }
    default:
      return { labels: undefined };
  }
}

/**
 * Labels of an expression's result; undefined where we cannot know (an unknown metric, a function we do not model).
 * Scalars have no labels (an empty set).
 *
 * Worked out without recursion, so that a chain of ten thousand operators is no deeper to follow than one; and a
 * node worked out while `seen` was empty is kept (with what it added to `seen`), so that the checks asking for the
 * labels of every operand of such a chain ask in linear time, not quadratic.
 */
export function resultLabels(expr: ParsedExpression, node: SyntaxNode, sem: Semantics, seen = new Set<string>()): ReadonlySet<string> | undefined {
  let perSem = labelMemos.get(sem);
  if (!perSem) labelMemos.set(sem, (perSem = new WeakMap()));
  let memo = perSem.get(expr);
  if (!memo) perSem.set(expr, (memo = new Map()));

  interface Frame extends LabelsPlan {
    key?: string;
    results: Array<ReadonlySet<string> | undefined>;
  }
  const frames: Frame[] = [];
  /** The labels of `at`, when known at once (a leaf, or kept); otherwise its frame is pushed and undefined... */
  const start = (at: SyntaxNode): { labels: ReadonlySet<string> | undefined } | undefined => {
    const key = seen.size === 0 ? nodeKey(at) : undefined;
    const known = key === undefined ? undefined : memo.get(key);
    if (known) {
      for (const name of known.visited) seen.add(name);
      return { labels: known.labels };
    }
    const plan = labelsPlan(expr, at, sem, seen);
    if ("labels" in plan) {
      if (key !== undefined) memo.set(key, { labels: plan.labels, visited: [...seen] });
      return plan;
    }
    frames.push(key === undefined ? { ...plan, results: [] } : { ...plan, key, results: [] });
    return undefined;
  };
  const top = start(node);
  if (top) return top.labels;
  for (;;) {
    const frame = frames[frames.length - 1]!;
    if (frame.results.length < frame.inputs.length) {
      const done = start(frame.inputs[frame.results.length]!);
      if (done) frame.results.push(done.labels);
      continue;
    }
    const labels = frame.combine(frame.results);
    // `seen` was empty when this frame started: all it holds now, this frame added.
    if (frame.key !== undefined) memo.set(frame.key, { labels, visited: [...seen] });
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
  "AggregateExpr", "BinaryExpr", "FunctionCall", "MatrixSelector", "NumberDurationLiteral", "NumberLiteral", "OffsetExpr", "ParenExpr", "StringLiteral",
  "SubqueryExpr", "UnaryExpr", "VectorSelector", "StepInvariantExpr",
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
  let memo = expr && scalarMemos.get(expr);
  if (expr && !memo) scalarMemos.set(expr, (memo = new Map()));
  /** Whether the node is a scalar by itself (true/false), or as its expression children are (their list). */
  const own = (at: SyntaxNode): boolean | SyntaxNode[] => {
    if (at.name === "NumberDurationLiteral" || at.name === "NumberLiteral") return true;
    if (at.name === "ParenExpr" || at.name === "UnaryExpr" || at.name === "BinaryExpr") return [...children(at)].filter(isExpression);
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
