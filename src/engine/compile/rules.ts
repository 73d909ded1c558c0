import {
  interpolatedThresholds,
  isPlaceholderThreshold,
  thresholdUnits,
  type AlertDefinition,
  type RecordingRuleDefinition,
  type RuleGroupDefinition,
  type ThresholdDefinition,
} from "../define/alerting.ts";
import {
  importedAlertThresholds,
  isImportedAlert,
  type ImportedAlertDefinition,
} from "../define/imported-rules.ts";
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
  alert: AlertDefinition | ImportedAlertDefinition,
  group: string,
  settings: ProjectSettings,
  thresholdNames: ReadonlyMap<object, string> = new Map(),
): AlertModel {
  if (isImportedAlert(alert)) return compileImportedAlert(alert, group, settings, thresholdNames);
  const uid = alert.dashboard.dashboard.build().uid ?? "";
  const anchor = slugify(`${alertSectionPrefix}${alert.runbook}`);
  const model: AlertModel = {
    name: alert.name,
    severity: alert.severity,
    expr: alert.expr,
    for: alert.for,
    threshold: thresholdModel(alert.threshold, thresholdNames),
    // The interpolated ones as they were defined: one with a value that is no finite number, or a unit that is none
    // of thresholdUnits, is reported where it is defined (definition/invalid), and left out here, as the alert's own
    // threshold is replaced by a placeholder.
    thresholds: [
      alert.threshold,
      ...interpolatedThresholds(alert).filter(
        (t) =>
          t !== alert.threshold &&
          typeof t.value === "number" &&
          Number.isFinite(t.value) &&
          (thresholdUnits as readonly unknown[]).includes(t.unit),
      ),
    ].map((t) => thresholdModel(t, thresholdNames)),
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

/**
 * An alert brought in by `o11y import rules`: its labels and annotations are the rule file's; `runbook` and
 * `dashboard`, where the import could tell them, write runbook_url and dashboard_url as alert() does. Where it has
 * no threshold, the model holds a placeholder (a NaN the checks of a threshold's value leave alone).
 */
function compileImportedAlert(
  alert: ImportedAlertDefinition,
  group: string,
  settings: ProjectSettings,
  thresholdNames: ReadonlyMap<object, string>,
): AlertModel {
  const labels = { ...alert.labels };
  const annotations = { ...alert.annotations };
  let runbook = { heading: "", anchor: "" };
  if (alert.runbook !== undefined) {
    const anchor = slugify(`${alertSectionPrefix}${alert.runbook}`);
    runbook = { heading: `${alertSectionPrefix}${alert.runbook}`, anchor };
    annotations.runbook_url = `${settings.runbookUrl}#${anchor}`;
  }
  let dashboard = { uid: "", panelId: 0 };
  if (alert.dashboard !== undefined) {
    dashboard = { uid: alert.dashboard.dashboard.build().uid ?? "", panelId: alert.dashboard.panel };
    annotations.dashboard_url = `${settings.grafana.baseUrl}/d/${dashboard.uid}?viewPanel=${dashboard.panelId}`;
  }
  const threshold: ThresholdModel = alert.threshold
    ? thresholdModel(alert.threshold, thresholdNames)
    : { op: ">", value: Number.NaN, unit: "count", source: alert.source, placeholder: true };
  const model: AlertModel = {
    name: alert.name,
    severity: labels.severity ?? "",
    expr: alert.expr,
    for: alert.for,
    threshold,
    thresholds: [
      ...(alert.threshold ? [threshold] : []),
      ...importedAlertThresholds(alert)
        .filter((t) => t !== alert.threshold)
        .map((t) => thresholdModel(t, thresholdNames)),
    ],
    labels,
    annotations,
    runbook,
    dashboard,
    tests: alert.tests ?? [],
    group,
    source: alert.source,
    imported: true,
  };
  if (alert.keepFiringFor !== undefined) model.keepFiringFor = alert.keepFiringFor;
  if (alert.trafficGuard) {
    const { op, value, unit, source } = alert.trafficGuard;
    model.trafficGuard = { op, value, unit, source };
  }
  if (alert.debt?.length) model.debt = alert.debt.map((d) => ({ ...d }));
  return model;
}

export function compileRecordingRule(rule: RecordingRuleDefinition, group: string): RecordingRuleModel {
  const model: RecordingRuleModel = {
    record: rule.record,
    expr: rule.expr,
    labels: { ...rule.labels },
    tests: rule.tests,
    group,
    source: rule.source,
  };
  if (rule.imported) model.imported = true;
  if (rule.debt?.length) model.debt = rule.debt.map((d) => ({ ...d }));
  return model;
}

export function compileGroup(
  group: RuleGroupDefinition<AlertDefinition | ImportedAlertDefinition | RecordingRuleDefinition>,
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
  if (group.rules.some((rule) => "imported" in rule && rule.imported === true)) model.imported = true;
  return model;
}
