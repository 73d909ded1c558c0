import { severities } from "../../../define/alerting.ts";
import type { ModelCheck } from "../../check.ts";

/** Only the runbook's four levels route anywhere; anything else would fall through to the default receiver. */
export const alertSeverity: ModelCheck = {
  id: "alerts/severity",
  kind: "house",
  severity: "error",
  summary: "A severity outside the runbook's four levels, or one with no routing policy.",
  scope: "model",
  check(model) {
    const routed = new Set(model.severities.map((p) => p.severity));
    return model.alerts.flatMap((alert) => {
      if (!(severities as readonly string[]).includes(alert.severity)) {
        return [{ subject: `alert ${alert.name}`, source: alert.source, message: `severity "${alert.severity}" is not one of the runbook's levels`, fix: `use one of: ${severities.join(", ")}.` }];
      }
      if (!routed.has(alert.severity as (typeof severities)[number])) {
        return [{ subject: `alert ${alert.name}`, source: alert.source, message: `no routing policy for severity "${alert.severity}"`, fix: "add it to src/alerts/severities.ts." }];
      }
      return [];
    });
  },
};
