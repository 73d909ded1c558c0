import { readFileSync } from "node:fs";
import path from "node:path";
import type { AlertDefinition, RecordingRuleDefinition, RuleGroupDefinition } from "../define/alerting.ts";
import type { AlertModel, ProjectSettings, RecordingRuleModel, RuleGroupModel } from "../model.ts";
import { alertSectionPrefix, slugify } from "../runbook.ts";
import { projectRoot } from "../source.ts";

export function compileAlert(alert: AlertDefinition, group: string, settings: ProjectSettings): AlertModel {
  const uid = alert.dashboard.dashboard.build().uid ?? "";
  const anchor = slugify(`${alertSectionPrefix}${alert.runbook}`);
  const model: AlertModel = {
    name: alert.name,
    severity: alert.severity,
    expr: alert.expr,
    for: alert.for,
    threshold: { op: alert.threshold.op, value: alert.threshold.value, unit: alert.threshold.unit, source: alert.threshold.source },
    labels: { ...alert.labels, severity: alert.severity, service: alert.service, team: alert.team },
    annotations: {
      summary: alert.summary,
      description: alert.description,
      runbook_url: `${settings.runbookUrl}#${anchor}`,
      dashboard_url: `${settings.grafana.baseUrl}/d/${uid}?viewPanel=${alert.dashboard.panel}`,
    },
    runbook: { heading: `${alertSectionPrefix}${alert.runbook}`, anchor },
    dashboard: { uid, panelId: alert.dashboard.panel },
    tests: alert.tests,
    group,
    source: alert.source,
  };
  if (alert.severityReason) model.severityReason = alert.severityReason;
  return model;
}

export function compileRecordingRule(rule: RecordingRuleDefinition, group: string): RecordingRuleModel {
  return { record: rule.record, expr: rule.expr, labels: { ...rule.labels }, tests: rule.tests, group, source: rule.source };
}

/** A `ruleGroup(` call with its name as a string literal: `ruleGroup("beam-alerts", [...])`. */
const ruleGroupCall = /\bruleGroup\s*\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1/g;

/**
 * The line of the `ruleGroup(...)` call that named `name` in `file` (the first, when the file names it twice).
 * ruleGroup() records only its caller's file, so the line is read from the source text; undefined when the
 * file cannot be read or names the group some other way than by a literal.
 */
function ruleGroupLine(file: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(projectRoot, file), "utf8");
  } catch {
    return undefined;
  }
  for (const match of text.matchAll(ruleGroupCall)) {
    if (match[2] !== name) continue;
    let line = 1;
    for (let i = text.indexOf("\n"); i >= 0 && i < match.index; i = text.indexOf("\n", i + 1)) line++;
    return line;
  }
  return undefined;
}

export function compileGroup(group: RuleGroupDefinition<AlertDefinition | RecordingRuleDefinition>, kind: RuleGroupModel["kind"], settings: ProjectSettings): RuleGroupModel {
  const model: RuleGroupModel = {
    name: group.name,
    kind,
    file: group.file,
    interval: settings.evaluationInterval,
    rules: group.rules.map((rule) => ("name" in rule ? rule.name : rule.record)),
  };
  const line = typeof group.name === "string" ? ruleGroupLine(group.file, group.name) : undefined;
  if (line !== undefined) model.line = line;
  return model;
}
