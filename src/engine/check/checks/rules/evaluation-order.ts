import type { RecordingRuleModel } from "../../../model.ts";
import type { Finding, ModelCheck } from "../../check.ts";

interface Placed {
  subject: string;
  expr: string;
  record?: string;
  source: RecordingRuleModel["source"];
}

/**
 * Prometheus evaluates the rules of a group one after the other, and a rule sees what the rules before it
 * wrote in the same evaluation. A rule that reads a series its group records further down reads the value
 * of the previous evaluation: one interval old, and nothing at all on the first.
 */
export const ruleEvaluationOrder: ModelCheck = {
  id: "rules/evaluation-order",
  // House until it tells a lag that matters from one that does not: kubernetes-mixin's 30-day average of a series
  // its group records further down misses one 3-minute sample of 30 days.
  kind: "house",
  severity: "error",
  summary:
    "A rule that reads a series its own group records further down, so it reads the previous evaluation's value.",
  scope: "model",
  check(model, ctx) {
    // Each group's rules in their written order: consumed by name from the rules of that group, in order.
    const queues = new Map<string, Placed[]>();
    const enqueue = (group: string, name: string, placed: Placed) => {
      const key = `${group}\u0000${name}`;
      queues.set(key, [...(queues.get(key) ?? []), placed]);
    };
    for (const rule of model.recordingRules)
      enqueue(rule.group, rule.record, {
        subject: `recording rule ${rule.record}`,
        expr: rule.expr,
        record: rule.record,
        source: rule.source,
      });
    for (const alert of model.alerts)
      enqueue(alert.group, alert.name, {
        subject: `alert ${alert.name}`,
        expr: alert.expr,
        source: alert.source,
      });
    const findings: Finding[] = [];
    for (const group of model.ruleGroups) {
      const rules = group.rules.flatMap((name) => queues.get(`${group.name}\u0000${name}`)?.shift() ?? []);
      rules.forEach((rule, index) => {
        const reads = new Set(
          ctx.metricNames(rule.expr, { grafana: false }).filter((m): m is string => m !== undefined),
        );
        for (const name of reads) {
          if (name === rule.record) continue;
          const later = rules.findIndex((other, at) => at > index && other.record === name);
          if (later < 0) continue;
          const writer = rules[later]!;
          findings.push({
            subject: rule.subject,
            source: rule.source,
            message: `reads ${name}, which group ${group.name} records further down (rule ${later + 1}; this is rule ${index + 1}): Prometheus evaluates a group's rules in order, so this rule reads ${name} as it was one evaluation earlier (${group.interval} old), and nothing on the first evaluation`,
            fix: `move ${rule.subject} below ${writer.subject} in group ${group.name} (list it after it in the group's ruleGroup(...) or rules:).`,
          });
        }
      });
    }
    return findings;
  },
};
