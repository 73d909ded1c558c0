import type { ExpressionCheck } from "../../check.ts";
import type { DashboardModel } from "../../../model.ts";
import { findVariables, grafanaBuiltinVariables } from "../../../promql/grafana-variables.ts";
import { closest } from "../../../text.ts";

const definedByDashboard = new WeakMap<DashboardModel, ReadonlySet<string>>();
function definedVariables(dashboard: DashboardModel): ReadonlySet<string> {
  let defined = definedByDashboard.get(dashboard);
  if (!defined)
    definedByDashboard.set(dashboard, (defined = new Set(dashboard.variables.map((v) => v.name))));
  return defined;
}

/** Grafana reserves names that start with `__` for its own variables: no dashboard can define one. */
const reserved = (name: string) => name.startsWith("__");

/**
 * A query uses `$name` but the dashboard defines no such variable: Grafana sends the text as is and gets nothing.
 * A query without a dashboard (`o11y check --dashboard --expr`) can still misspell one of Grafana's own.
 */
export const undefinedVariable: ExpressionCheck = {
  id: "dashboard/undefined-variable",
  kind: "correctness",
  severity: "error",
  summary: "A query uses a template variable that its dashboard does not define.",
  scope: "expression",
  needsValidSyntax: false,
  check(expr, site) {
    if (site.kind === "expression") return [];
    const dashboard = site.dashboard;
    const defined = dashboard ? definedVariables(dashboard) : new Set<string>();
    return (expr.variables ?? findVariables(expr.text))
      .filter(
        (use) =>
          !grafanaBuiltinVariables.has(use.name) && (dashboard ? !defined.has(use.name) : reserved(use.name)),
      )
      .map((use) => {
        const candidates = reserved(use.name) ? grafanaBuiltinVariables : defined;
        const suggestion = closest(use.name, candidates);
        const owner = dashboard
          ? `is not defined by dashboard ${dashboard.uid}`
          : "is not one of Grafana's own variables (names starting with __ are reserved for them)";
        const others = !reserved(use.name)
          ? `define it with the dashboard's \`variables:\`, or use one it has: ${[...defined].map((n) => `$${n}`).join(", ")}.`
          : `use one of Grafana's: ${[...grafanaBuiltinVariables].map((n) => `$${n}`).join(", ")}.`;
        return {
          message: `variable $${use.name} ${owner}`,
          fix: suggestion ? `did you mean $${suggestion}? Otherwise ${others}` : others,
          at: { from: use.from, to: use.to },
        };
      });
  },
};
