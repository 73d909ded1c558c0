import type { SyntaxNode } from "@lezer/common";
import { suggestedRateWindow, type ExpressionCheck, type Finding } from "../../check.ts";
import { nodesNamed, rangeArgument, type ParsedExpression } from "../../../promql/parse.ts";
import {
  children,
  groupingLabels,
  isExpression,
  seriesType,
  typeNote,
  type Semantics,
} from "../../../promql/semantics.ts";

const rateFunctions = new Set(["rate", "irate", "increase"]);
/**
 * Aggregations whose result per `le` is still a bucket: sums, and per-bucket picks (max, min, and topk and its kin,
 * which keep whole series: kubernetes-mixin's `topk by (instance, le, ...) (1, rate(..._bucket[5m]))` drops duplicates).
 */
const bucketPreserving = new Set(["sum", "max", "min", "topk", "bottomk", "limitk", "limit_ratio"]);
const aggregating = new Set(["sum", "max", "min"]);
const text = (expr: ParsedExpression, node: SyntaxNode) => expr.text.slice(node.from, node.to);

/**
 * Whether what an aggregation reads may be native histograms, which have no `le`: every series it reads is one the
 * catalog and the recording rules do not know and not a `_bucket` (a rule file from elsewhere, Prometheus 3).
 */
function mayBeNative(expr: ParsedExpression, node: SyntaxNode, sem: Semantics): boolean {
  const names: string[] = [];
  for (const selector of nodesNamed(expr, "VectorSelector")) {
    if (selector.from < node.from || selector.to > node.to) continue;
    const name = selector.getChild("Identifier");
    if (!name) return false;
    names.push(text(expr, name));
  }
  return (
    names.length > 0 &&
    names.every((name) => !name.endsWith("_bucket") && seriesType(name, sem).kind === "unknown")
  );
}

/** What feeds histogram_quantile, looking through parentheses and aggregations (in a loop: they may nest deep). */
function inspect(
  expr: ParsedExpression,
  input: SyntaxNode,
  sem: Semantics,
  window: string,
): { problem?: string; fix?: string } {
  for (let node: SyntaxNode | undefined = input; node;) {
    const step = inspectOne(expr, node, sem, window);
    if ("next" in step) node = step.next;
    else return step;
  }
  return {};
}

/** What one node says of the histogram, or the node under it to look at next. */
function inspectOne(
  expr: ParsedExpression,
  node: SyntaxNode,
  sem: Semantics,
  /** The rate window a fix suggests (suggestedRateWindow). */
  window: string,
): { problem?: string; fix?: string } | { next: SyntaxNode | undefined } {
  if (node.name === "ParenExpr") return { next: [...children(node)].find(isExpression) };
  if (node.name === "AggregateExpr") {
    const op = text(expr, node.firstChild!);
    const modifier = node.getChild("AggregateModifier");
    const labels = groupingLabels(expr, modifier);
    const keepsLe = modifier?.getChild("By")
      ? labels.includes("le")
      : modifier?.getChild("Without")
        ? !labels.includes("le")
        : false;
    if (!bucketPreserving.has(op))
      return {
        problem: `${op}() of buckets is not a histogram`,
        fix: "aggregate buckets with sum by (le, ...).",
      };
    if (!keepsLe && !mayBeNative(expr, node, sem)) {
      const others = labels.filter((l) => l !== "le");
      const fix =
        modifier?.getChild("Without") && others.length
          ? `remove le from without(): ${op} without (${others.join(", ")}) (...).`
          : `keep it: ${op} by (${["le", ...(modifier?.getChild("Without") ? [] : others)].join(", ")}) (...).`;
      if (!aggregating.has(op))
        return {
          problem: `${op}() without le among its groups picks among all buckets together, so those left are not a histogram`,
          fix,
        };
      return {
        problem: `${op}() drops the le label, which histogram_quantile needs to find the buckets`,
        fix,
      };
    }
    // The vector is the last argument: topk's first is k.
    return { next: [...children(node.getChild("FunctionCallBody"))].filter(isExpression).at(-1) };
  }
  if (node.name === "FunctionCall") {
    const fn = text(expr, node.getChild("FunctionIdentifier")!);
    if (!rateFunctions.has(fn))
      return { problem: `${fn}() of buckets is not a bucket rate`, fix: "use rate(..._bucket[...])." };
    const name = rangeArgument(node)?.getChild("VectorSelector")?.getChild("Identifier");
    if (!name) return {};
    const metric = text(expr, name);
    const type = seriesType(metric, sem);
    return type.kind === "bucket" || type.kind === "unknown"
      ? {}
      : {
          problem: `${metric}${typeNote(type)} is not a histogram's _bucket series`,
          fix: "take the quantile of a histogram's _bucket series.",
        };
  }
  if (node.name === "VectorSelector") {
    const name = node.getChild("Identifier");
    const metric = name ? text(expr, name) : "";
    const type = seriesType(metric, sem);
    const { kind } = type;
    if (kind === "recorded-bucket-rate" || kind === "unknown" || kind === "recorded") return {};
    if (kind === "bucket") {
      return {
        problem: `it reads raw bucket counters${typeNote(type)}: counts since the process started, mixed across every series, not the recent distribution`,
        fix: `histogram_quantile(φ, sum by (le) (rate(${metric}[${window}])))`,
      };
    }
    return {
      problem: `${metric} is a ${kind}${typeNote(type)}, not a histogram's buckets`,
      fix: "take the quantile of a histogram's _bucket series.",
    };
  }
  return {};
}

/** histogram_quantile needs per-second bucket rates, aggregated with `le` kept; anything else gives a plausible wrong number. */
export const histogramQuantile: ExpressionCheck = {
  id: "promql/histogram-quantile",
  kind: "correctness",
  severity: "error",
  summary:
    "histogram_quantile over something that is not a rate of _bucket series, or an aggregation that drops `le`.",
  scope: "expression",
  check(expr, site, ctx) {
    const findings: Finding[] = [];
    for (const call of nodesNamed(expr, "FunctionCall")) {
      if (text(expr, call.getChild("FunctionIdentifier")!) !== "histogram_quantile") continue;
      const [phi, input] = [...children(call.getChild("FunctionCallBody"))].filter(isExpression);
      if (
        phi?.name === "NumberDurationLiteral" ||
        (phi?.name === "UnaryExpr" && phi.lastChild?.name === "NumberDurationLiteral")
      ) {
        const value = Number(text(expr, phi).replace(/\s+/g, ""));
        if (!(value >= 0 && value <= 1))
          findings.push({
            message: `quantile ${value} is outside 0..1`,
            fix: "write the quantile as a fraction: 0.95 for p95.",
            at: { from: phi.from, to: phi.to },
          });
      }
      if (!input) continue;
      const { problem, fix } = inspect(expr, input, ctx, suggestedRateWindow(site, ctx));
      if (problem)
        findings.push({
          message: `histogram_quantile over ${text(expr, input).slice(0, 80)}: ${problem}`,
          fix,
          at: { from: input.from, to: input.to },
        });
    }
    return findings;
  },
};
