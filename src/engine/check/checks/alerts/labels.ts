import type { ModelCheck } from "../../check.ts";

/** Ours: Alertmanager routes on severity, and service and team say whose it is. */
export const houseLabels: readonly string[] = ["severity", "service", "team"];

/**
 * Routing and ownership read an alert's labels: one without them falls through to the default receiver, or
 * reaches nobody who owns it. Which labels are required is a team's choice (configuration).
 */
export function labelsCheck(required: readonly string[] = houseLabels): ModelCheck {
  return {
    id: "alerts/labels",
    kind: "house",
    severity: "error",
    summary: "An alert without one of the labels that routing and ownership need.",
    scope: "model",
    check(model) {
      return model.alerts.flatMap((alert) =>
        required
          .filter((label) => !alert.labels[label]?.trim())
          .map((label) => ({
            subject: `alert ${alert.name}`,
            source: alert.source,
            message: label in alert.labels ? `label ${label} is empty` : `the alert has no ${label} label`,
            fix: `add \`${label}:\` under the alert's labels (required: ${required.join(", ")}).`,
          })),
      );
    },
  };
}

export const alertLabels = labelsCheck();
