import { formatLocation } from "../../../source.ts";
import type { ModelCheck } from "../../check.ts";

/** Two rules recording one series write conflicting samples into it. */
export const uniqueRuleName: ModelCheck = {
  id: "rules/unique-name",
  kind: "house",
  severity: "error",
  summary: "Two recording rules record the same series.",
  scope: "model",
  check(model) {
    // The same name with different static labels records different series, which Prometheus allows.
    const key = (rule: (typeof model.recordingRules)[number]) =>
      `${rule.record}${JSON.stringify(Object.entries(rule.labels).sort())}`;
    const seen = new Map<string, (typeof model.recordingRules)[number]>();
    return model.recordingRules.flatMap((rule) => {
      const first = seen.get(key(rule));
      if (!first) {
        seen.set(key(rule), rule);
        return [];
      }
      return [
        {
          subject: `recording rule ${rule.record}`,
          source: rule.source,
          message: `${rule.record} is already recorded at ${formatLocation(first.source)}`,
          fix: "remove one, or give them different names.",
        },
      ];
    });
  },
};
