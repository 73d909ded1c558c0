import { formatLocation } from "../../../source.ts";
import type { ModelCheck } from "../../check.ts";

/** Two rules recording one series write conflicting samples into it. */
export const uniqueRuleName: ModelCheck = {
  id: "rules/unique-name",
  severity: "error",
  summary: "Two recording rules record the same series.",
  scope: "model",
  check(model) {
    const seen = new Map<string, (typeof model.recordingRules)[number]>();
    return model.recordingRules.flatMap((rule) => {
      const first = seen.get(rule.record);
      if (!first) {
        seen.set(rule.record, rule);
        return [];
      }
      return [{ subject: `recording rule ${rule.record}`, source: rule.source, message: `${rule.record} is already recorded at ${formatLocation(first.source)}`, fix: "remove one, or give them different names." }];
    });
  },
};
