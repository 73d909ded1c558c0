import { closest } from "../../../text.ts";
import type { ExpressionCheck, Finding } from "../../check.ts";
import { selectors } from "../../../promql/parse.ts";

/**
 * With `o11y check --prometheus <url>`: a selector that matches nothing on that server returns nothing there. A name it
 * has never stored is an error; a name it has, whose label matchers match no series now, a warning: such series may
 * come later (errors, say).
 */
export const series: ExpressionCheck = {
  id: "promql/series",
  kind: "correctness",
  severity: "error",
  summary: "With --prometheus: a selector that matches no series on that server.",
  scope: "expression",
  check(expr, _site, ctx) {
    const live = ctx.live;
    if (!live) return [];
    const findings: Finding[] = [];
    for (const selector of selectors(expr)) {
      const name = selector.metric;
      // Series recorded by the rules checked are there once the rules are loaded.
      if (name !== undefined && ctx.recordingRules.has(name)) continue;
      const at = { from: selector.node.from, to: selector.node.to };
      if (name !== undefined && !live.names.has(name)) {
        const suggestion = closest(name, live.names);
        findings.push({
          message: `no series named ${name} on ${live.url}: this query returns nothing there`,
          fix: suggestion
            ? `did you mean ${suggestion}? Otherwise make sure a target exports it to that server.`
            : "make sure a target exports it to that server, or correct the name.",
          at: {
            from: (selector.metricNode ?? selector.node).from,
            to: (selector.metricNode ?? selector.node).to,
          },
        });
        continue;
      }
      const written = expr.text.slice(selector.node.from, selector.node.to);
      if (live.matches(written) === false) {
        findings.push({
          message: `no series matches ${written} on ${live.url} now${name ? ` (it has series named ${name})` : ""}`,
          fix: "check the label values against that server's series; if they appear only when something goes wrong, this is expected.",
          at,
          severity: "warning",
        });
      }
    }
    return findings;
  },
};
