import type { ExpressionCheck, Finding } from "../../check.ts";
import { nodesNamed } from "../../../promql/parse.ts";
import { children, isExpression } from "../../../promql/semantics.ts";

const rateFunctions = new Set(["rate", "irate", "increase", "resets"]);

/**
 * rate(sum(x)[5m:]) sums counters first: when one instance restarts, the sum falls, rate() reads a reset
 * of the whole sum, and reports a huge spike. Take the rate of each series, then aggregate.
 */
export const aggregateThenRate: ExpressionCheck = {
  id: "promql/aggregate-then-rate",
  severity: "error",
  summary: "rate() or increase() over an aggregation (through a subquery): aggregate the rates instead.",
  scope: "expression",
  check(expr) {
    const findings: Finding[] = [];
    for (const call of nodesNamed(expr, "FunctionCall")) {
      const id = call.getChild("FunctionIdentifier")!;
      const fn = expr.text.slice(id.from, id.to);
      if (!rateFunctions.has(fn)) continue;
      const subquery = call.getChild("FunctionCallBody")?.getChild("SubqueryExpr");
      let inner = subquery ? [...children(subquery)].find(isExpression) : undefined;
      while (inner?.name === "ParenExpr") inner = [...children(inner)].find(isExpression);
      if (!inner || (inner.name !== "AggregateExpr" && inner.name !== "BinaryExpr")) continue;
      findings.push({
        message: `${fn}() over the subquery ${expr.text.slice(subquery!.from, subquery!.to).slice(0, 60)}: a restart of one series looks like a reset of the whole ${inner.name === "AggregateExpr" ? "aggregate" : "result"}`,
        fix: `take ${fn}() of the raw counters first, then aggregate: sum(${fn}(x[5m])).`,
        at: { from: call.from, to: call.to },
      });
    }
    return findings;
  },
};
