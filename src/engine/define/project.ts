import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ProjectSettings } from "../model.ts";
import type { AlertDefinition, RecordingRuleDefinition, RuleGroupDefinition, SeverityPolicy } from "./alerting.ts";
import type { MetricDefinition } from "./catalog.ts";

/** What content code hands to the engine: its settings and every definition. */
export interface ProjectDefinition {
  settings: ProjectSettings;
  metrics: MetricDefinition[];
  dashboards: DashboardBuilder[];
  alertGroups: RuleGroupDefinition<AlertDefinition>[];
  recordingRuleGroups: RuleGroupDefinition<RecordingRuleDefinition>[];
  severities: SeverityPolicy[];
  /** The runbook that alerts link to, relative to the project root. Its alert table is generated. */
  runbook: { file: string; text?: string };
}
