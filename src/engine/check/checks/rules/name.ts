import type { ModelCheck } from "../../check.ts";

/** A naming pattern, with the text a message shows for it. */
export interface NamePattern {
  pattern: RegExp;
  /** What is wrong with a name that does not match, in a message: `is not named level:metric:operations`. */
  mismatch: string;
  /** A good name, for the fix; none for a team's own pattern. */
  example?: string;
}

export const houseNaming: NamePattern = {
  pattern: /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/,
  mismatch: "is not named level:metric:operations",
  example: "job:phoenix_http_requests:rate5m",
};

/** Names other tools read by convention: Sloth's SLO info series, which SLOs record so that Sloth's dashboards work. */
const conventionalNames = new Set(["sloth_slo_info"]);

/** `level:metric:operations` says what a recorded series aggregates, from what, and how, at a glance. A team may name its own pattern. */
export function ruleNameCheck(naming: NamePattern = houseNaming): ModelCheck {
  return {
    id: "rules/name",
    kind: "house",
    severity: "error",
    summary: "A recording rule not named `level:metric:operations` (or the configured pattern).",
    scope: "model",
    check(model) {
      return model.recordingRules
        .filter((rule) => !naming.pattern.test(rule.record) && !conventionalNames.has(rule.record))
        .map((rule) => ({
          subject: `recording rule ${rule.record}`,
          source: rule.source,
          message: `"${rule.record}" ${naming.mismatch}`,
          fix: naming.example
            ? `name it by the labels it keeps, the metric, and the operations: e.g. ${naming.example}.`
            : `rename it to match ${naming.pattern.source}, or change the pattern in the configuration.`,
        }));
    },
  };
}

export const ruleName = ruleNameCheck();
