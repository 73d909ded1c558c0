import { closest } from "../../../text.ts";
import { fromElsewhere, type ExpressionCheck } from "../../check.ts";
import { selectors } from "../../../promql/parse.ts";

/** A selector names a series that the metric catalog does not declare: a typo, or an undeclared metric. */
export const unknownMetric: ExpressionCheck = {
  id: "promql/unknown-metric",
  kind: "house",
  severity: "error",
  summary: "A metric that the catalog does not declare.",
  scope: "expression",
  check(expr, _site, ctx) {
    return selectors(expr).flatMap((selector) => {
      const name = selector.metric;
      // Recorded series (with a colon) are rules/dependency's business.
      if (!name || name.includes(":") || ctx.seriesIndex.has(name)) return [];
      const suggestion = closest(name, ctx.seriesIndex.keys());
      return [
        {
          message: `unknown metric ${name}: the catalog declares no such series, so this query returns nothing`,
          fix: fromElsewhere(ctx)
            ? // The configuration turned the catalog on for this file: it either queries the catalog's metrics or not.
              `${suggestion ? `did you mean ${suggestion}? Otherwise correct the name` : "correct the name"}, or turn promql/unknown-metric off for this file in the configuration if it does not query the catalog's metrics.`
            : suggestion
              ? `did you mean ${suggestion}? Otherwise declare the metric in src/catalog/.`
              : "declare the metric in src/catalog/ with its type, unit and labels, or correct the name.",
          at: {
            from: (selector.metricNode ?? selector.node).from,
            to: (selector.metricNode ?? selector.node).to,
          },
        },
      ];
    });
  },
};
