import type { SyntaxNode } from "@lezer/common";
import type { ExpressionCheck, Finding } from "../../check.ts";
import { nodesNamed, rangeArgument, type ParsedExpression } from "../../../promql/parse.ts";
import { children, groupingLabels, isExpression, seriesKind, type Semantics } from "../../../promql/semantics.ts";

const rateFunctions = new Set(["rate", "irate", "increase"]);
const text = (expr: ParsedExpression, node: SyntaxNode) => expr.text.slice(node.from, node.to);

/** What feeds histogram_quantile, looking through parentheses and aggregations. */
function inspect(expr: ParsedExpression, node: SyntaxNode, sem: Semantics): { problem?: string; fix?: string } {
  if (node.name === "ParenExpr") {
    const inner = [...children(node)].find(isExpression);
    return inner ? inspect(expr, inner, sem) : {};
  }
  if (node.name === "AggregateExpr") {
    const op = text(expr, node.firstChild!);
    const modifier = node.getChild("AggregateModifier");
    const labels = groupingLabels(expr, modifier);
    const keepsLe = modifier?.getChild("By") ? labels.includes("le") : modifier?.getChild("Without") ? !labels.includes("le") : false;
    if (op !== "sum" && op !== "max" && op !== "min") return { problem: `${op}() of buckets is not a histogram`, fix: "aggregate buckets with sum by (le, ...)." };
    if (!keepsLe) {
      const others = labels.filter((l) => l !== "le");
      const fix =
        modifier?.getChild("Without") && others.length
          ? `remove le from without(): ${op} without (${others.join(", ")}) (...).`
          : `keep it: ${op} by (${["le", ...(modifier?.getChild("Without") ? [] : others)].join(", ")}) (...).`;
      return { problem: `${op}() drops the le label, which histogram_quantile needs to find the buckets`, fix };
    }
    const inner = [...children(node.getChild("FunctionCallBody"))].find(isExpression);
    return inner ? inspect(expr, inner, sem) : {};
  }
  if (node.name === "FunctionCall") {
    const fn = text(expr, node.getChild("FunctionIdentifier")!);
    if (!rateFunctions.has(fn)) return { problem: `${fn}() of buckets is not a bucket rate`, fix: "use rate(..._bucket[...])." };
    const name = rangeArgument(node)?.getChild("VectorSelector")?.getChild("Identifier");
    if (!name) return {};
    const metric = text(expr, name);
    const kind = seriesKind(metric, sem);
    return kind === "bucket" || kind === "unknown" ? {} : { problem: `${metric} is not a histogram's _bucket series`, fix: "take the quantile of a histogram's _bucket series." };
  }
  if (node.name === "VectorSelector") {
    const name = node.getChild("Identifier");
    const metric = name ? text(expr, name) : "";
    const kind = seriesKind(metric, sem);
    if (kind === "recorded-bucket-rate" || kind === "unknown" || kind === "recorded") return {};
    if (kind === "bucket") {
      return {
        problem: `it reads raw bucket counters: counts since the process started, mixed across every series, not the recent distribution`,
        fix: `histogram_quantile(φ, sum by (le) (rate(${metric}[$__rate_interval])))`,
      };
    }
    return { problem: `${metric} is a ${kind}, not a histogram's buckets`, fix: "take the quantile of a histogram's _bucket series." };
  }
  return {};
}

/** histogram_quantile needs per-second bucket rates, aggregated with `le` kept; anything else gives a plausible wrong number. */
export const histogramQuantile: ExpressionCheck = {
  id: "promql/histogram-quantile",
  kind: "correctness",
  severity: "error",
  summary: "histogram_quantile over something that is not a rate of _bucket series, or an aggregation that drops `le`.",
  scope: "expression",
  check(expr, _site, ctx) {
    const findings: Finding[] = [];
    for (const call of nodesNamed(expr, "FunctionCall")) {
      if (text(expr, call.getChild("FunctionIdentifier")!) !== "histogram_quantile") continue;
      const [phi, input] = [...children(call.getChild("FunctionCallBody"))].filter(isExpression);
      if (phi?.name === "NumberDurationLiteral" || (phi?.name === "UnaryExpr" && phi.lastChild?.name === "NumberDurationLiteral")) {
        const value = Number(text(expr, phi).replace(/\s+/g, ""));
        if (!(value >= 0 && value <= 1)) findings.push({ message: `quantile ${value} is outside 0..1`, fix: "write the quantile as a fraction: 0.95 for p95.", at: { from: phi.from, to: phi.to } });
      }
      if (!input) continue;
      const { problem, fix } = inspect(expr, input, ctx);
      if (problem) findings.push({ message: `histogram_quantile over ${text(expr, input).slice(0, 80)}: ${problem}`, fix, at: { from: input.from, to: input.to } });
    }
    return findings;
  },
};
