import { checkAlertTemplate } from "../../../promql/alert-template.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/**
 * Every label and annotation value is a Go template that Prometheus parses when it loads the rule file: one that does
 * not parse makes it refuse the whole file, whoever wrote it.
 */
export const alertTemplate: ModelCheck = {
  id: "alerts/template",
  kind: "correctness",
  severity: "error",
  summary: "A label or annotation template that does not parse the way Prometheus parses it.",
  scope: "model",
  check(model) {
    return model.alerts.flatMap((alert): Finding[] => {
      const templates = [
        ...Object.entries(alert.annotations).map(([k, v]) => [`annotation ${k}`, v] as const),
        ...Object.entries(alert.labels).map(([k, v]) => [`label ${k}`, v] as const),
      ];
      return templates.flatMap(([where, text]) =>
        checkAlertTemplate(text).map((problem) => ({
          subject: `alert ${alert.name}`,
          source: alert.source,
          message: `${where} template, at character ${problem.offset + 1}: ${problem.message}`,
          fix: "Prometheus rejects the whole rule file when one template does not parse.",
        })),
      );
    });
  },
};
