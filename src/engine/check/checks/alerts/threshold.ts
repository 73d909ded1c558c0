import type { Finding, ModelCheck } from "../../check.ts";
import { filtersByComparison, topComparison } from "../../../promql/comparison.ts";
import { isPresenceAlert } from "./comparison.ts";

/**
 * A threshold must be a sane number in its unit, and must be what the expression really compares
 * against: the dashboards, the runbook table and reviewers' diffs all read the declared one.
 */
export const alertThreshold: ModelCheck = {
  id: "alerts/threshold",
  kind: "house",
  severity: "error",
  summary:
    "A threshold that is not a number, is negative, is a percentage where a ratio is expected, or differs from the expression.",
  scope: "model",
  check(model, ctx) {
    return model.alerts.flatMap((alert): Finding[] => {
      const subject = `alert ${alert.name}`;
      const { op, value, unit, source } = alert.threshold;
      if (alert.imported && alert.threshold.placeholder)
        return [
          {
            subject,
            source: alert.source,
            message:
              "the expression does not end in a comparison with a number, so the alert has no threshold that dashboards, the runbook table and reviews can read",
            fix: "end the expression with its threshold, `${signal} ${thresholds.x}`, and declare `threshold: thresholds.x`.",
          },
        ];
      if (!Number.isFinite(value)) {
        return [
          {
            subject,
            source,
            message: `threshold ${value} is not a finite number`,
            fix: "write the number the alert compares against.",
          },
        ];
      }
      const problems: Finding[] = [];
      if (value < 0)
        problems.push({
          subject,
          source,
          message: `threshold ${value} is negative, which a ${unit} cannot be`,
          fix: "use a positive value; the operator says the direction.",
        });
      if (unit === "ratio" && value > 1) {
        problems.push({
          subject,
          source,
          message: `threshold ${value} is a ratio above 1: it looks like a percentage`,
          fix: `write it as a fraction: ${value / 100} for ${value}%.`,
        });
      }
      if (unit === "bool" && value !== 0 && value !== 1)
        problems.push({ subject, source, message: `threshold ${value} for a bool must be 0 or 1` });
      const parsed = ctx.parse(alert.expr, { grafana: false });
      const comparison = topComparison(alert.expr, parsed.tree);
      // No comparison at all is alerts/comparison's finding, except a selector alone, which a rule file may mean as "while
      // this exists": ours declare a threshold, so that one is ours to report.
      if (!comparison && !filtersByComparison(alert.expr, parsed.tree) && isPresenceAlert(parsed)) {
        problems.push({
          subject,
          source: alert.source,
          message: `the expression compares nothing: it fires while the selected series exist, whatever their value, not at the declared threshold \`${op} ${value}\``,
          fix: "interpolate the threshold into the expression (`${signal} ${thresholds.x}`).",
        });
      }
      if (!comparison) return problems;
      if (comparison.op !== op || comparison.value !== value || comparison.bool) {
        const written = `${comparison.op}${comparison.bool ? " bool" : ""} ${comparison.value ?? "(not a number)"}`;
        problems.push({
          subject,
          source: alert.source,
          message: comparison.bool
            ? `the expression compares \`${written}\`: with bool it returns 0 or 1 for every series, so the alert always fires`
            : `the expression compares \`${written}\` but the declared threshold is \`${op} ${value}\``,
          fix: "interpolate the threshold into the expression (`${signal} ${thresholds.x}`) instead of writing the number.",
        });
      }
      return problems;
    });
  },
};
