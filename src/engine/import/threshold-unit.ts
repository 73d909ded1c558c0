/**
 * The unit of a threshold that `o11y import rules` names, inferred from what the expression compares: the left side
 * of its final comparison. In this order:
 *
 * - `bool`: a comparison for equality with 0 or 1 (`== 0`, `!= 1`) is a state; so is `< 1`, `> 0`, `<= 0` or `>= 1` of
 *   a series whose name says yes or no (`up`, `..._up`, `...:present`, `..._healthy`, `..._success`).
 * - `percent`: the compared value is multiplied by 100 (`a / b * 100 > 80`, `100 - a / b * 100 > 90`), or its
 *   series' names end in `_percent`.
 * - otherwise what its metrics measure, as dashboard/unit-fit works it out (src/engine/check/checks/dashboard/
 *   unit-fit.ts): each catalog metric's unit, each recording rule's expression, else the name's suffix (`_seconds`,
 *   `_bytes`, `_ratio`; `_count` and `_bucket` count), through rate(), histogram_quantile(), aggregations and
 *   arithmetic. A duration is `seconds`; a size, or a size per second, `bytes`; a share (bytes over bytes), or a
 *   duration per second (CPU or disk seconds a second), `ratio`, unless the threshold is above 1, which is a multiple,
 *   a `count`; anything else, or nothing known, `count`.
 *
 * The reason goes into the threshold's comment in src/alerts/thresholds.ts and into the import's report.
 */
import { measureOf } from "../check/checks/dashboard/unit-fit.ts";
import type { ThresholdUnit } from "../define/alerting.ts";
import { nodesNamed, parsePromQL, selectors, type ParsedExpression } from "../promql/parse.ts";
import { children, isExpression, type Semantics } from "../promql/semantics.ts";
import type { SyntaxNode } from "@lezer/common";

export interface InferredUnit {
  unit: ThresholdUnit;
  /** Why, in a few words: `bytes over bytes (node_memory_MemAvailable_bytes, node_memory_MemTotal_bytes)`. */
  why: string;
}

const yesNoName = /(?:^|[_:])(?:up|present|healthy|success|succeeded|ok|ready|available)$/;

/** The expression inside parentheses, as far down as they go. */
function unwrap(node: SyntaxNode | null | undefined): SyntaxNode | null | undefined {
  while (node?.name === "ParenExpr") node = [...children(node)].find(isExpression);
  return node;
}

const aggregations = new Set(["sum", "avg", "min", "max", "quantile", "topk", "bottomk"]);
const keepsValue = new Set([
  "abs",
  "ceil",
  "floor",
  "round",
  "clamp",
  "clamp_min",
  "clamp_max",
  "sort",
  "sort_desc",
]);

/**
 * Whether a value is a percentage by its arithmetic: something times 100 (`a / b * 100`, `a * 100 / b`), a number
 * plus or minus a percentage (`100 - a / b * 100`), or an aggregation or rounding of one.
 */
function isPercentage(expr: ParsedExpression, node: SyntaxNode | null | undefined, depth = 0): boolean {
  node = unwrap(node);
  if (!node || depth > 50) return false;
  const next = (n: SyntaxNode | undefined) => isPercentage(expr, n, depth + 1);
  const literal = (n: SyntaxNode | undefined) => {
    const inner = unwrap(n);
    return inner?.name === "NumberDurationLiteral"
      ? Number(expr.text.slice(inner.from, inner.to))
      : undefined;
  };
  if (node.name === "BinaryExpr") {
    const [left, right] = [...children(node)].filter(isExpression);
    if (node.getChild("Mul"))
      return literal(left) === 100 || literal(right) === 100 || next(left) || next(right);
    if (node.getChild("Div")) return next(left);
    if (node.getChild("Add") || node.getChild("Sub"))
      return (
        (next(left) && (literal(right) !== undefined || next(right))) ||
        (literal(left) !== undefined && next(right))
      );
    return false;
  }
  if (node.name === "AggregateExpr") {
    const op = expr.text.slice(node.firstChild!.from, node.firstChild!.to).toLowerCase();
    const operands = [...children(node.getChild("FunctionCallBody") ?? node)].filter(isExpression);
    return aggregations.has(op) && next(operands[operands.length - 1]);
  }
  if (node.name === "FunctionCall") {
    const id = node.getChild("FunctionIdentifier");
    const operands = [...children(node.getChild("FunctionCallBody") ?? node)].filter(isExpression);
    return id !== null && keepsValue.has(expr.text.slice(id.from, id.to)) && next(operands[0]);
  }
  return false;
}

const names = (expr: ParsedExpression) => [
  ...new Set(selectors(expr).flatMap((s) => (s.metric ? [s.metric] : []))),
];

const listed = (metrics: string[]) =>
  metrics.length ? ` (${metrics.slice(0, 3).join(", ")}${metrics.length > 3 ? ", ..." : ""})` : "";

/**
 * The semantics with an entry for each series neither the catalog nor a recording rule knows, by its name as
 * Prometheus's naming conventions have it: `_seconds` (a counter of them: `_seconds_total`) a duration, `_bytes` a
 * size, `_ratio` a share, anything else a count; a counter when it ends in `_total`. unit-fit's own reading of names
 * knows no `_total` and no plain count, which a rule file's metrics, mostly outside the catalog, need.
 */
function withNamedUnits(semantics: Semantics, metrics: string[]): Semantics {
  const unknown = metrics.filter((m) => !semantics.seriesIndex.has(m) && !semantics.recordingRules.has(m));
  if (!unknown.length) return semantics;
  const seriesIndex = new Map(semantics.seriesIndex);
  for (const name of unknown) {
    const counter = name.endsWith("_total");
    const base = counter ? name.slice(0, -"_total".length) : name;
    // Buckets and _count series count observations whatever the metric's unit (unit-fit knows).
    const unit = /_seconds(_sum|_bucket)?$/.test(base)
      ? "s"
      : /_bytes(_sum|_bucket)?$/.test(base)
        ? "bytes"
        : /_ratio$/.test(base)
          ? "percentunit"
          : "short";
    seriesIndex.set(name, { name, type: counter ? "counter" : "gauge", unit, series: [name] } as never);
  }
  return { ...semantics, seriesIndex };
}

export function inferThresholdUnit(
  left: string,
  op: string,
  value: number,
  semantics: Semantics,
): InferredUnit {
  const expr = parsePromQL(left, { grafana: false });
  const top = expr.tree.topNode.firstChild;
  const metrics = names(expr);
  semantics = withNamedUnits(semantics, metrics);
  const from = listed(metrics);
  if ((op === "==" || op === "!=") && (value === 0 || value === 1))
    return { unit: "bool", why: `compared for equality with ${value}: a state${from}` };
  const yesNo = metrics.length === 1 && yesNoName.test(metrics[0]!);
  const stateBound =
    (op === "<" && value === 1) ||
    (op === ">" && value === 0) ||
    (op === "<=" && value === 0) ||
    (op === ">=" && value === 1);
  if (yesNo && stateBound) return { unit: "bool", why: `${metrics[0]} says yes (1) or no (0) by its name` };
  if (isPercentage(expr, top)) return { unit: "percent", why: `multiplied by 100: a percentage${from}` };
  if (metrics.length && metrics.every((m) => /_(percent|percentage|pct)$/.test(m)))
    return { unit: "percent", why: `a percentage by its name${from}` };
  // A rate of anything counts per second, which unit-fit leaves unnamed; below, a count.
  const measure = nodesNamed(expr, "VectorSelector").length ? measureOf(expr, top, semantics) : "number";
  switch (measure) {
    case "duration":
      return { unit: "seconds", why: `a duration, by its metrics' units and names${from}` };
    case "size":
      return { unit: "bytes", why: `a size, by its metrics' units and names${from}` };
    case "size per second":
      return { unit: "bytes", why: `bytes per second, by its metrics' units and names${from}` };
    case "share":
    case "duration per second": {
      const what =
        measure === "share" ? "a share: one quantity over another of its kind" : "seconds per second";
      if (value > 1)
        return { unit: "count", why: `${what}, but compared with ${value}, above 1: a multiple${from}` };
      return { unit: "ratio", why: `${what}${from}` };
    }
    case "count":
    case "count per second":
      return { unit: "count", why: `a count, or a count per second${from}` };
    default: {
      // A recorded series says what it is in its name (level:metric:operations): `...:drop_ratio1h`.
      const ratio =
        metrics.length > 0 &&
        metrics.every((m) => /(^|[_:])ratio/.test(m.split(":").slice(1).join(":") || m));
      if (ratio && value <= 1) return { unit: "ratio", why: `a ratio by its name${from}` };
      return {
        unit: "count",
        why: `no unit known from its metrics' catalog entries or names, so a plain number${from}`,
      };
    }
  }
}

const comparisonNodes = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);
const eventFunctions = new Set(["rate", "irate", "increase"]);

/**
 * The traffic guard of an alert's expression, as alerts/traffic-guard reads one: the first right operand of an
 * `and` that compares a count of events (a rate(), irate() or increase() in it) with a number,
 * `... and on (job) sum by (job) (increase(requests[5m])) >= 100`; its operator, number and their offsets.
 */
export function trafficGuardOf(
  expr: ParsedExpression,
): { op: string; value: number; at: { from: number; to: number } } | undefined {
  for (const node of nodesNamed(expr, "BinaryExpr")) {
    if (!node.getChild("And")) continue;
    const right = unwrap([...children(node)].filter(isExpression)[1]);
    if (right?.name !== "BinaryExpr" || right.getChild("BoolModifier")) continue;
    const operator = [...children(right)].find((c) => comparisonNodes.has(c.name));
    const [left, number] = [...children(right)].filter(isExpression);
    if (!operator || !left || number?.name !== "NumberDurationLiteral") continue;
    const value = Number(expr.text.slice(number.from, number.to));
    if (!Number.isFinite(value)) continue;
    let counts = false;
    for (let cursor = left.cursor(); !counts && cursor.next() && cursor.from < left.to;)
      if (cursor.name === "FunctionIdentifier" && eventFunctions.has(expr.text.slice(cursor.from, cursor.to)))
        counts = true;
    if (counts)
      return {
        op: expr.text.slice(operator.from, operator.to),
        value,
        at: { from: operator.from, to: number.to },
      };
  }
  return undefined;
}
