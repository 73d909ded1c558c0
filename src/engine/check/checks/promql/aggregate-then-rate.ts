import type { ExpressionCheck, Finding } from "../../check.ts";
import type { SyntaxNode } from "@lezer/common";
import { nodesNamed, rangeArgument, type ParsedExpression } from "../../../promql/parse.ts";
import { children, isExpression, isScalar } from "../../../promql/semantics.ts";

/** An aggregation, or arithmetic between two vectors; scaling by a number combines nothing. */
function combinesSeries(expr: ParsedExpression, node: SyntaxNode): boolean {
  if (node.name === "AggregateExpr") return true;
  if (node.name !== "BinaryExpr") return false;
  return [...children(node)].filter(isExpression).every((side) => !isScalar(side, expr));
}

const rateFunctions = new Set(["rate", "irate", "increase", "resets"]);

/**
 * rate(sum(x)[5m:]) sums counters first: when one instance restarts, the sum falls, rate() reads a reset
 * of the whole sum, and reports a huge spike. Take the rate of each series, then aggregate.
 */
export const aggregateThenRate: ExpressionCheck = {
  id: "promql/aggregate-then-rate",
  kind: "correctness",
  severity: "error",
  summary: "rate() or increase() over an aggregation (through a subquery): aggregate the rates instead.",
  scope: "expression",
  check(expr) {
    const findings: Finding[] = [];
    for (const call of nodesNamed(expr, "FunctionCall")) {
      const id = call.getChild("FunctionIdentifier")!;
      const fn = expr.text.slice(id.from, id.to);
      if (!rateFunctions.has(fn)) continue;
      const argument = rangeArgument(call);
      const subquery = argument?.name === "SubqueryExpr" ? argument : undefined;
      let inner = subquery ? [...children(subquery)].find(isExpression) : undefined;
      while (inner?.name === "ParenExpr") inner = [...children(inner)].find(isExpression);
      if (!subquery || !inner || !combinesSeries(expr, inner)) continue;
      findings.push({
        message: `${fn}() over the subquery ${expr.text.slice(subquery.from, subquery.to).slice(0, 60)}: a restart of one series looks like a reset of the whole ${inner.name === "AggregateExpr" ? "aggregate" : "result"}`,
        fix: `take ${fn}() of the raw counters first, then aggregate: sum(${fn}(x[5m])).`,
        at: { from: call.from, to: call.to },
      });
    }
    return findings;
  },
};
