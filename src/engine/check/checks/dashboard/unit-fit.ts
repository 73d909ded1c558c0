import type { SyntaxNode } from "@lezer/common";
import { unitCategory } from "../../../grafana/units.ts";
import type { ParsedExpression } from "../../../promql/parse.ts";
import { children, isExpression, type Semantics } from "../../../promql/semantics.ts";
import type { CheckContext, DashboardCheck, ExpressionFact, Finding } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/** What a query's values measure, where its metrics say: a duration, a size, a size per second, or a share. */
export type Measure = "duration" | "size" | "size per second" | "share";
/** Unknown (`undefined`), a plain count or number, a rate that no unit here draws, or one of the measures. */
type Inferred = Measure | "count" | "count per second" | "duration per second" | "number" | undefined;

const perSecondOf: Partial<Record<NonNullable<Inferred>, Inferred>> = {
  size: "size per second",
  count: "count per second",
  duration: "duration per second",
};
/** The mean of a rate of a sum over the rate of its count: `rate(x_seconds_sum) / rate(x_seconds_count)` is seconds. */
const meanOf: Partial<Record<NonNullable<Inferred>, Inferred>> = {
  "size per second": "size",
  "duration per second": "duration",
};

/** The Grafana unit categories each measure is drawn in, and the unit to suggest. */
const fits: Record<Measure, { categories: string[]; units?: string[]; suggest: string }> = {
  duration: { categories: ["Time"], suggest: "s" },
  size: { categories: ["Data"], suggest: "bytes" },
  "size per second": { categories: ["Data rate"], suggest: "Bps" },
  share: { categories: [], units: ["percentunit"], suggest: "percentunit" },
};

/** What a catalog unit id says one sample measures (a counter's unit may be its rate's: `reqps`, `Bps`). */
function measureOfUnit(unit: string, counter: boolean): Inferred {
  const category = unitCategory(unit);
  if (category === "Time" && unit !== "hertz") return "duration";
  if (category === "Data" || (counter && category === "Data rate")) return "size";
  if (unit === "percentunit") return "share";
  if (counter || unit === "short" || unit === "none") return "count";
  return undefined;
}

/** The measure of one series: its catalog metric's unit, a recording rule's expression, or its name's suffix. */
function seriesMeasure(name: string, sem: Semantics, depth: number, inQuantile: boolean): Inferred {
  const recorded = sem.recordingRules.get(name);
  if (recorded) {
    const parse = sem.parse ?? (() => undefined);
    const expr = parse(recorded.expr, { grafana: false });
    // Under histogram_quantile a recorded rate of buckets is still buckets, as a rate written out is.
    return expr ? measureOf(expr, expr.tree.topNode.firstChild, sem, depth + 1, inQuantile) : undefined;
  }
  const metric = sem.seriesIndex.get(name);
  // Buckets and _count series count observations; only a quantile over buckets is in the metric's unit.
  const counts = name.endsWith("_count") || (name.endsWith("_bucket") && !inQuantile);
  if (metric) return counts ? "count" : measureOfUnit(metric.unit, metric.type === "counter");
  if (counts) return "count";
  if (/_seconds(_sum|_bucket)?$/.test(name)) return "duration";
  if (/_bytes(_sum|_bucket)?$/.test(name)) return "size";
  if (/_ratio$/.test(name)) return "share";
  return undefined;
}

const sameMeasure = new Set(["sum", "avg", "min", "max", "quantile", "topk", "bottomk", "stddev", "limitk"]);
const keepsMeasure = new Set([
  "abs",
  "ceil",
  "floor",
  "round",
  "clamp",
  "clamp_min",
  "clamp_max",
  "sort",
  "sort_desc",
  "label_replace",
  "label_join",
  "increase",
  "delta",
  "idelta",
  "avg_over_time",
  "min_over_time",
  "max_over_time",
  "sum_over_time",
  "last_over_time",
  "quantile_over_time",
  // A prediction of a value is in the value's unit.
  "predict_linear",
]);
const perSecond = new Set(["rate", "irate", "deriv"]);

const text = (expr: ParsedExpression, node: SyntaxNode) => expr.text.slice(node.from, node.to);
const args = (node: SyntaxNode) =>
  [...children(node.getChild("FunctionCallBody") ?? node)].filter(isExpression);

/** What an expression's values measure, from its metrics; undefined where that cannot be told. */
export function measureOf(
  expr: ParsedExpression,
  node: SyntaxNode | null | undefined,
  sem: Semantics,
  depth = 0,
  inQuantile = false,
): Inferred {
  // Deep expressions are promql/nesting-depth's; a measure is not worth following that far.
  if (!node || depth > 100) return undefined;
  const next = (child: SyntaxNode | null | undefined, quantile = inQuantile) =>
    measureOf(expr, child, sem, depth + 1, quantile);
  switch (node.name) {
    case "NumberDurationLiteral":
    case "NumberLiteral":
      return "number";
    case "ParenExpr":
    case "UnaryExpr":
    case "OffsetExpr":
    case "SubqueryExpr":
    case "StepInvariantExpr":
    case "MatrixSelector":
      return next([...children(node)].find(isExpression));
    case "VectorSelector": {
      const name = node.getChild("Identifier");
      return name ? seriesMeasure(text(expr, name), sem, depth, inQuantile) : undefined;
    }
    case "AggregateExpr": {
      const op = text(expr, node.firstChild!).toLowerCase();
      if (op === "count" || op === "count_values" || op === "group") return "count";
      const operands = args(node);
      return sameMeasure.has(op) ? next(operands[operands.length - 1]) : undefined;
    }
    case "FunctionCall": {
      const name = text(expr, node.getChild("FunctionIdentifier") ?? node).toLowerCase();
      const operands = args(node);
      if (name === "histogram_quantile") return next(operands[1], true);
      if (name === "count_over_time") return "count";
      if (name === "vector" || name === "time") return "number";
      if (keepsMeasure.has(name)) return next(operands[0]);
      if (perSecond.has(name)) {
        const inner = next(operands[0]);
        // Under histogram_quantile a rate of buckets is still buckets: the quantile is in their bound's unit.
        return inQuantile ? inner : inner === undefined ? undefined : perSecondOf[inner];
      }
      return undefined;
    }
    case "BinaryExpr": {
      const [left, right] = [...children(node)].filter(isExpression);
      const op = [...children(node)].find(
        (c) => !isExpression(c) && c.name !== "MatchingModifierClause",
      )?.name;
      const [l, r] = [next(left), next(right)];
      if (op === "Div") {
        if (l !== undefined && l === r && l !== "number") return "share";
        if (l !== undefined && r === "count per second" && meanOf[l]) return meanOf[l];
        // A share over a constant is a multiple of it (a burn rate: the error ratio over the budget), no share.
        return r === "number" && l !== "share" ? l : undefined;
      }
      // A share times a constant is a percentage or a multiple, no share of 1 either.
      if (op === "Mul") {
        const scaled = l === "number" ? r : r === "number" ? l : undefined;
        return scaled === "share" ? undefined : scaled;
      }
      if (op === "Add" || op === "Sub")
        return l === r ? l : l === "number" ? r : r === "number" ? l : undefined;
      // Comparisons filter the left side; and/unless keep it; or joins both.
      if (op === "Or") return l === r || r === "number" ? l : l === "number" ? r : undefined;
      return ["And", "Unless", "Gtr", "Gte", "Lss", "Lte", "Eql", "Neq"].includes(op ?? "") ? l : undefined;
    }
    default:
      return undefined;
  }
}

function fitsUnit(measure: Measure, unit: string): boolean {
  const fit = fits[measure];
  const category = unitCategory(unit);
  return (fit.units ?? []).includes(unit) || (category !== undefined && fit.categories.includes(category));
}

/** What a dashboard query measures; undefined where that cannot be told, or the query does not parse. */
const queryMeasure: ExpressionFact<Inferred> = {
  of: (parsed, ctx) =>
    parsed.errorAt === undefined ? measureOf(parsed, parsed.tree.topNode.firstChild, ctx) : undefined,
};

/**
 * A panel whose unit does not fit what its queries measure: seconds drawn in bytes, bytes in seconds, a share of
 * one in a unit that does not show it as a percentage. A warning: the measure is worked out from the metrics'
 * units and names, and a query can mean something they do not say.
 */
export const unitFit: DashboardCheck = {
  id: "dashboard/unit-fit",
  kind: "house",
  severity: "warning",
  summary:
    "A panel unit that does not fit what its queries measure (seconds in bytes, a ratio not in percentunit).",
  scope: "dashboard",
  facts: [queryMeasure],
  check(dashboard, ctx: CheckContext) {
    return dashboard.panels.flatMap((panel): Finding[] => {
      // A heatmap's unit is its buckets' bound (le), not its cells' counts; an unknown unit is dashboard/panel-unit's.
      const unit = panel.unit;
      if (panel.type === "heatmap" || !unit || unitCategory(unit) === undefined || unit.includes(":"))
        return [];
      return panel.targets.flatMap((target): Finding[] => {
        if (!target.expr.trim()) return [];
        const measure = ctx.fact(target.expr, { grafana: true }, queryMeasure) as Measure | undefined;
        if (measure === undefined || !(measure in fits)) return [];
        if (fitsUnit(measure, unit)) return [];
        return [
          {
            subject: `${panelSubject(dashboard, panel)} › query ${target.refId}`,
            source: panel.source,
            message: `the query's values are a ${measure}, but the panel draws them in ${unit}`,
            fix: `set \`unit: "${fits[measure].suggest}"\`${measure === "share" ? " (a share of 1 shown as a percentage)" : ""}, or correct the query.`,
          },
        ];
      });
    });
  },
};
