import type { ModelCheck } from "../../check.ts";

const convention = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;

/** `level:metric:operations` says what a recorded series aggregates, from what, and how, at a glance. */
export const ruleName: ModelCheck = {
  id: "rules/name",
  kind: "house",
  severity: "error",
  summary: "A recording rule not named `level:metric:operations`.",
  scope: "model",
  check(model) {
    return model.recordingRules
      .filter((rule) => !convention.test(rule.record))
      .map((rule) => ({
        subject: `recording rule ${rule.record}`,
        source: rule.source,
        message: `"${rule.record}" is not named level:metric:operations`,
        fix: "name it by the labels it keeps, the metric, and the operations: e.g. job:phoenix_http_requests:rate5m.",
      }));
  },
};
