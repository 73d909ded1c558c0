import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode, Tree } from "@lezer/common";
import { findVariables, substituteVariables, type VariableUse } from "./grafana-variables.ts";

export interface ParsedExpression {
  /** As written, Grafana variables and all. */
  text: string;
  /** What was parsed: variables replaced by same-length placeholders. */
  parsed: string;
  tree: Tree;
  /** Offset of the first syntax error, if any. */
  errorAt?: number;
  /** The Grafana variables it uses, when parsed as a dashboard query (`grafana: true`). */
  variables?: VariableUse[];
}

export function parsePromQL(text: string, options: { grafana: boolean }): ParsedExpression {
  const variables = options.grafana ? findVariables(text) : undefined;
  const parsed = variables ? substituteVariables(text, variables) : text;
  const tree = parser.parse(parsed);
  const result: ParsedExpression = { text, parsed, tree };
  if (variables) result.variables = variables;
  // One walk over the tree: the first error node in document order (the cursor visits what tree.iterate
  // would), and the nodes of the types the checks ask every expression for.
  const common: SyntaxNode[][] = commonNames.map(() => []);
  const cursor = tree.cursor();
  do {
    const type = cursor.type;
    if (type.isError && result.errorAt === undefined) result.errorAt = cursor.from;
    const index = commonIndex[type.id]!;
    if (index >= 0) common[index]!.push(cursor.node);
  } while (cursor.next());
  if (result.errorAt === undefined && parsed.trim() === "") result.errorAt = 0;
  Object.defineProperty(result, derivedKey, { value: { common } satisfies Derived });
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
 * selectors. Callers get fresh arrays; the nodes and selector infos in them are shared. It is kept on the
 * parsed expression itself, under a key of this module's own, not enumerable.
 */
interface Derived {
  /** Nodes by type name, for the names asked for that are not among commonNames. */
  byName?: Map<string, SyntaxNode[]>;
  /** The nodes of each of commonNames, when collected while parsing. */
  common?: SyntaxNode[][];
  selectors?: SelectorInfo[];
}
const derivedKey = Symbol("derived");
/** Node types that the checks look for in every expression: collected while parsing, in the same walk. */
const commonNames = ["VectorSelector", "FunctionCall", "AggregateExpr", "BinaryExpr"];
/** By node type id: the index of its name in commonNames, or -1. */
const commonIndex = parser.nodeSet.types.map((type) => commonNames.indexOf(type.name));

function derivedOf(expr: ParsedExpression): Derived {
  const own = (expr as ParsedExpression & { [derivedKey]?: Derived })[derivedKey];
  if (own) return own;
  // An expression parsed elsewhere, or copied: work it out now.
  const entry: Derived = {};
  Object.defineProperty(expr, derivedKey, { value: entry });
  return entry;
}

/** Every node of a given type name, in source order. */
export function nodesNamed(expr: ParsedExpression, name: string): SyntaxNode[] {
  const derived = derivedOf(expr);
  let found = derived.common?.[commonNames.indexOf(name)] ?? derived.byName?.get(name);
  if (!found) {
    found = [];
    const cursor = expr.tree.cursor();
    do {
      if (cursor.name === name) found.push(cursor.node);
    } while (cursor.next());
    (derived.byName ??= new Map()).set(name, found);
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
  // Without a backslash there is nothing to unescape: what JSON.parse would give, or fall back to, below.
  if (literal.startsWith("`") || !literal.includes("\\")) return literal.slice(1, -1);
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

/**
 * One cursor per selector, no node made that is not kept: its first Identifier; then the children of its first
 * LabelMatchers, and the first LabelName, QuotedLabelName, MatchOp and StringLiteral among each matcher's own.
 */
function findSelectors(expr: ParsedExpression): SelectorInfo[] {
  const { text } = expr;
  return nodesNamed(expr, "VectorSelector").map((node) => {
    const info: SelectorInfo = { node, matchers: [] };
    const cursor = node.cursor();
    if (cursor.firstChild()) {
      do {
        if (cursor.name === "Identifier") {
          info.metric = text.slice(cursor.from, cursor.to);
          info.metricNode = cursor.node;
          break;
        }
      } while (cursor.nextSibling());
      cursor.parent();
    }
    // A quoted metric name inside braces: {"metric_name", job="x"} (Prometheus 3 syntax).
    let quotedName: SyntaxNode | undefined;
    let inMatchers = false;
    if (cursor.firstChild()) {
      do inMatchers = cursor.name === "LabelMatchers";
      while (!inMatchers && cursor.nextSibling());
    }
    if (inMatchers && cursor.firstChild()) {
      do {
        const name = cursor.name;
        if (name === "QuotedLabelName") quotedName ??= cursor.node;
        if (!name.endsWith("LabelMatcher")) continue;
        const child = cursor.node;
        // From and to of the first child of each part's name; -1: none.
        let nameFrom = -1, nameTo = -1, quotedFrom = -1, quotedTo = -1, opFrom = -1, opTo = -1, valueFrom = -1, valueTo = -1;
        if (cursor.firstChild()) {
          do {
            const part = cursor.name;
            if (part === "LabelName") {
              if (nameFrom < 0) (nameFrom = cursor.from), (nameTo = cursor.to);
            } else if (part === "QuotedLabelName") {
              if (quotedFrom < 0) (quotedFrom = cursor.from), (quotedTo = cursor.to);
            } else if (part === "MatchOp") {
              if (opFrom < 0) (opFrom = cursor.from), (opTo = cursor.to);
            } else if (part === "StringLiteral") {
              if (valueFrom < 0) (valueFrom = cursor.from), (valueTo = cursor.to);
            }
          } while (cursor.nextSibling());
          cursor.parent();
        }
        if ((nameFrom < 0 && quotedFrom < 0) || opFrom < 0 || valueFrom < 0) continue;
        const labelText = nameFrom >= 0 ? text.slice(nameFrom, nameTo) : unquote(text.slice(quotedFrom, quotedTo));
        const matcher = { label: labelText, op: text.slice(opFrom, opTo), value: unquote(text.slice(valueFrom, valueTo)), node: child };
        info.matchers.push(matcher);
        if (labelText === "__name__" && matcher.op === "=" && !info.metric) {
          info.metric = matcher.value;
          info.metricNode = firstChildren(child, ["StringLiteral"]).StringLiteral;
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

/** What `node.getChild(name)` gives (its first child of that type or group), without a node for every other match. */
function child(node: SyntaxNode, name: string): SyntaxNode | null {
  const cursor = node.cursor();
  if (!cursor.firstChild()) return null;
  do if (cursor.type.is(name)) return cursor.node;
  while (cursor.nextSibling());
  return null;
}

/**
 * The range-vector argument of a function call, looking through offset and @ modifiers:
 * `rate(x[5m] offset 1h)` -> the MatrixSelector. Subqueries are returned as they are.
 */
export function rangeArgument(call: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | null | undefined = child(call, "FunctionCallBody");
  while (node) {
    const found = child(node, "MatrixSelector") ?? child(node, "SubqueryExpr");
    if (found) return found;
    node = child(node, "OffsetExpr") ?? child(node, "StepInvariantExpr");
  }
  return undefined;
}
