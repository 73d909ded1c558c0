import { filtersByComparison } from "../../../promql/comparison.ts";
import type { ParsedExpression } from "../../../promql/parse.ts";
import { children, isExpression } from "../../../promql/semantics.ts";
import type { ModelCheck } from "../../check.ts";

/**
 * An alert on a state written as a selector alone, `pg_index_info{indexrelname=~".*ccnew.*"}`: it fires while series
 * with those labels exist, whatever their value, which is how a rule file says "alert while this exists". Only the
 * matchers can filter, so one is needed; a bare metric name fires for every series there is.
 */
export function isPresenceAlert(expr: ParsedExpression): boolean {
  let node = expr.tree.topNode.firstChild;
  while (node?.name === "ParenExpr") node = [...children(node)].find(isExpression) ?? null;
  if (node?.name !== "VectorSelector") return false;
  const matchers = node.getChild("LabelMatchers");
  for (let child = matchers?.firstChild; child; child = child.nextSibling) {
    const label = child.name.endsWith("LabelMatcher") ? child.getChild("LabelName") : null;
    if (label && expr.text.slice(label.from, label.to) !== "__name__") return true;
  }
  return false;
}

/** An alert fires for every series its expression returns; without a comparison, that is every series, always. */
export const alertComparison: ModelCheck = {
  id: "alerts/comparison",
  kind: "correctness",
  severity: "error",
  summary:
    "An alert expression with no filtering comparison (nor absent(), nor label matchers alone), which fires whenever the series exist.",
  scope: "model",
  check(model, ctx) {
    return model.alerts
      .filter((alert) => {
        const parsed = ctx.parse(alert.expr, { grafana: false });
        return !filtersByComparison(alert.expr, parsed.tree) && !isPresenceAlert(parsed);
      })
      .map((alert) => ({
        subject: `alert ${alert.name}`,
        source: alert.source,
        message:
          "the expression has no comparison that filters series (a bool comparison keeps them all), so it fires whenever it returns anything",
        fix: "end it with the threshold: `${signal} ${thresholds.x}`.",
      }));
  },
};
