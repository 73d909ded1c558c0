import type { ExpressionCheck } from "../../check.ts";
import type { DashboardModel } from "../../../model.ts";
import { findVariables, grafanaBuiltinVariables } from "../../../promql/grafana-variables.ts";

const definedByDashboard = new WeakMap<DashboardModel, ReadonlySet<string>>();
function definedVariables(dashboard: DashboardModel): ReadonlySet<string> {
  let defined = definedByDashboard.get(dashboard);
  if (!defined)
    definedByDashboard.set(dashboard, (defined = new Set(dashboard.variables.map((v) => v.name))));
  return defined;
}

/** A query uses `$name` but the dashboard defines no such variable: Grafana sends the text as is and gets nothing. */
export const undefinedVariable: ExpressionCheck = {
  id: "dashboard/undefined-variable",
  kind: "correctness",
  severity: "error",
  summary: "A query uses a template variable that its dashboard does not define.",
  scope: "expression",
  needsValidSyntax: false,
  check(expr, site) {
    if (!site.dashboard) return [];
    const defined = definedVariables(site.dashboard);
    return (expr.variables ?? findVariables(expr.text))
      .filter((use) => !defined.has(use.name) && !grafanaBuiltinVariables.has(use.name))
      .map((use) => ({
        message: `variable $${use.name} is not defined by dashboard ${site.dashboard!.uid}`,
        fix: `define it with the dashboard's \`variables:\`, or use one it has: ${[...defined].map((n) => `$${n}`).join(", ")}.`,
        at: { from: use.from, to: use.to },
      }));
  },
};
