import type { Finding, ModelCheck } from "../../check.ts";
import { sloSubject } from "../../slo-sli.ts";

/**
 * An objective is a percentage strictly between 0 and 100: 100 leaves no budget (every alert's threshold is 0), 0 or
 * less no objective, and 0.999 is a ratio written where a percentage belongs.
 */
export const sloObjective: ModelCheck = {
  id: "slo/objective",
  kind: "house",
  severity: "error",
  summary: "An SLO objective that is not a percentage between 0 and 100, or looks like a ratio.",
  scope: "model",
  check(model) {
    return (model.slos ?? []).flatMap((slo): Finding[] => {
      const { objective } = slo;
      const at = { subject: sloSubject(slo), source: slo.source };
      if (!(objective > 0 && objective < 100))
        return [
          {
            ...at,
            message: `objective ${objective} is not a percentage between 0 and 100 (exclusive): ${objective >= 100 ? "it leaves no error budget, so every burn-rate alert would fire at the first error" : "it promises nothing"}`,
            fix: "write the share of good events as a percentage: 99.9 for one bad event in a thousand.",
          },
        ];
      if (objective < 1)
        return [
          {
            ...at,
            message: `objective ${objective} is ${objective}%, which looks like a ratio written where a percentage belongs`,
            fix: `write ${objective * 100} for ${objective * 100}%.`,
          },
        ];
      return [];
    });
  },
};
