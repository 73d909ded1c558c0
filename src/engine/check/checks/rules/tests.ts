import type { ModelCheck } from "../../check.ts";

/** A recording rule feeds alerts and panels; a wrong one misleads them all, so each has exact-value tests. */
export const ruleTests: ModelCheck = {
  id: "rules/tests",
  kind: "house",
  severity: "error",
  summary: "A recording rule without a promtool test of its exact values.",
  scope: "model",
  check(model) {
    return model.recordingRules
      .filter((rule) => rule.tests.length === 0 || rule.tests.some((t) => t.expect.length === 0))
      .map((rule) => ({
        subject: `recording rule ${rule.record}`,
        source: rule.source,
        message: rule.tests.length === 0 ? "the recording rule has no tests" : "a test expects no samples",
        fix: "add `tests:` with input series and the exact values the rule must record.",
      }));
  },
};
