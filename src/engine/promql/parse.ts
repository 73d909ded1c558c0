import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode, Tree } from "@lezer/common";
import { substituteVariables } from "./grafana-variables.ts";

export interface ParsedExpression {
  /** As written, Grafana variables and all. */
  text: string;
  /** What was parsed: variables replaced by same-length placeholders. */
  parsed: string;
  tree: Tree;
  /** Offset of the first syntax error, if any. */
  errorAt?: number;
}

export function parsePromQL(text: string, options: { grafana: boolean }): ParsedExpression {
  const parsed = options.grafana ? substituteVariables(text) : text;
  const tree = parser.parse(parsed);
  const result: ParsedExpression = { text, parsed, tree };
  // The first error node in document order (a cursor visits what tree.iterate would, without a callback).
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      result.errorAt = cursor.from;
      break;
    }
  } while (cursor.next());
  if (result.errorAt === undefined && parsed.trim() === "") result.errorAt = 0;
  return result;
}

/** 1-based line and column of an offset, the way editors count. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

export function nodeText(expr: ParsedExpression, node: SyntaxNode): string {
  return expr.text.slice(node.from, node.to);
}

/**
 * Several checks look at the same expression, so what they ask of it is worked out once per parsed
 * expression (treated as read-only once parsed): the nodes of each type name asked for, and the vector
 * selectors. Callers get fresh arrays; the nodes and selector infos in them are shared.
 */
interface Derived {
  byName: Map<string, SyntaxNode[]>;
  selectors?: SelectorInfo[];
}
const derived = new WeakMap<ParsedExpression, Derived>();

function derivedOf(expr: ParsedExpression): Derived {
  let entry = derived.get(expr);
  if (!entry) derived.set(expr, (entry = { byName: new Map() }));
  return entry;
}

/** Every node of a given type name, in source order. */
export function nodesNamed(expr: ParsedExpression, name: string): SyntaxNode[] {
  const { byName } = derivedOf(expr);
  let found = byName.get(name);
  if (!found) {
    found = [];
    const cursor = expr.tree.cursor();
    do {
      if (cursor.name === name) found.push(cursor.node);
    } while (cursor.next());
    byName.set(name, found);
  }
  return found.slice();
}

export interface SelectorInfo {
  node: SyntaxNode;
  /** Metric name, from the identifier or a `__name__="..."` matcher. */
  metric?: string;
  metricNode?: SyntaxNode;
  matchers: Array<{ label: string; op: string; value: string; node: SyntaxNode }>;
}

function unquote(literal: string): string {
  if (literal.startsWith("`")) return literal.slice(1, -1);
  try {
    return JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/"/g, '\\"')}"` : literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

/** Every vector selector with its metric name and label matchers. */
export function selectors(expr: ParsedExpression): SelectorInfo[] {
  const entry = derivedOf(expr);
  entry.selectors ??= findSelectors(expr);
  return entry.selectors.slice();
}

/** The first child of each type name asked for (what `node.getChild(name)` gives), in one pass over the children. */
function firstChildren<Name extends string>(node: SyntaxNode, names: readonly Name[]): Partial<Record<Name, SyntaxNode>> {
  const found: Partial<Record<string, SyntaxNode>> = {};
  const cursor = node.cursor();
  if (cursor.firstChild()) {
    do {
      const name = cursor.name;
      if ((names as readonly string[]).includes(name) && found[name] === undefined) found[name] = cursor.node;
    } while (cursor.nextSibling());
  }
  return found;
}

const selectorParts = ["Identifier", "LabelMatchers"] as const;
const matcherParts = ["LabelName", "QuotedLabelName", "MatchOp", "StringLiteral"] as const;

function findSelectors(expr: ParsedExpression): SelectorInfo[] {
  return nodesNamed(expr, "VectorSelector").map((node) => {
    const info: SelectorInfo = { node, matchers: [] };
    const { Identifier: identifier, LabelMatchers: matchers } = firstChildren(node, selectorParts);
    if (identifier) {
      info.metric = nodeText(expr, identifier);
      info.metricNode = identifier;
    }
    // A quoted metric name inside braces: {"metric_name", job="x"} (Prometheus 3 syntax).
    let quotedName: SyntaxNode | undefined;
    const cursor = matchers?.cursor();
    if (cursor?.firstChild()) {
      do {
        const name = cursor.name;
        if (name === "QuotedLabelName") quotedName ??= cursor.node;
        if (!name.endsWith("LabelMatcher")) continue;
        const child = cursor.node;
        const parts = firstChildren(child, matcherParts);
        const label = parts.LabelName ?? parts.QuotedLabelName;
        const op = parts.MatchOp;
        const value = parts.StringLiteral;
        if (!label || !op || !value) continue;
        const labelText = parts.LabelName ? nodeText(expr, label) : unquote(nodeText(expr, label));
        const matcher = { label: labelText, op: nodeText(expr, op), value: unquote(nodeText(expr, value)), node: child };
        info.matchers.push(matcher);
        if (labelText === "__name__" && matcher.op === "=" && !info.metric) {
          info.metric = matcher.value;
          info.metricNode = value;
        }
      } while (cursor.nextSibling());
    }
    if (!info.metric && quotedName) {
      info.metric = unquote(nodeText(expr, quotedName));
      info.metricNode = quotedName;
    }
    return info;
  });
}

/**
 * The range-vector argument of a function call, looking through offset and @ modifiers:
 * `rate(x[5m] offset 1h)` -> the MatrixSelector. Subqueries are returned as they are.
 */
export function rangeArgument(call: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | null | undefined = call.getChild("FunctionCallBody");
  while (node) {
    const found = node.getChild("MatrixSelector") ?? node.getChild("SubqueryExpr");
    if (found) return found;
    node = node.getChild("OffsetExpr") ?? node.getChild("StepInvariantExpr");
  }
  return undefined;
}
