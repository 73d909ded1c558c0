import { formatLocation } from "../../../source.ts";
import type { ModelCheck } from "../../check.ts";

/** Two alerts with one name: Prometheus loads both, routing and silences cannot tell them apart. */
export const uniqueAlertName: ModelCheck = {
  id: "alerts/unique-name",
  kind: "house",
  severity: "error",
  summary: "Two alerts share a name.",
  scope: "model",
  check(model) {
    const seen = new Map<string, (typeof model.alerts)[number]>();
    return model.alerts.flatMap((alert) => {
      const first = seen.get(alert.name);
      if (!first) {
        seen.set(alert.name, alert);
        return [];
      }
      return [
        {
          subject: `alert ${alert.name}`,
          source: alert.source,
          message: `alert name ${alert.name} is already used at ${formatLocation(first.source)}`,
          fix: "rename one of them after what it detects, or merge them into one alert.",
        },
      ];
    });
  },
};
