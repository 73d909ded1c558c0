import type { SyntaxNode } from "@lezer/common";
import type { AlertModel } from "../../../model.ts";
import { nodesNamed, selectors, type ParsedExpression } from "../../../promql/parse.ts";
import { children, isExpression } from "../../../promql/semantics.ts";
import type { CheckContext, Finding, ModelCheck } from "../../check.ts";

const rateFunctions = new Set(["rate", "irate", "increase"]);
const comparisonNodes = ["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"];

/** The operands of a binary expression and its operator's node name. */
function binary(node: SyntaxNode): { left?: SyntaxNode; op?: string; right?: SyntaxNode } {
  const operands = [...children(node)].filter(isExpression);
  const op = [...children(node)].find((c) => !isExpression(c) && c.name !== "BoolModifier")?.name;
  return { left: operands[0], op, right: operands[1] };
}

/** Whether a part of an expression counts events: a rate(), irate() or increase(), or a recording rule that does, at any depth. */
function countsEvents(
  expr: ParsedExpression,
  node: SyntaxNode,
  ctx: CheckContext,
  seen: Set<string>,
): boolean {
  const text = expr.text.slice(node.from, node.to);
  const part = ctx.parse(text, { grafana: false });
  for (const call of nodesNamed(part, "FunctionCall")) {
    const id = call.getChild("FunctionIdentifier");
    if (id && rateFunctions.has(part.text.slice(id.from, id.to))) return true;
  }
  return selectors(part).some((s) => {
    const rule = ctx.model.recordingRules.find((r) => r.record === s.metric);
    if (!rule || seen.has(rule.record)) return false;
    seen.add(rule.record);
    const parsed = ctx.parse(rule.expr, { grafana: false });
    return parsed.tree.topNode.firstChild
      ? countsEvents(parsed, parsed.tree.topNode.firstChild, ctx, seen)
      : false;
  });
}

/** The first division whose denominator counts events, in the expression or the recording rules it reads: `a / b`. */
function eventRatio(expr: ParsedExpression, ctx: CheckContext, seen = new Set<string>()): string | undefined {
  for (const node of nodesNamed(expr, "BinaryExpr")) {
    const { op, right } = binary(node);
    if (op === "Div" && right && countsEvents(expr, right, ctx, new Set()))
      return expr.text.slice(node.from, node.to);
  }
  for (const s of selectors(expr)) {
    const rule = ctx.model.recordingRules.find((r) => r.record === s.metric);
    if (!rule || seen.has(rule.record)) continue;
    seen.add(rule.record);
    const found = eventRatio(ctx.parse(rule.expr, { grafana: false }), ctx, seen);
    if (found) return rule.record;
  }
  return undefined;
}

/** The right operands of `and` that filter on how many events there were: `... and on (job) requests >= 100`. */
function guards(expr: ParsedExpression, ctx: CheckContext): string[] {
  return nodesNamed(expr, "BinaryExpr").flatMap((node) => {
    const { op, right } = binary(node);
    if (op !== "And" || !right) return [];
    const part = ctx.parse(expr.text.slice(right.from, right.to), { grafana: false });
    const filters = nodesNamed(part, "BinaryExpr").some((b) => {
      const inner = binary(b);
      return (
        comparisonNodes.includes(inner.op ?? "") &&
        !b.getChild("BoolModifier") &&
        inner.left !== undefined &&
        countsEvents(part, inner.left, ctx, new Set())
      );
    });
    return filters ? [part.text] : [];
  });
}

const spaced = (text: string) => text.replace(/\s+/g, " ");

/**
 * A ratio of events (errors per request, failures per attempt) is noise when there are few events: one failed
 * request out of one is a 100% error rate. An alert on such a ratio needs a minimum-traffic guard.
 */
export const alertTrafficGuard: ModelCheck = {
  id: "alerts/traffic-guard",
  kind: "house",
  severity: "error",
  summary:
    "An alert on a ratio of events (errors per request) without a minimum-traffic guard, or whose declared guard is not in its expression.",
  scope: "model",
  check(model, ctx) {
    return model.alerts.flatMap((alert: AlertModel): Finding[] => {
      const subject = `alert ${alert.name}`;
      const parsed = ctx.parse(alert.expr, { grafana: false });
      if (parsed.errorAt !== undefined) return [];
      const found = guards(parsed, ctx);
      const declared = alert.trafficGuard;
      if (declared) {
        const written = `${declared.op} ${declared.value}`;
        if (found.some((g) => spaced(g).includes(written))) return [];
        return [
          {
            subject,
            source: alert.source,
            message: `the declared traffic guard \`${written}\` is not in the expression: no \`and\` filters on a rate() or increase() with it`,
            fix: "interpolate it after `and on (...)`: `${ratio} ${thresholds.x}\\nand on (job)\\nsum by (job) (increase(requests[5m])) ${thresholds.minRequests}`.",
          },
        ];
      }
      const ratio = eventRatio(parsed, ctx);
      if (!ratio || found.length) return [];
      return [
        {
          subject,
          source: alert.source,
          message: `it alerts on a ratio of events (${spaced(ratio).slice(0, 80)}) with no minimum-traffic guard: at night one failure out of one request is 100% and fires it`,
          fix: "add the least traffic for which the ratio means anything: `${ratio} ${thresholds.x}\\nand on (job)\\nsum by (job) (increase(requests[5m])) ${thresholds.minRequests}`, declared as `trafficGuard: thresholds.minRequests`, with tests just above and below it.",
        },
      ];
    });
  },
};
