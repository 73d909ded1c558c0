import type { ExpressionCheck } from "../../check.ts";
import { selectors } from "../../../promql/parse.ts";
import { seriesLabels } from "../../../promql/semantics.ts";

/** Each picker's matcher, and the values that follow the picker, in each of Grafana's spellings. */
const required = [
  { label: "job", value: "$job", accepted: ["$job", "${job}", "[[job]]"] },
  { label: "instance", value: "$instance", accepted: ["$instance", "${instance}", "[[instance]]"] },
];

/**
 * Every selector in a panel query must follow the job and instance pickers, or the panel ignores them.
 * A recorded series aggregated past `instance` (job:x:rate5m) only needs the job matcher.
 */
export const jobInstanceMatchers: ExpressionCheck = {
  id: "dashboard/job-instance-matchers",
  kind: "house",
  severity: "error",
  summary: 'A panel query selector without `job=~"$job", instance=~"$instance"`.',
  scope: "expression",
  check(expr, site, ctx) {
    if (site.kind !== "dashboard-query") return [];
    return selectors(expr).flatMap((selector) => {
      const carried = selector.metric ? seriesLabels(selector.metric, ctx) : undefined;
      const missing = required
        .filter(({ label }) => !carried || carried.has(label))
        .filter(
          ({ label, accepted }) =>
            !selector.matchers.some((m) => m.label === label && m.op === "=~" && accepted.includes(m.value)),
        );
      if (missing.length === 0) return [];
      return [
        {
          message: `selector ${expr.text.slice(selector.node.from, selector.node.to)} lacks ${missing.map((m) => `${m.label}=~"${m.value}"`).join(" and ")}, so the panel ignores the pickers`,
          fix: "add the kit's `sel` inside the braces: {${sel}}.",
          at: { from: selector.node.from, to: selector.node.to },
        },
      ];
    });
  },
};
