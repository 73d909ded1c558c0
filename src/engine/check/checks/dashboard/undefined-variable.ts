import type { ExpressionCheck } from "../../check.ts";
import { findVariables, grafanaBuiltinVariables } from "../../../promql/grafana-variables.ts";

/** A query uses `$name` but the dashboard defines no such variable: Grafana sends the text as is and gets nothing. */
export const undefinedVariable: ExpressionCheck = {
  id: "dashboard/undefined-variable",
  severity: "error",
  summary: "A query uses a template variable that its dashboard does not define.",
  scope: "expression",
  needsValidSyntax: false,
  check(expr, site) {
    if (!site.dashboard) return [];
    const defined = new Set(site.dashboard.variables.map((v) => v.name));
    return findVariables(expr.text)
      .filter((use) => !defined.has(use.name) && !grafanaBuiltinVariables.has(use.name))
      .map((use) => ({
        message: `variable $${use.name} is not defined by dashboard ${site.dashboard!.uid}`,
        fix: `define it with the dashboard's \`variables:\`, or use one it has: ${[...defined].map((n) => `$${n}`).join(", ")}.`,
        at: { from: use.from, to: use.to },
      }));
  },
};
