import type { ExpressionCheck } from "../../check.ts";

/** A PromQL expression that Prometheus's own grammar (lezer-promql) cannot parse. */
export const syntax: ExpressionCheck = {
  id: "promql/syntax",
  kind: "correctness",
  severity: "error",
  summary: "The expression does not parse as PromQL.",
  scope: "expression",
  needsValidSyntax: false,
  check(expr) {
    // Nesting too deep is not a syntax error: promql/nesting-depth says so.
    if (expr.errorAt === undefined || expr.tooDeepAt !== undefined) return [];
    const near = expr.text.slice(expr.errorAt, expr.errorAt + 12).split("\n")[0];
    return [
      {
        message: near
          ? `PromQL syntax error near "${near}"`
          : "PromQL syntax error at the end of the expression",
        fix: "Check brackets, quotes and commas at that position; the expression must parse before any other check can run.",
        at: { from: expr.errorAt, to: expr.errorAt + 1 },
      },
    ];
  },
};
