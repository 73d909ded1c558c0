import { severities } from "../../../define/alerting.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/**
 * Only the runbook's four levels route anywhere; anything else would fall through to the default receiver. A team
 * checking its own rule files names its own levels (configuration), and routes them itself.
 */
export function severityCheck(levels?: readonly string[]): ModelCheck {
  return {
    id: "alerts/severity",
    kind: "house",
    severity: "error",
    summary:
      "A severity outside the runbook's four levels (or the configured ones), or one with no routing policy.",
    scope: "model",
    check(model) {
      const routed = new Set(model.severities.map((p) => p.severity));
      const allowed: readonly string[] = levels ?? severities;
      const where = levels ? "the configured levels" : "the runbook's levels";
      return model.alerts.flatMap((alert): Finding[] => {
        const subject = `alert ${alert.name}`;
        if (!allowed.includes(alert.severity)) {
          const message =
            alert.severity === ""
              ? `the alert has no severity label, so it routes by none of ${where}`
              : `severity "${alert.severity}" is not one of ${where}`;
          return [{ subject, source: alert.source, message, fix: `use one of: ${allowed.join(", ")}.` }];
        }
        if (!levels && !routed.has(alert.severity as (typeof severities)[number])) {
          return [
            {
              subject,
              source: alert.source,
              message: `no routing policy for severity "${alert.severity}"`,
              fix: "add it to src/alerts/severities.ts.",
            },
          ];
        }
        return [];
      });
    },
  };
}

export const alertSeverity = severityCheck();
