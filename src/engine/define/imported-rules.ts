/**
 * The kit's part for alerting and recording rules brought in by `o11y import rules`. A rule keeps what its rule
 * file said: its expression, `for` and `keep_firing_for`, its labels and annotations as they were (Go templates
 * and all), where the hand-written alert() asks for this project's own fields (severity, service, team, a summary,
 * a playbook, a dashboard panel, boundary tests). What the rule file does not say is not invented: the checks that
 * require it report it, and the import writes each finding at its rule as reasoned migration debt (`debt`), which
 * `o11y check` lists until someone pays it. The threshold, the playbook and the dashboard panel are the project's
 * own where the import could tell them: the number the expression ends in, named in src/alerts/thresholds.ts; a
 * `runbook_url` into RUNBOOK.md; a `dashboard_url` to a panel of one of the project's dashboards.
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { callerLocation, type SourceLocation } from "../source.ts";
import {
  alertTest,
  interpolatedThresholds,
  isThreshold,
  unknownMembersOf,
  validatedThreshold,
  withMembers,
  type AlertTest,
  type RecordingRuleDefinition,
  type RuleTest,
  type ThresholdDefinition,
  validatedRecordingRule,
} from "./alerting.ts";
import type { MigrationDebt } from "./debt.ts";
import {
  checkInterpolation,
  finite,
  list,
  object,
  optional,
  Problems,
  readSpec,
  satisfying,
  text,
  textRecord,
  type Rule,
  type Shape,
  type Validated,
} from "./validate.ts";

export { debt, type MigrationDebt } from "./debt.ts";

export interface ImportedAlertSpec {
  /** As the rule file named it (a name may repeat: one rule per severity). */
  name: string;
  /** PromQL, its threshold and the recording rules it reads interpolated: `${rule} ${thresholds.x}`. */
  expr: string;
  /** The comparison the expression ends in, from src/alerts/thresholds.ts; none where it ends in no number. */
  threshold?: ThresholdDefinition;
  /** The least traffic for which the alert means anything, where its expression has such an `and` (alert()'s). */
  trafficGuard?: ThresholdDefinition;
  /** `for`, as a Prometheus duration (`0s` where the rule file had none). */
  for: string;
  /** `keep_firing_for`, where the rule file had one. */
  keepFiringFor?: string;
  /** Every label of the rule file, as it was (severity included). */
  labels?: Record<string, string>;
  /** Every annotation of the rule file, as it was, but for those `runbook` and `dashboard` write. */
  annotations?: Record<string, string>;
  /** Heading of the alert's playbook in RUNBOOK.md, after "Alert: ": writes `runbook_url`. */
  runbook?: string;
  /** The panel that shows the signal: writes `dashboard_url`. */
  dashboard?: { dashboard: DashboardBuilder; panel: number };
  /** Boundary tests, once someone writes them (the rule file had none). */
  tests?: AlertTest[];
  /** Checks the alert does not satisfy yet, and why. */
  debt?: MigrationDebt[];
}

export interface ImportedAlertDefinition extends ImportedAlertSpec {
  source: SourceLocation;
  imported: true;
}

export interface ImportedRecordingRuleSpec {
  record: string;
  /** PromQL, the recording rules it reads interpolated. */
  expr: string;
  labels?: Record<string, string>;
  tests?: RuleTest[];
  debt?: MigrationDebt[];
}

/** An alert as its rule file had it, with what the import could tell of the project's own fields. */
export function importedAlert(spec: ImportedAlertSpec): ImportedAlertDefinition {
  return withMembers({ ...spec, source: callerLocation(), imported: true as const });
}

/** A recording rule as its rule file had it: no tests, unless someone writes them. */
export function importedRecordingRule(spec: ImportedRecordingRuleSpec): RecordingRuleDefinition {
  const rule: RecordingRuleDefinition = {
    ...spec,
    tests: spec.tests ?? [],
    source: callerLocation(),
    imported: true,
  };
  Object.defineProperty(rule, "toString", { value: () => spec.record, enumerable: false });
  return withMembers(rule);
}

export function isImportedAlert(value: unknown): value is ImportedAlertDefinition {
  return typeof value === "object" && value !== null && (value as { imported?: unknown }).imported === true;
}

const debtList: Rule<MigrationDebt[] | undefined> = optional(
  list(
    object<MigrationDebt>(
      {
        check: text('check: "alerts/tests", the id of the check it does not satisfy yet.'),
        reason: text('reason: "imported from rules.yml: ...", why, as text.'),
      },
      "debt(check, reason)",
    ),
    'debt: [debt("alerts/tests", "imported from rules.yml: the alert has no tests")].',
  ),
);

const isBuilder = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { build?: unknown }).build === "function";

const importedAlertShape: Shape<Omit<ImportedAlertSpec, never>> = {
  name: text('name: "HostOutOfMemory", the alert\'s name, as text.'),
  expr: text("expr: `${signal} ${thresholds.x}`, PromQL text."),
  threshold: optional(
    satisfying(
      isThreshold,
      "a threshold made by above(), below(), atLeast(), atMost(), equalTo() or notEqualTo()",
      "threshold: thresholds.<name>, from src/alerts/thresholds.ts: the same one interpolated into expr.",
      () => undefined as unknown as ThresholdDefinition,
    ),
  ),
  trafficGuard: optional(
    satisfying(
      isThreshold,
      "a threshold made by above(), below(), atLeast(), atMost(), equalTo() or notEqualTo()",
      "trafficGuard: thresholds.<name>, from src/alerts/thresholds.ts: the same one interpolated into expr after `and`.",
      () => undefined as unknown as ThresholdDefinition,
    ),
  ),
  for: text('for: "5m", a Prometheus duration, as text.'),
  keepFiringFor: optional(text('keepFiringFor: "10m", a Prometheus duration, as text.')),
  labels: optional(textRecord('labels: { severity: "warning" }: label names and their values, as text.')),
  annotations: optional(
    textRecord('annotations: { summary: "..." }: annotation names and their templates, as text.'),
  ),
  runbook: optional(text('runbook: "High 5xx Error Rate", the heading after "### Alert: " in RUNBOOK.md.')),
  dashboard: optional(
    object<NonNullable<ImportedAlertSpec["dashboard"]>>(
      {
        dashboard: satisfying(
          isBuilder,
          "a dashboard(...) builder",
          "dashboard: the dashboard's builder, e.g. phoenixMetrics from src/dashboards/.",
          () => ({ build: () => ({ uid: "", title: "", panels: [] }) }) as unknown as DashboardBuilder,
        ),
        panel: finite("panel: the id of the panel that shows the signal, e.g. 301.", { integer: true }),
      },
      "{ dashboard, panel }",
    ),
  ),
  tests: optional(
    list(alertTest, "tests: [...], promtool scenarios just above and just below the threshold."),
  ),
  debt: debtList,
};

/** An imported alert as the engine may read it, and what is wrong with it, at its line. */
export function validatedImportedAlert(
  definition: ImportedAlertDefinition,
): Validated<ImportedAlertDefinition> {
  const source = definition.source;
  const members = unknownMembersOf(definition);
  const read = readSpec(
    definition,
    importedAlertShape,
    "importedAlert({ name, expr, for, ... })",
    source,
    members,
  );
  const problems = new Problems(source, members);
  problems.list.push(...read.problems);
  const alert = { ...read.spec, source, imported: true } as ImportedAlertDefinition;
  rememberThresholds(alert, definition);
  for (const key of ["threshold", "trafficGuard"] as const) {
    if (alert[key] === undefined) continue;
    const checked = validatedThreshold(alert[key], source);
    alert[key] = checked.value;
    problems.list.push(...checked.problems);
  }
  checkInterpolation(alert.expr, "expr", problems, members);
  return { value: alert, problems: problems.list };
}

/** An imported recording rule as the engine may read it: recordingRule()'s rules, and its debt. */
export function validatedImportedRecordingRule(
  definition: RecordingRuleDefinition,
): Validated<RecordingRuleDefinition> {
  const checked = validatedRecordingRule(definition);
  const problems = new Problems(definition.source);
  const owed = debtList(definition.debt, "debt", problems);
  return {
    value: { ...checked.value, debt: owed, imported: true },
    problems: [...checked.problems, ...problems.list],
  };
}

/** Keeps what the original interpolated known for the validated copy. */
function rememberThresholds(copy: object, original: object): void {
  const taken = interpolatedThresholds(original);
  if (taken.length) copiedThresholds.set(copy, taken);
}
const copiedThresholds = new WeakMap<object, ThresholdDefinition[]>();

/** The thresholds an imported alert's spec interpolated (its own first where it has one). */
export function importedAlertThresholds(alert: ImportedAlertDefinition): ThresholdDefinition[] {
  return copiedThresholds.get(alert) ?? interpolatedThresholds(alert);
}
