import { topComparison } from "../../../promql/comparison.ts";
import type { ModelCheck } from "../../check.ts";

/** An alert fires for every series its expression returns; without a comparison, that is every series, always. */
export const alertComparison: ModelCheck = {
  id: "alerts/comparison",
  severity: "error",
  summary: "An alert expression with no comparison at its top, which fires whenever the series exist.",
  scope: "model",
  check(model) {
    return model.alerts
      .filter((alert) => !topComparison(alert.expr) && !/^\s*(absent|absent_over_time)\s*\(/.test(alert.expr))
      .map((alert) => ({
        subject: `alert ${alert.name}`,
        source: alert.source,
        message: "the expression has no comparison at its top, so it fires whenever it returns anything",
        fix: "end it with the threshold: `${signal} ${thresholds.x}`.",
      }));
  },
};
