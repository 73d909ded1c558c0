import { parseDurationMs } from "../../../duration.ts";
import type { ModelCheck, Finding } from "../../check.ts";

/** `for` must parse, and a non-zero `for` shorter than the evaluation interval is rounded up silently by Prometheus. */
export const alertFor: ModelCheck = {
  id: "alerts/for",
  kind: "correctness",
  severity: "error",
  summary: "A malformed `for`, or one shorter than the rule group's evaluation interval.",
  scope: "model",
  check(model) {
    const interval = new Map(model.ruleGroups.map((g) => [g.name, g.interval]));
    return model.alerts.flatMap((alert): Finding[] => {
      const subject = `alert ${alert.name}`;
      const ms = parseDurationMs(alert.for);
      if (Number.isNaN(ms)) {
        return [
          {
            subject,
            source: alert.source,
            message: `for: "${alert.for}" is not a Prometheus duration`,
            fix: 'write it like "5m", "1h30m" or "90s".',
          },
        ];
      }
      const groupInterval = interval.get(alert.group) ?? model.settings.evaluationInterval;
      if (ms > 0 && ms < parseDurationMs(groupInterval)) {
        return [
          {
            subject,
            source: alert.source,
            message: `for: ${alert.for} is shorter than the evaluation interval ${groupInterval}, so it means one evaluation`,
            fix: `use at least ${groupInterval}, or 0s.`,
          },
        ];
      }
      if (/absent(_over_time)?\s*\(/.test(alert.expr) && ms === 0) {
        return [
          {
            subject,
            source: alert.source,
            message: "absent() without for: fires on the first evaluation after a restart or a missed scrape",
            fix: "add a for of a few scrape intervals.",
          },
        ];
      }
      return [];
    });
  },
};
