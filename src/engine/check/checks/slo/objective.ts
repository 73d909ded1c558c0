import { burnAlertName, burnFactor, burnRateAlerts } from "../../../compile/slo.ts";
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
  summary:
    "An SLO objective that is not a percentage between 0 and 100, looks like a ratio, or is too low for its burn-rate alerts to fire.",
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
      // Its tests burn 5% past the factor; past an error ratio of 1 no traffic can, and the alert never fires.
      const budget = (100 - objective) / 100;
      const deaf = burnRateAlerts.filter(
        (a) => burnFactor(a.budgetShare, slo.period, a.long) * budget * 1.05 > 1,
      );
      if (deaf.length)
        return [
          {
            ...at,
            message: `objective ${objective}% leaves a budget of ${Number((budget * 100).toPrecision(6))}%, so ${deaf.map((a) => slo.alerts[burnRateAlerts.indexOf(a)] ?? burnAlertName("", a)).join(", ")} would need more than every event to fail: ${deaf.length > 1 ? "they" : "it"} can never fire`,
            fix: "raise the objective, or count errors over a longer period: a burn-rate alert needs factor x budget well below 1.",
          },
        ];
      return [];
    });
  },
};
