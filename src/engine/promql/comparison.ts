import type { Tree } from "@lezer/common";
import { parseTree } from "./parse.ts";

const comparisonNodes = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);

export interface TopComparison {
  /** The expression left of the operator. */
  left: string;
  op: string;
  /** The number on the right, when it is a literal. */
  value?: number;
  bool: boolean;
  /** Offsets of the operator's first character and, with a literal number, of the end of that number. */
  at: { from: number; to: number };
}

/**
 * The comparison at the top of an alert expression (`<signal> > 0.05`), looking through parentheses.
 * Diffs read the threshold from it; checks match it against the declared threshold.
 */
export function topComparison(expr: string, tree: Tree = parseTree(expr).tree): TopComparison | undefined {
  let node = tree.topNode.firstChild;
  for (;;) {
    while (node?.name === "ParenExpr")
      node = node.getChild("BinaryExpr") ?? node.firstChild?.nextSibling ?? null;
    // `signal > 0.05 and on (job) traffic > 1`: the threshold is the left side's.
    if (node?.name === "BinaryExpr" && (node.getChild("And") || node.getChild("Unless")))
      node = node.firstChild;
    else break;
  }
  if (!node || node.name !== "BinaryExpr") return undefined;
  let operator = null;
  let bool = false;
  let right = null;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (comparisonNodes.has(child.name)) operator = child;
    else if (child.name === "BoolModifier") bool = true;
    else if (operator) right = child;
  }
  if (!operator || !node.firstChild) return undefined;
  const result: TopComparison = {
    left: expr.slice(node.firstChild.from, node.firstChild.to),
    op: expr.slice(operator.from, operator.to),
    bool,
    at: { from: operator.from, to: operator.to },
  };
  if (right?.name === "NumberDurationLiteral") {
    const value = Number(expr.slice(right.from, right.to));
    if (Number.isFinite(value)) {
      result.value = value;
      result.at.to = right.to;
    }
  }
  return result;
}

/**
 * Whether an expression drops the series that are fine: some comparison without `bool` anywhere
 * (`max by (job) (x > 1)`, `x > 1 and y`), or a top-level absent(), which returns nothing while the series exist.
 */
export function filtersByComparison(expr: string, tree: Tree = parseTree(expr).tree): boolean {
  const top = tree.topNode.firstChild;
  if (top?.name === "FunctionCall") {
    const name = top.getChild("FunctionIdentifier");
    if (name && /^absent(_over_time)?$/.test(expr.slice(name.from, name.to))) return true;
  }
  let filters = false;
  tree.iterate({
    enter: (node) => {
      if (
        node.name === "BinaryExpr" &&
        [...comparisonNodes].some((c) => node.node.getChild(c)) &&
        !node.node.getChild("BoolModifier")
      )
        filters = true;
    },
  });
  return filters;
}
