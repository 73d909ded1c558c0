import type { SyntaxNode } from "@lezer/common";
import type { ExpressionCheck } from "../../check.ts";
import { selectors } from "../../../promql/parse.ts";
import { seriesType, typeNote } from "../../../promql/semantics.ts";

/** Functions that make sense over a counter's raw value. */
const consumers = new Set(["rate", "irate", "increase", "resets", "changes", "timestamp", "absent", "absent_over_time", "present_over_time", "count_over_time", "last_over_time"]);
/** Aggregations that count series rather than add values. */
const countingAggregations = new Set(["count", "group", "count_values"]);

/** Whether `node` lies in the right operand of `and` or `unless`, which only filters: its values never reach the result. */
function filterOnly(binary: SyntaxNode, node: SyntaxNode): boolean {
  if (!binary.getChild("And") && !binary.getChild("Unless")) return false;
  const right = binary.lastChild;
  return !!right && node.from >= right.from;
}

function consumed(expr: { text: string }, node: SyntaxNode): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    // `x and on (instance) requests_total > 0`: a guard that the counter has counted something, as kubernetes-mixin writes.
    if (parent.name === "BinaryExpr" && filterOnly(parent, node)) return true;
    if (parent.name === "FunctionCall") {
      const id = parent.getChild("FunctionIdentifier")!;
      return consumers.has(expr.text.slice(id.from, id.to));
    }
    if (parent.name === "AggregateExpr" && countingAggregations.has(expr.text.slice(parent.firstChild!.from, parent.firstChild!.to))) return true;
  }
  return false;
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
    return selectors(expr).flatMap((selector) => {
      const type = selector.metric ? seriesType(selector.metric, ctx) : { kind: "unknown" as const };
      const { kind } = type;
      if ((kind !== "counter" && kind !== "bucket") || consumed(expr, selector.node)) return [];
      return [
        {
          message: `${kind === "bucket" ? "histogram bucket" : "counter"} ${selector.metric}${typeNote(type)} is used as a raw value: it is a total since the process started and resets on every restart`,
          fix: `wrap it: rate(${selector.metric}{...}[$__rate_interval]) for per-second, increase(...) for a count over the window.`,
          at: { from: selector.node.from, to: selector.node.to },
        },
      ];
    });
  },
};
