import type { ExpressionCheck } from "../../check.ts";
import { maxNestingDepth } from "../../../promql/parse.ts";

/** An expression nested deeper than o11y's parser follows: it may be valid PromQL, but nothing in it is checked. */
export const nestingDepth: ExpressionCheck = {
  id: "promql/nesting-depth",
  // It must run everywhere: an expression o11y cannot follow is otherwise passed unchecked.
  kind: "correctness",
  severity: "error",
  summary:
    "An expression nested deeper than o11y follows (some 600 levels of brackets, calls or aggregations), so it cannot be checked.",
  scope: "expression",
  needsValidSyntax: false,
  check(expr) {
    if (expr.tooDeepAt === undefined) return [];
    return [
      {
        message: `the expression nests deeper than o11y follows (more than some ${maxNestingDepth} levels of brackets, function calls, aggregations or operators), so none of it is checked`,
        fix: "flatten it, or move inner parts into recording rules: no alert or panel needs this depth.",
        at: { from: expr.tooDeepAt, to: expr.tooDeepAt + 1 },
      },
    ];
  },
};
