import type { ExpressionCheck } from "../../check.ts";
import { selectors, type ParsedExpression } from "../../../promql/parse.ts";
import { seriesKind } from "../../../promql/semantics.ts";

/** Functions that make sense over a counter's raw value. */
const consumers = new Set(["rate", "irate", "increase", "resets", "changes", "timestamp", "absent", "absent_over_time", "present_over_time", "count_over_time", "last_over_time"]);
/** Aggregations that count series rather than add values. */
const countingAggregations = new Set(["count", "group", "count_values"]);

/**
 * Where the selectors start that a consumer takes: the closest function call around a selector decides, and a
 * counting aggregation on the way to it consumes it too. One pass down the tree (asking each selector's parents
 * instead is quadratic in a chain of ten thousand operands).
 */
function consumedSelectors(expr: ParsedExpression): Set<number> {
  const consumed = new Set<number>();
  // Per open node: whether what is under it is consumed.
  const under: boolean[] = [];
  expr.tree.iterate({
    enter: (node) => {
      const inherited = under[under.length - 1] ?? false;
      if (node.name === "VectorSelector" && inherited) consumed.add(node.from);
      let decision = inherited;
      if (node.name === "FunctionCall") {
        const id = node.node.getChild("FunctionIdentifier");
        decision = !!id && consumers.has(expr.text.slice(id.from, id.to));
      } else if (node.name === "AggregateExpr") {
        const op = node.node.firstChild;
        if (op && countingAggregations.has(expr.text.slice(op.from, op.to))) decision = true;
      }
      under.push(decision);
    },
    leave: () => {
      under.pop();
    },
  });
  return consumed;
}

/**
 * A counter's raw value is the total since the process started: it depends on uptime, drops to zero on
 * every deploy, and compared to a threshold it fires at random. Graph or compare its rate instead.
 */
export const counterWithoutRate: ExpressionCheck = {
  id: "promql/counter-without-rate",
  severity: "error",
  summary: "A counter graphed or compared as a raw value, without rate() or increase().",
  scope: "expression",
  check(expr, site, ctx) {
    if (site.kind === "dashboard-variable") return [];
    let consumed: Set<number> | undefined;
    return selectors(expr).flatMap((selector) => {
      const kind = selector.metric ? seriesKind(selector.metric, ctx) : "unknown";
      if (kind !== "counter" && kind !== "bucket") return [];
      if ((consumed ??= consumedSelectors(expr)).has(selector.node.from)) return [];
      return [
        {
          message: `${kind === "bucket" ? "histogram bucket" : "counter"} ${selector.metric} is used as a raw value: it is a total since the process started and resets on every restart`,
          fix: `wrap it: rate(${selector.metric}{...}[$__rate_interval]) for per-second, increase(...) for a count over the window.`,
          at: { from: selector.node.from, to: selector.node.to },
        },
      ];
    });
  },
};
