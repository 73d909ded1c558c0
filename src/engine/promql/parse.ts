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
  tree.iterate({
    enter: (node) => {
      if (result.errorAt !== undefined) return false;
      if (node.type.isError) result.errorAt = node.from;
      return undefined;
    },
  });
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

/** Every node of a given type name, in source order. */
export function nodesNamed(expr: ParsedExpression, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  expr.tree.iterate({
    enter: (node) => {
      if (node.name === name) found.push(node.node);
    },
  });
  return found;
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
  return nodesNamed(expr, "VectorSelector").map((node) => {
    const info: SelectorInfo = { node, matchers: [] };
    const identifier = node.getChild("Identifier");
    if (identifier) {
      info.metric = nodeText(expr, identifier);
      info.metricNode = identifier;
    }
    const matchers = node.getChild("LabelMatchers");
    for (let child = matchers?.firstChild; child; child = child.nextSibling) {
      if (!child.name.endsWith("LabelMatcher")) continue;
      const label = child.getChild("LabelName") ?? child.getChild("QuotedLabelName");
      const op = child.getChild("MatchOp");
      const value = child.getChild("StringLiteral");
      if (!label || !op || !value) continue;
      const labelText = child.getChild("LabelName") ? nodeText(expr, label) : unquote(nodeText(expr, label));
      const matcher = { label: labelText, op: nodeText(expr, op), value: unquote(nodeText(expr, value)), node: child };
      info.matchers.push(matcher);
      if (labelText === "__name__" && matcher.op === "=" && !info.metric) {
        info.metric = matcher.value;
        info.metricNode = value;
      }
    }
    // A quoted metric name inside braces: {"metric_name", job="x"} (Prometheus 3 syntax).
    const quotedName = matchers?.getChild("QuotedLabelName");
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
