import { exprFlagFile, type ExpressionCheck } from "../../check.ts";
import { findVariables } from "../../../promql/grafana-variables.ts";

/** A PromQL expression that Prometheus's own grammar (lezer-promql) cannot parse. */
export const syntax: ExpressionCheck = {
  id: "promql/syntax",
  kind: "correctness",
  severity: "error",
  summary: "The expression does not parse as PromQL.",
  scope: "expression",
  needsValidSyntax: false,
  check(expr, site) {
    // Nesting too deep is not a syntax error: promql/nesting-depth says so.
    if (expr.errorAt === undefined || expr.tooDeepAt !== undefined) return [];
    const at = { from: expr.errorAt, to: expr.errorAt + 1 };
    const near = expr.text.slice(expr.errorAt, expr.errorAt + 12).split("\n")[0];
    // A Grafana variable where the parse stops: a panel query judged as a rule, or a rule copied from a panel.
    const variable =
      site.kind === "expression"
        ? findVariables(expr.text).find((use) => !use.insideString && use.from <= at.from && at.from < use.to)
        : undefined;
    if (variable) {
      const written = expr.text.slice(variable.from, variable.to);
      return [
        {
          message: `PromQL syntax error near "${near}": ${written} is a Grafana variable, which only Grafana fills in; Prometheus reads it as an error`,
          fix:
            site.source.file === exprFlagFile
              ? `to judge a panel query, add --dashboard (o11y check --dashboard --expr '...'); as a rule expression, write a duration such as [5m] instead of ${written}.`
              : `alerts and recording rules are plain PromQL: write a duration such as [5m] instead of ${written}.`,
          at,
        },
      ];
    }
    return [
      {
        message: near
          ? `PromQL syntax error near "${near}"`
          : "PromQL syntax error at the end of the expression",
        fix: "Check brackets, quotes and commas at that position; the expression must parse before any other check can run.",
        at,
      },
    ];
  },
};
