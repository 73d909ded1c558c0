/**
 * Define helpers for alerts and recording rules. Definitions are plain data plus their source line;
 * a threshold or a recording rule interpolated into PromQL text writes itself (`${thresholds.x}` -> `> 0.05`).
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { callerLocation, type SourceLocation } from "../source.ts";

/** The runbook's four levels, most urgent first. */
export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

/**
 * What a threshold measures. `ratio` is a fraction (0.05 for 5%), so a percentage written by
 * mistake (5) is caught; `count` is a number of things (messages, regions).
 */
export type ThresholdUnit = "ratio" | "seconds" | "bytes" | "count" | "bool";
export type ComparisonOperator = ">" | ">=" | "<" | "<=" | "==" | "!=";

export interface ThresholdDefinition {
  op: ComparisonOperator;
  value: number;
  unit: ThresholdUnit;
  source: SourceLocation;
}

function threshold(op: ComparisonOperator, value: number, unit: ThresholdUnit): ThresholdDefinition {
  const t = { op, value, unit, source: callerLocation() };
  Object.defineProperty(t, "toString", { value: () => `${op} ${formatNumber(value)}`, enumerable: false });
  return t;
}

/** Fires when the value rises above `value`. */
export const above = (value: number, unit: ThresholdUnit) => threshold(">", value, unit);
/** Fires when the value falls below `value`. */
export const below = (value: number, unit: ThresholdUnit) => threshold("<", value, unit);
/** Fires at `value` or more. */
export const atLeast = (value: number, unit: ThresholdUnit) => threshold(">=", value, unit);

/** The shortest exact decimal spelling, as PromQL and YAML want it. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : String(value);
}

/** One input series in promtool's expanding notation, e.g. `0+52x20`. */
export interface SeriesInput {
  series: string;
  values: string;
}

export interface AlertExpectation {
  /** Time since the start of the test, e.g. `4m`. */
  at: string;
  state: "firing" | "pending" | "silent";
  /** Labels of the alert beyond its static ones (firing and pending). */
  labels?: Record<string, string>;
  /** The rendered description, asserted verbatim (firing). */
  description?: string;
}

/** A scenario for promtool: series, the value the expression takes, and what the alert does over time. */
export interface AlertTest {
  name: string;
  /** Spacing of the input samples; default 1m. */
  interval?: string;
  input: SeriesInput[];
  /** The value of the expression's left side in this scenario, to prove the test sits at the threshold. */
  value: number;
  expect: AlertExpectation[];
}

export interface AlertSpec {
  /** PascalCase, says what is wrong: `PhoenixHigh5xxErrorRate`. */
  name: string;
  severity: Severity;
  /** Why this severity, where the runbook gives none. */
  severityReason?: string;
  /** Component the alert is about, for routing and filtering: phoenix, ecto, beam, nats, covenant. */
  service: string;
  team: string;
  /** PromQL, written with the threshold interpolated: `${rule} ${thresholds.x}`. */
  expr: string;
  threshold: ThresholdDefinition;
  for: string;
  /** One line, no template: what is wrong. */
  summary: string;
  /** Template with the value and labels in human units. */
  description: string;
  /** Heading of the alert's playbook in RUNBOOK.md, after "Alert: ". */
  runbook: string;
  /** The panel that shows the signal, and draws the threshold. */
  dashboard: { dashboard: DashboardBuilder; panel: number };
  /** Extra labels; severity, service and team have their own fields, so routing reads one source. */
  labels?: Record<string, string> & { severity?: never; service?: never; team?: never };
  tests: AlertTest[];
}

export interface AlertDefinition extends AlertSpec {
  source: SourceLocation;
}

export function alert(spec: AlertSpec): AlertDefinition {
  return { ...spec, source: callerLocation() };
}

/** A promtool `promql_expr_test`: the recorded series' exact values at a time. */
export interface RuleTest {
  name: string;
  interval?: string;
  input: SeriesInput[];
  at: string;
  expect: Array<{ labels: Record<string, string>; value: number }>;
}

export interface RecordingRuleSpec {
  /** `level:metric:operations`, e.g. `job:phoenix_http_requests:rate5m`. */
  record: string;
  expr: string;
  labels?: Record<string, string>;
  tests: RuleTest[];
}

export interface RecordingRuleDefinition extends RecordingRuleSpec {
  source: SourceLocation;
}

export function recordingRule(spec: RecordingRuleSpec): RecordingRuleDefinition {
  const rule = { ...spec, source: callerLocation() };
  Object.defineProperty(rule, "toString", { value: () => spec.record, enumerable: false });
  return rule;
}

/** A file of alerts or recording rules becomes one rule group; `name` is the group's name. */
export interface RuleGroupDefinition<T> {
  name: string;
  /** The definitions' source file, for the generated file's header. */
  file: string;
  rules: T[];
}

export function ruleGroup<T extends { source: SourceLocation }>(name: string, rules: T[]): RuleGroupDefinition<T> {
  return { name, file: callerLocation().file, rules };
}

/** A notification channel; secrets are read from files Alertmanager mounts, never written here. */
export type ReceiverChannel =
  | { kind: "pagerduty"; routingKeyFile: string }
  | { kind: "slack"; channel: string; webhookUrlFile: string };

/** What a severity means (the runbook's table) and how Alertmanager delivers it. */
export interface SeverityPolicy {
  severity: Severity;
  /** The runbook's words: "Immediate", "< 15 min", ... */
  responseTime: string;
  /** The most time from firing to the first notification, as a duration; group_wait must fit in it. */
  notifyWithin: string;
  action: string;
  receiver: string;
  channels: ReceiverChannel[];
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}
