import type { SyntaxNode } from "@lezer/common";
import type { Finding, ModelCheck } from "../../check.ts";
import { atShortestWindow, errorsOutsideTotal, sloSubject } from "../../slo-sli.ts";
import { selectors, type ParsedExpression } from "../../../promql/parse.ts";

/** The two sides of a top-level division, looking through parentheses. */
function division(expr: ParsedExpression): { over: SyntaxNode; under: SyntaxNode } | undefined {
  let node = expr.tree.topNode.firstChild;
  while (node?.name === "ParenExpr")
    node = node.getChild("BinaryExpr") ?? node.firstChild?.nextSibling ?? null;
  if (node?.name !== "BinaryExpr" || !node.getChild("Div")) return undefined;
  const over = node.firstChild;
  const under = node.lastChild;
  return over && under ? { over, under } : undefined;
}

/**
 * An error ratio written whole must be a share: a division whose numerator selects a subset of its denominator.
 * Anything else (a rate, a difference, errors over another metric) can exceed 1, and every burn rate read from it lies.
 */
export const sloBounded: ModelCheck = {
  id: "slo/bounded",
  kind: "correctness",
  severity: "error",
  summary:
    "An SLO error ratio that can exceed 1: not a division, or a numerator that is not a subset of its denominator.",
  scope: "model",
  check(model, ctx) {
    return (model.slos ?? []).flatMap((slo): Finding[] => {
      if (slo.sli.kind !== "ratio") return [];
      const text = atShortestWindow(slo.sli.errorRatio);
      const parsed = ctx.parse(text, { grafana: false });
      if (parsed.errorAt !== undefined) return [];
      const at = { subject: sloSubject(slo), source: slo.source };
      const sides = division(parsed);
      if (!sides)
        return [
          {
            ...at,
            message:
              "the error ratio is not a division of errors by all events, so nothing keeps it between 0 and 1",
            fix: 'write it as `sum(rate(x{status=~"5.."}[{{window}}])) / sum(rate(x[{{window}}]))`, or use events({ errors, total }).',
          },
        ];
      const all = selectors(parsed);
      const within = (node: SyntaxNode) =>
        all.filter((s) => s.node.from >= node.from && s.node.to <= node.to);
      const why = errorsOutsideTotal(within(sides.over), within(sides.under), (s) =>
        text.slice(s.node.from, s.node.to),
      );
      if (!why) return [];
      return [
        {
          ...at,
          message: `the error ratio can exceed 1: its numerator ${why}`,
          fix: "divide by the same metric with the numerator's matchers minus the one that picks errors.",
        },
      ];
    });
  },
};
