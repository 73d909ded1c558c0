import type { Finding, ModelCheck } from "../../check.ts";

/** What a team requires of its alerts' annotations. */
export interface AnnotationRules {
  /** Annotations that must be there and not blank. */
  required: readonly string[];
  /** Whether the summary must be fixed text, without `{{ }}`. */
  fixedSummary: boolean;
}

/** Ours. dashboard_url is alerts/dashboard-link's business: it also checks where the link goes. */
export const houseAnnotations: AnnotationRules = {
  required: ["summary", "description", "runbook_url"],
  fixedSummary: true,
};

/**
 * On-call reads the annotations first: they must all be there, and the summary must read the same in every
 * notification (no template). Which ones, and whether the summary may vary, is a team's choice (configuration).
 */
export function annotationsCheck(rules: AnnotationRules = houseAnnotations): ModelCheck {
  return {
    id: "alerts/annotations",
    kind: "house",
    severity: "error",
    summary: "A missing annotation, or a templated summary.",
    scope: "model",
    check(model) {
      return model.alerts.flatMap((alert): Finding[] => {
        const subject = `alert ${alert.name}`;
        const source = alert.source;
        const findings: Finding[] = rules.required
          .filter((key) => !alert.annotations[key]?.trim())
          .map((key) => ({
            subject,
            source,
            message:
              key in alert.annotations ? `annotation ${key} is empty` : `the alert has no ${key} annotation`,
            fix: `write the ${key}.`,
          }));
        if (rules.fixedSummary && alert.annotations.summary?.includes("{{")) {
          findings.push({
            subject,
            source,
            message: "the summary is a template",
            fix: "keep the summary fixed text (it groups notifications); put values and labels in the description.",
          });
        }
        return findings;
      });
    },
  };
}

export const alertAnnotations = annotationsCheck();
