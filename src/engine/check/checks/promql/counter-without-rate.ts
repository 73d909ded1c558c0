import { suggestedRateWindow, type ExpressionCheck } from "../../check.ts";
import { selectors, type ParsedExpression } from "../../../promql/parse.ts";
import { seriesType, typeNote } from "../../../promql/semantics.ts";

/** Functions that make sense over a counter's raw value. */
const consumers = new Set([
  "rate",
  "irate",
  "increase",
  "resets",
  "changes",
  "timestamp",
  "absent",
  "absent_over_time",
  "present_over_time",
  "count_over_time",
  "last_over_time",
]);
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
  // The right operands of `and` and `unless`, which only filter: their values never reach the result
  // (`x and on (instance) requests_total > 0`, a guard that the counter has counted something, as kubernetes-mixin writes).
  const filters = new Set<string>();
  expr.tree.iterate({
    enter: (node) => {
      const key = `${node.from}:${node.to}:${node.name}`;
      const inherited = (under[under.length - 1] ?? false) || filters.has(key);
      if (node.name === "VectorSelector" && inherited) consumed.add(node.from);
      if (node.name === "BinaryExpr" && (node.node.getChild("And") || node.node.getChild("Unless"))) {
        const right = node.node.lastChild;
        if (right) filters.add(`${right.from}:${right.to}:${right.name}`);
      }
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
  kind: "correctness",
  severity: "error",
  summary: "A counter graphed or compared as a raw value, without rate() or increase().",
  scope: "expression",
  check(expr, site, ctx) {
    if (site.kind === "dashboard-variable") return [];
    let consumed: Set<number> | undefined;
    return selectors(expr).flatMap((selector) => {
      const type = selector.metric ? seriesType(selector.metric, ctx) : { kind: "unknown" as const };
      const { kind } = type;
      if (kind !== "counter" && kind !== "bucket") return [];
      if ((consumed ??= consumedSelectors(expr)).has(selector.node.from)) return [];
      return [
        {
          message: `${kind === "bucket" ? "histogram bucket" : "counter"} ${selector.metric}${typeNote(type)} is used as a raw value: it is a total since the process started and resets on every restart`,
          fix: `wrap it: rate(${selector.metric}{...}[${suggestedRateWindow(site, ctx)}]) for per-second, increase(...) for a count over the window.`,
          at: { from: selector.node.from, to: selector.node.to },
        },
      ];
    });
  },
};
