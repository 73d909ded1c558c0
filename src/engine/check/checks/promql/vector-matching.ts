import type { ExpressionCheck, Finding } from "../../check.ts";
import { nodesNamed } from "../../../promql/parse.ts";
import { children, groupingLabels, isExpression, isScalar, resultLabels } from "../../../promql/semantics.ts";

/** `or` is a union: its sides need not match. `and` and `unless` match like arithmetic. */
const unions = new Set(["Or"]);
const show = (labels: ReadonlySet<string>) => `{${[...labels].sort().join(", ")}}`;

/**
 * Two vectors combine only where their label sets match exactly (or on the labels named by on()).
 * When the catalog says the sides carry different labels, the result is silently empty.
 */
export const vectorMatching: ExpressionCheck = {
  id: "promql/vector-matching",
  kind: "correctness",
  severity: "error",
  summary: "A binary operation whose sides cannot match on the labels the catalog says they carry.",
  scope: "expression",
  check(expr, _site, ctx) {
    const findings: Finding[] = [];
    for (const node of nodesNamed(expr, "BinaryExpr")) {
      const [left, right] = [...children(node)].filter(isExpression);
      const op = [...children(node)].find(
        (c) => !isExpression(c) && c.name !== "MatchingModifierClause" && c.name !== "BoolModifier",
      );
      if (!left || !right || (op && unions.has(op.name)) || isScalar(left, expr) || isScalar(right, expr))
        continue;
      const l = resultLabels(expr, left, ctx);
      const r = resultLabels(expr, right, ctx);
      if (!l || !r || l.size === 0 || r.size === 0) continue;
      const clause = node.getChild("MatchingModifierClause");
      const listed = groupingLabels(expr, clause);
      const at = { from: node.from, to: node.to };
      if (clause?.getChild("On")) {
        // A label on neither side is promql/unknown-label's finding.
        const missing = listed.filter(
          (label) => (l.has(label) || r.has(label)) && !(l.has(label) && r.has(label)),
        );
        if (missing.length) {
          findings.push({
            message: `on(${listed.join(", ")}) names ${missing.join(", ")}, which ${missing.length > 1 ? "are" : "is"} not on both sides: left ${show(l)}, right ${show(r)}`,
            fix: "match on labels both sides keep.",
            at,
          });
        }
        continue;
      }
      if (clause?.getChild("GroupLeft") || clause?.getChild("GroupRight")) continue;
      const ignored = clause?.getChild("Ignoring") ? new Set(listed) : new Set<string>();
      const left2 = [...l].filter((x) => !ignored.has(x));
      const right2 = [...r].filter((x) => !ignored.has(x));
      const onlyLeft = left2.filter((x) => !r.has(x));
      const onlyRight = right2.filter((x) => !l.has(x));
      if (onlyLeft.length || onlyRight.length) {
        const shared = left2.filter((x) => r.has(x));
        findings.push({
          message: `the sides carry different labels (left ${show(l)}, right ${show(r)}), so one-to-one matching pairs nothing`,
          fix: shared.length
            ? `aggregate both sides to the same labels, or match with on(${shared.join(", ")}) or ignoring(${[...onlyLeft, ...onlyRight].join(", ")}).`
            : "the sides share no label: aggregate both to the labels you want to compare by, e.g. sum by (job) (...).",
          at,
        });
      }
    }
    return findings;
  },
};
