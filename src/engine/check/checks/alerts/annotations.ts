import { checkAlertTemplate } from "../../../promql/alert-template.ts";
import type { Finding, ModelCheck } from "../../check.ts";

// dashboard_url is alerts/dashboard-link's business: rule files from elsewhere may have none.
const required = ["summary", "description", "runbook_url"];

/**
 * On-call reads the annotations first. They must all be there, the summary must read the same in every
 * notification (no template), and every template must parse, or Prometheus refuses the whole rule file.
 */
export const alertAnnotations: ModelCheck = {
  id: "alerts/annotations",
  kind: "house",
  severity: "error",
  summary: "A missing annotation, a templated summary, or a label or annotation template that does not parse.",
  scope: "model",
  check(model) {
    return model.alerts.flatMap((alert): Finding[] => {
      const subject = `alert ${alert.name}`;
      const source = alert.source;
      const findings: Finding[] = required
        .filter((key) => !alert.annotations[key]?.trim())
        .map((key) => ({ subject, source, message: `annotation ${key} is empty`, fix: `write the ${key}.` }));
      if (alert.annotations.summary?.includes("{{")) {
        findings.push({ subject, source, message: "the summary is a template", fix: "keep the summary fixed text (it groups notifications); put values and labels in the description." });
      }
      const templates = [...Object.entries(alert.annotations).map(([k, v]) => [`annotation ${k}`, v] as const), ...Object.entries(alert.labels).map(([k, v]) => [`label ${k}`, v] as const)];
      for (const [where, text] of templates) {
        for (const problem of checkAlertTemplate(text)) {
          findings.push({ subject, source, message: `${where} template, at character ${problem.offset + 1}: ${problem.message}`, fix: "Prometheus rejects the whole rule file when one template does not parse." });
        }
      }
      return findings;
    });
  },
};
