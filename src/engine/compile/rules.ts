import {
  interpolatedThresholds,
  isPlaceholderThreshold,
  type AlertDefinition,
  type RecordingRuleDefinition,
  type RuleGroupDefinition,
  type ThresholdDefinition,
} from "../define/alerting.ts";
import type {
  AlertModel,
  ProjectSettings,
  RecordingRuleModel,
  RuleGroupModel,
  ThresholdModel,
} from "../model.ts";
import { alertSectionPrefix, slugify } from "../runbook.ts";

/** A threshold as the model holds it, with its name where the project names it. */
export function thresholdModel(t: ThresholdDefinition, names: ReadonlyMap<object, string>): ThresholdModel {
  const model: ThresholdModel = { op: t.op, value: t.value, unit: t.unit, source: t.source };
  const name = names.get(t);
  if (name !== undefined) model.name = name;
  if (isPlaceholderThreshold(t)) model.placeholder = true;
  return model;
}

export function compileAlert(
  alert: AlertDefinition,
  group: string,
  settings: ProjectSettings,
  thresholdNames: ReadonlyMap<object, string> = new Map(),
): AlertModel {
  const uid = alert.dashboard.dashboard.build().uid ?? "";
  const anchor = slugify(`${alertSectionPrefix}${alert.runbook}`);
  const model: AlertModel = {
    name: alert.name,
    severity: alert.severity,
    expr: alert.expr,
    for: alert.for,
    threshold: thresholdModel(alert.threshold, thresholdNames),
    thresholds: [alert.threshold, ...interpolatedThresholds(alert).filter((t) => t !== alert.threshold)].map(
      (t) => thresholdModel(t, thresholdNames),
    ),
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
  if (alert.trafficGuard) {
    const { op, value, unit, source } = alert.trafficGuard;
    model.trafficGuard = { op, value, unit, source };
  }
  return model;
}

export function compileRecordingRule(rule: RecordingRuleDefinition, group: string): RecordingRuleModel {
  return {
    record: rule.record,
    expr: rule.expr,
    labels: { ...rule.labels },
    tests: rule.tests,
    group,
    source: rule.source,
  };
}

export function compileGroup(
  group: RuleGroupDefinition<AlertDefinition | RecordingRuleDefinition>,
  kind: RuleGroupModel["kind"],
  settings: ProjectSettings,
): RuleGroupModel {
  const model: RuleGroupModel = {
    name: group.name,
    kind,
    file: group.file,
    interval: settings.evaluationInterval,
    rules: group.rules.map((rule) => ("name" in rule ? rule.name : rule.record)),
  };
  if (group.source) model.line = group.source.line;
  return model;
}
