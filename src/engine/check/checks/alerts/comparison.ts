import { filtersByComparison } from "../../../promql/comparison.ts";
import type { ModelCheck } from "../../check.ts";

/** An alert fires for every series its expression returns; without a comparison, that is every series, always. */
export const alertComparison: ModelCheck = {
  id: "alerts/comparison",
  kind: "correctness",
  severity: "error",
  summary: "An alert expression with no filtering comparison (nor absent()), which fires whenever the series exist.",
  scope: "model",
  check(model, ctx) {
    return model.alerts
      .filter((alert) => !filtersByComparison(alert.expr, ctx.parse(alert.expr, { grafana: false }).tree))
      .map((alert) => ({
        subject: `alert ${alert.name}`,
        source: alert.source,
        message: "the expression has no comparison that filters series (a bool comparison keeps them all), so it fires whenever it returns anything",
        fix: "end it with the threshold: `${signal} ${thresholds.x}`.",
      }));
  },
};
