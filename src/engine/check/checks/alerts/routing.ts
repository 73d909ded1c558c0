import { isDuration, parseDurationMs } from "../../../duration.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** Each severity's first notification must go out within the runbook's response time. */
export const alertRouting: ModelCheck = {
  id: "alerts/routing",
  kind: "house",
  severity: "error",
  summary: "A severity policy whose timings are malformed or cannot meet the runbook's response time.",
  scope: "model",
  check(model) {
    const source = { file: "src/alerts/severities.ts", line: 1 };
    return model.severities.flatMap((policy): Finding[] => {
      const subject = `severity ${policy.severity}`;
      // group_wait may be 0s (notify at once); the intervals must be positive.
      const fields = {
        notifyWithin: policy.notifyWithin,
        groupInterval: policy.groupInterval,
        repeatInterval: policy.repeatInterval,
      };
      const malformed = Object.entries(fields).filter(([, value]) => !isDuration(value));
      if (Number.isNaN(parseDurationMs(policy.groupWait))) malformed.push(["groupWait", policy.groupWait]);
      if (malformed.length)
        return malformed.map(([key, value]) => ({
          subject,
          source,
          message: `${key}: "${value}" is not a duration`,
          fix: 'write it like "30s" or "4h".',
        }));
      if (parseDurationMs(policy.groupWait) > parseDurationMs(policy.notifyWithin)) {
        return [
          {
            subject,
            source,
            message: `group_wait ${policy.groupWait} delays the first notification past ${policy.notifyWithin} (${policy.responseTime})`,
            fix: `make group_wait at most ${policy.notifyWithin}.`,
          },
        ];
      }
      return [];
    });
  },
};
