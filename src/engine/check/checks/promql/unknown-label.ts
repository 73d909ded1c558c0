import { closest } from "../../../text.ts";
import { fromElsewhere, type CheckContext, type ExpressionCheck, type Finding } from "../../check.ts";
import { nodesNamed, selectors, type ParsedExpression } from "../../../promql/parse.ts";
import {
  children,
  groupingLabels,
  isExpression,
  resultLabels,
  seriesLabels,
} from "../../../promql/semantics.ts";

const special = new Set(["__name__"]);

/** What a label missing from the series does, by where it is written: only a matcher selects nothing. */
const effects = {
  matcher: "so this matches nothing",
  negativeMatcher: "so this matcher is always true",
  by: "so by() does not split the result by it, and the result has no such label",
  without: "so without() removes nothing",
  on: "so on() compares nothing: every series is matched with every series on the other side",
  ignoring: "so ignoring() leaves out nothing",
} as const;

/**
 * Where the labels of a series come from, to say where to add one: the catalog for this project's metrics (a
 * rule file from elsewhere gets no advice about our TypeScript), the rule that records a recorded series, and
 * for the result of an inner expression, that expression.
 */
function remedy(series: string | undefined, ctx: CheckContext): string {
  if (series === undefined)
    return "keep the label in the expression inside, or aggregate by one of its labels";
  if (ctx.recordingRules.has(series))
    return `keep the label in the by() of the rule that records ${series}, or query the series it reads`;
  return !fromElsewhere(ctx)
    ? "declare the label in src/catalog/"
    : "check the label your exporter gives the metric (these are the labels the catalog declares, which the configuration's promql/unknown-metric turns on)";
}

function unknown(
  label: string,
  known: ReadonlySet<string>,
  where: { what: string; series?: string; clause: keyof typeof effects },
  at: { from: number; to: number },
  ctx: CheckContext,
): Finding {
  const suggestion = closest(label, known);
  const fix = remedy(where.series, ctx);
  return {
    message: `label ${label} is not on ${where.what}, ${effects[where.clause]} (its labels: ${[...known].sort().join(", ")})`,
    fix: suggestion ? `did you mean ${suggestion}? Otherwise ${fix}.` : `use one of its labels, or ${fix}.`,
    at,
  };
}

/**
 * The one series an inner expression reads, when it reads one and keeps all its labels: then its labels come from
 * that series (from the catalog, or its recording rule), not from the expression in between.
 */
function onlySeries(
  expr: ParsedExpression,
  inner: { from: number; to: number },
  known: ReadonlySet<string>,
  ctx: CheckContext,
): string | undefined {
  const read = new Set(
    selectors(expr)
      .filter((s) => s.node.from >= inner.from && s.node.to <= inner.to)
      .map((s) => s.metric),
  );
  const [only] = read;
  if (read.size !== 1 || only === undefined) return undefined;
  const own = seriesLabels(only, ctx);
  return own && own.size === known.size && [...own].every((label) => known.has(label)) ? only : undefined;
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
            {
              what: selector.metric!,
              series: selector.metric!,
              clause: negative ? "negativeMatcher" : "matcher",
            },
            { from: matcher.node.from, to: matcher.node.to },
            ctx,
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
      const clause = modifier.getChild("Without") ? "without" : "by";
      const series = onlySeries(expr, inner!, known, ctx);
      for (const label of groupingLabels(expr, modifier)) {
        if (!known.has(label))
          findings.push(
            unknown(
              label,
              known,
              { what: "the aggregated series", series, clause },
              { from: modifier.from, to: modifier.to },
              ctx,
            ),
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
      const matching = clause.getChild("On") ? "on" : "ignoring";
      for (const label of groupingLabels(expr, clause)) {
        if (!either.has(label))
          findings.push(
            unknown(
              label,
              either,
              { what: "either side", clause: matching },
              { from: clause.from, to: clause.to },
              ctx,
            ),
          );
      }
    }
    return findings;
  },
};
