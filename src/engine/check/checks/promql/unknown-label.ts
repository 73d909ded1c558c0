import { closest } from "../../../text.ts";
import type { ExpressionCheck, Finding } from "../../check.ts";
import { nodesNamed, selectors } from "../../../promql/parse.ts";
import {
  children,
  groupingLabels,
  isExpression,
  resultLabels,
  seriesLabels,
} from "../../../promql/semantics.ts";

const special = new Set(["__name__"]);

function unknown(
  label: string,
  known: ReadonlySet<string>,
  what: string,
  at: { from: number; to: number },
  negative = false,
): Finding {
  const suggestion = closest(label, known);
  const effect = negative ? "so this matcher is always true" : "so this matches nothing";
  return {
    message: `label ${label} is not on ${what}, ${effect} (its labels: ${[...known].sort().join(", ")})`,
    fix: suggestion
      ? `did you mean ${suggestion}? Otherwise declare the label in src/catalog/.`
      : "use one of its labels, or declare the label in src/catalog/.",
    at,
  };
}

/** A matcher or grouping label that the catalog does not give the series: an empty panel or an alert that never fires. */
export const unknownLabel: ExpressionCheck = {
  id: "promql/unknown-label",
  kind: "correctness",
  severity: "error",
  summary:
    "A label in a matcher, by(), without(), on() or ignoring() that the series do not carry, per the catalog.",
  scope: "expression",
  check(expr, _site, ctx) {
    const findings: Finding[] = [];
    for (const selector of selectors(expr)) {
      const known = selector.metric ? seriesLabels(selector.metric, ctx) : undefined;
      if (!known) continue;
      for (const matcher of selector.matchers) {
        // A matcher that accepts the empty string also matches series without the label: that is deliberate.
        if (
          special.has(matcher.label) ||
          known.has(matcher.label) ||
          (matcher.op === "=" && matcher.value === "")
        )
          continue;
        const negative = matcher.op === "!=" || matcher.op === "!~";
        findings.push(
          unknown(
            matcher.label,
            known,
            selector.metric!,
            { from: matcher.node.from, to: matcher.node.to },
            negative,
          ),
        );
      }
    }
    for (const aggregate of nodesNamed(expr, "AggregateExpr")) {
      const modifier = aggregate.getChild("AggregateModifier");
      if (!modifier) continue;
      const inner = [...children(aggregate.getChild("FunctionCallBody"))].filter(isExpression).at(-1);
      const known = inner ? resultLabels(expr, inner, ctx) : undefined;
      if (!known || known.size === 0) continue;
      for (const label of groupingLabels(expr, modifier)) {
        if (!known.has(label))
          findings.push(
            unknown(label, known, "the aggregated series", { from: modifier.from, to: modifier.to }),
          );
      }
    }
    for (const binary of nodesNamed(expr, "BinaryExpr")) {
      const clause = binary.getChild("MatchingModifierClause");
      if (!clause) continue;
      const [left, right] = [...children(binary)].filter(isExpression);
      const l = left ? resultLabels(expr, left, ctx) : undefined;
      const r = right ? resultLabels(expr, right, ctx) : undefined;
      if (!l || !r) continue;
      const either = new Set([...l, ...r]);
      for (const label of groupingLabels(expr, clause)) {
        if (!either.has(label))
          findings.push(unknown(label, either, "either side", { from: clause.from, to: clause.to }));
      }
    }
    return findings;
  },
};
