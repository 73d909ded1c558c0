/**
 * Define helpers for alerts and recording rules. Definitions are plain data plus their source line;
 * a threshold or a recording rule interpolated into PromQL text writes itself (`${thresholds.x}` -> `> 0.05`).
 * What a definition holds is validated (validated*, called by checkDefinitions) from that data, so that a copy
 * made with a spread is validated as it stands, and reported at the definition's line.
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { callerLocation, formatLocation, type SourceLocation } from "../source.ts";
import { spell } from "../text.ts";
import type { MigrationDebt } from "./debt.ts";
import {
  checkInterpolation,
  finite,
  list,
  object,
  oneOf,
  optional,
  Problems,
  promql,
  readSpec,
  satisfying,
  text,
  takeUnknownMembers,
  textRecord,
  type Rule,
  type UnknownMember,
  type Shape,
  type Validated,
} from "./validate.ts";

/** Texts that state a threshold are written with it: say`more than ${thresholds.x}` (wording.ts). */
export { inWords, say } from "./wording.ts";

/** The runbook's four levels, most urgent first. */
export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

/**
 * What a threshold measures. `ratio` is a fraction (0.05 for 5%), so a percentage written by
 * mistake (5) is caught; `percent` is a ratio times 100, where the expression multiplies by 100 itself (as many
 * rule files from elsewhere do); `count` is a number of things (messages, regions).
 */
export const thresholdUnits = ["ratio", "percent", "seconds", "bytes", "count", "bool"] as const;
export type ThresholdUnit = (typeof thresholdUnits)[number];
export const comparisonOperators = [">", ">=", "<", "<=", "==", "!="] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

export interface ThresholdDefinition {
  op: ComparisonOperator;
  value: number;
  unit: ThresholdUnit;
  source: SourceLocation;
}

/** The thresholds written into PromQL since the last definition took them (takeInterpolatedThresholds). */
let interpolated: ThresholdDefinition[] = [];

function threshold(op: ComparisonOperator, value: number, unit: ThresholdUnit): ThresholdDefinition {
  const t = { op, value, unit, source: callerLocation() };
  Object.defineProperty(t, "toString", {
    value: () => {
      if (!interpolated.includes(t)) interpolated.push(t);
      return `${op} ${formatNumber(value)}`;
    },
    enumerable: false,
  });
  return t;
}

/**
 * The thresholds interpolated into text since the last call: a definition takes those its spec was written with, so
 * that the alert knows every threshold its expression compares against, not only its own.
 */
export function takeInterpolatedThresholds(): ThresholdDefinition[] {
  const taken = interpolated;
  interpolated = [];
  return taken;
}

/** Fires when the value rises above `value`. */
export const above = (value: number, unit: ThresholdUnit) => threshold(">", value, unit);
/** Fires when the value falls below `value`. */
export const below = (value: number, unit: ThresholdUnit) => threshold("<", value, unit);
/** Fires at `value` or more. */
export const atLeast = (value: number, unit: ThresholdUnit) => threshold(">=", value, unit);
/** Fires at `value` or less. */
export const atMost = (value: number, unit: ThresholdUnit) => threshold("<=", value, unit);
/** Fires while the value is `value` (a state: `== 0` for down). */
export const equalTo = (value: number, unit: ThresholdUnit) => threshold("==", value, unit);
/** Fires while the value is anything but `value`. */
export const notEqualTo = (value: number, unit: ThresholdUnit) => threshold("!=", value, unit);

/** The helper that makes a threshold of each operator, as code and messages name it. */
export const thresholdHelpers: Record<ComparisonOperator, string> = {
  ">": "above",
  "<": "below",
  ">=": "atLeast",
  "<=": "atMost",
  "==": "equalTo",
  "!=": "notEqualTo",
};

/**
 * The shortest exact decimal spelling, as PromQL and YAML want it. A value that is no number is a definition's
 * mistake, reported where it is defined (definition/invalid); spelling it, as a threshold written into an expression
 * does, must not throw (an object whose toString is no function has no string of its own).
 */
export function formatNumber(value: number): string {
  return typeof value === "number" ? String(value) : spell(value);
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
  /** The value of the expression's left side in this scenario (its signal, the traffic guard aside), to prove the test sits at the threshold. */
  value: number;
  /** With a traffic guard: the traffic in this scenario (the guard's left side), to prove the test sits at the guard. */
  traffic?: number;
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
  /**
   * For a ratio of events (errors per request): the least traffic for which the ratio means anything, interpolated
   * into expr after `and on (...)` (`${ratio} ${thresholds.x}\nand on (job)\n${requests} ${thresholds.minRequests}`),
   * so that one failed request out of one at 3 a.m. does not page. Each test then states its `traffic`.
   */
  trafficGuard?: ThresholdDefinition;
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

const seriesInput: Rule<SeriesInput> = object<SeriesInput>(
  {
    series: promql('series: `${metric}{job="...", instance="..."}`, a series selector with its labels.'),
    values: text('values: "0+52x20", in promtool\'s expanding notation.'),
  },
  "{ series, values }",
);

const testLabels = optional(
  textRecord('labels: { job: "global-sovereign" }: label names and their values, as text.'),
);

export const alertTest: Rule<AlertTest> = object<AlertTest>(
  {
    name: text('name: "52 of every 1000 requests fail", saying what the scenario is.'),
    interval: optional(text('interval: "1m", the spacing of the input samples, as a duration.')),
    input: list(seriesInput, "input: [{ series, values }, ...], the series of the scenario."),
    value: finite(
      "value: the value the expression's left side takes in this scenario, e.g. 0.052 just above a 0.05 threshold.",
    ),
    traffic: optional(
      finite(
        "traffic: the traffic the guard reads in this scenario, e.g. 99 just below an atLeast(100) guard.",
      ),
    ),
    expect: list(
      object<AlertExpectation>(
        {
          at: text('at: "4m", the time since the start of the test.'),
          state: oneOf(["firing", "pending", "silent"], 'state: "firing", "pending" or "silent".'),
          labels: testLabels,
          description: optional(text("description: the rendered description, as text.")),
        },
        "{ at, state, labels?, description? }",
      ),
      'expect: [{ at: "4m", state: "pending" }, ...].',
    ),
  },
  "{ name, input, value, expect }",
);

/** A threshold as above(), below() and atLeast() make it (or a copy of one); its value and unit are validated on their own. */
export function isThreshold(value: unknown): value is ThresholdDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    (comparisonOperators as readonly unknown[]).includes((value as { op?: unknown }).op)
  );
}

const isLocation = (value: unknown): value is SourceLocation =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as SourceLocation).file === "string" &&
  typeof (value as SourceLocation).line === "number";

/** Anything with `build()`: a DashboardBuilder, as dashboard() returns it. */
const isBuilder = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { build?: unknown }).build === "function";

const alertShape: Shape<AlertSpec> = {
  name: text('name: "PhoenixHigh5xxErrorRate", in PascalCase, saying what is wrong.'),
  // Which severities exist is the alerts/severity check's to say.
  severity: text('severity: "critical", "high", "medium" or "low".') as Rule<Severity>,
  severityReason: optional(text('severityReason: "...", why this severity, as text.')),
  service: text('service: "phoenix", the component the alert is about.'),
  team: text('team: "platform", the team that owns it.'),
  // Its interpolation is checked with the threshold, below.
  expr: text("expr: `${signal} ${thresholds.x}`, PromQL text with the threshold interpolated."),
  threshold: satisfying(
    isThreshold,
    "a threshold made by above(), below() or atLeast()",
    "threshold: thresholds.<name>, from src/alerts/thresholds.ts: the same one interpolated into expr.",
    () =>
      ({ op: ">", value: 0, unit: "count", source: { file: "<unknown>", line: 0 } }) as ThresholdDefinition,
  ),
  trafficGuard: optional(
    satisfying(
      isThreshold,
      "a threshold made by above(), below() or atLeast()",
      "trafficGuard: thresholds.<name>, from src/alerts/thresholds.ts: the same one interpolated into expr after `and on (...)`.",
      () =>
        ({
          op: ">=",
          value: 0,
          unit: "count",
          source: { file: "<unknown>", line: 0 },
        }) as ThresholdDefinition,
    ),
  ),
  for: text('for: "5m", a Prometheus duration, as text.'),
  summary: text('summary: "One line, no template: what is wrong."'),
  description: text(
    'description: "{{ $value | humanizePercentage }} of requests ...", a template with the value and labels.',
  ),
  runbook: text('runbook: "High 5xx Error Rate", the heading after "### Alert: " in RUNBOOK.md.'),
  dashboard: object<AlertSpec["dashboard"]>(
    {
      dashboard: satisfying(
        isBuilder,
        "a dashboard(...) builder",
        "dashboard: the dashboard's builder, e.g. phoenixMetrics from src/dashboards/.",
        placeholderDashboard,
      ),
      panel: finite("panel: the id of the panel that shows the signal, e.g. 301.", { integer: true }),
    },
    "{ dashboard, panel }",
  ),
  labels: optional(textRecord('labels: { key: "value" }: extra labels, as text.')) as Rule<
    AlertSpec["labels"]
  >,
  tests: list(alertTest, "tests: [...], promtool scenarios just above and just below the threshold."),
};

/** Stands in for a missing dashboard: builds to an empty one. */
function placeholderDashboard(): DashboardBuilder {
  return { build: () => ({ uid: "", title: "", panels: [] }) } as unknown as DashboardBuilder;
}

export function alert(spec: AlertSpec): AlertDefinition {
  return withMembers({ ...spec, source: callerLocation() });
}

/** The unknown catalog members read while each definition's spec was written, to name if its PromQL holds `undefined`. */
const membersRead = new WeakMap<object, UnknownMember[]>();
/** The thresholds interpolated while each definition's spec was written. */
const thresholdsRead = new WeakMap<object, ThresholdDefinition[]>();
export function withMembers<T extends object>(definition: T): T {
  const members = takeUnknownMembers();
  if (members.length) membersRead.set(definition, members);
  const thresholds = takeInterpolatedThresholds();
  if (thresholds.length) thresholdsRead.set(definition, thresholds);
  return definition;
}

/** The unknown catalog members a definition's spec read (to name if its PromQL holds `undefined`). */
export const unknownMembersOf = (definition: object): UnknownMember[] => membersRead.get(definition) ?? [];

/** The thresholds a definition's spec interpolated (its expression's comparisons, and any text written with them). */
export const interpolatedThresholds = (definition: object): ThresholdDefinition[] =>
  thresholdsRead.get(definition) ?? [];

/** An alert as the engine may read it (placeholders where it is wrong), and what is wrong with it, at its line. */
export function validatedAlert(definition: AlertDefinition): Validated<AlertDefinition> {
  const source = definition.source;
  const members = membersRead.get(definition) ?? [];
  const read = readSpec(
    definition,
    alertShape,
    "alert({ name, severity, expr, threshold, ... })",
    source,
    members,
  );
  const problems = new Problems(source, members);
  problems.list.push(...read.problems);
  // Fields the shape does not list (source) are kept as they are; the definition itself is left as it was written.
  const alert = { ...read.spec } as AlertDefinition;
  thresholdsRead.set(alert, interpolatedThresholds(definition));
  if (typeof definition.name !== "string") alert.name = unnamed(source);
  // A placeholder threshold is the alert's own, at its line.
  if (!isThreshold(definition.threshold)) {
    alert.threshold = { ...alert.threshold, source };
    placeholderThresholds.add(alert.threshold);
  } else {
    const threshold = validatedThreshold(alert.threshold, source);
    alert.threshold = threshold.value;
    problems.list.push(...threshold.problems);
  }
  if (isThreshold(definition.trafficGuard) && alert.trafficGuard) {
    const guard = validatedThreshold(alert.trafficGuard, source);
    alert.trafficGuard = guard.value;
    problems.list.push(...guard.problems);
  }
  const value = alert.threshold.value;
  if (!Number.isFinite(value)) {
    // The alerts/threshold check's rule, found here so that what the checks would say about this alert is not said.
    problems.list.push({
      check: "alerts/threshold",
      message: `threshold ${value} is not a finite number`,
      fix: 'write the number the alert compares against: above(0.05, "ratio").',
      source: isLocation(alert.threshold.source) ? alert.threshold.source : source,
    });
  }
  // That threshold is interpolated as NaN or Infinity: said once, above.
  checkInterpolation(alert.expr, "expr", problems, members, !Number.isFinite(value));
  return { value: alert, problems: problems.list };
}

/** The name that stands in for a missing one, so that messages still say which definition. */
export const unnamed = (source: SourceLocation) => `(no name, ${formatLocation(source)})`;

/** A threshold as the engine may read it, and what is wrong with it, at the line that made it. */
/** Thresholds that stand in for one the definition got wrong: checks of what a threshold says leave them alone. */
const placeholderThresholds = new WeakSet<object>();
export const isPlaceholderThreshold = (t: object) => placeholderThresholds.has(t);

export function validatedThreshold(
  t: ThresholdDefinition,
  fallback: SourceLocation,
): Validated<ThresholdDefinition> {
  const source = isLocation(t.source) ? t.source : fallback;
  const problems = new Problems(source);
  const helper = `${thresholdHelpers[t.op] ?? "above"}(value, unit)`;
  // Any number: whether it is finite and sane for its unit is the alerts/threshold check's to say, with the alert's name.
  const value = typeof t.value === "number" ? t.value : 0;
  if (typeof t.value !== "number")
    problems.wrong(
      "the threshold's value",
      t.value,
      "a number",
      `${helper} takes the number itself, e.g. 0.05 for 5%, or 0.5 for 500 ms in seconds.`,
    );
  const unit = oneOf(
    thresholdUnits,
    `${helper} takes the threshold's unit second: "ratio" (0.05 for 5%), "percent" (5 for 5%), "seconds", "bytes", "count" or "bool".`,
  )(t.unit, "the threshold's unit", problems);
  if (!problems.list.length) return { value: t, problems: [] };
  const placeholder = { ...t, value, unit, source };
  placeholderThresholds.add(placeholder);
  return { value: placeholder, problems: problems.list };
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
  /** Made by importedRecordingRule() (`o11y import rules`). */
  imported?: true;
  /** Checks an imported rule does not satisfy yet, and why. */
  debt?: MigrationDebt[];
}

const recordingRuleShape: Shape<RecordingRuleSpec> = {
  record: text(
    'record: "job:phoenix_http_requests:rate5m", the series it records, as level:metric:operations.',
  ),
  expr: promql("expr: `sum by (job) (rate(${metric}[5m]))`, PromQL text."),
  labels: optional(textRecord('labels: { key: "value" }: extra labels, as text.')),
  tests: list(
    object<RuleTest>(
      {
        name: text('name: "sums routes into requests per second", saying what the scenario is.'),
        interval: optional(text('interval: "1m", the spacing of the input samples, as a duration.')),
        input: list(seriesInput, "input: [{ series, values }, ...], the series of the scenario."),
        at: text('at: "10m", when the recorded values are read.'),
        expect: list(
          object<RuleTest["expect"][number]>(
            {
              labels: textRecord(
                'labels: { job: "global-sovereign" }: the recorded series\' labels, as text.',
              ),
              value: finite("value: the exact value recorded, a finite number."),
            },
            "{ labels, value }",
          ),
          "expect: [{ labels, value }, ...], the recorded series.",
        ),
      },
      "{ name, input, at, expect }",
    ),
    "tests: [...], promtool scenarios with the exact values recorded.",
  ),
};

export function recordingRule(spec: RecordingRuleSpec): RecordingRuleDefinition {
  const rule = { ...spec, source: callerLocation() };
  Object.defineProperty(rule, "toString", { value: () => spec.record, enumerable: false });
  return withMembers(rule);
}

export function validatedRecordingRule(
  definition: RecordingRuleDefinition,
): Validated<RecordingRuleDefinition> {
  const read = readSpec(
    definition,
    recordingRuleShape,
    "recordingRule({ record, expr, tests })",
    definition.source,
    membersRead.get(definition),
  );
  const rule = read.spec as RecordingRuleDefinition;
  if (typeof definition.record !== "string")
    return { value: { ...rule, record: unnamed(definition.source) }, problems: read.problems };
  return { value: rule, problems: read.problems };
}

/** A file of alerts or recording rules becomes one rule group; `name` is the group's name. */
export interface RuleGroupDefinition<T> {
  name: string;
  /** The definitions' source file, for the generated file's header. */
  file: string;
  rules: T[];
  /** Where `ruleGroup(...)` was called; its file is `file`. */
  source?: SourceLocation;
}

export function ruleGroup<T extends { source: SourceLocation }>(
  name: string,
  rules: T[],
): RuleGroupDefinition<T> {
  const source = callerLocation();
  return { name, file: source.file, rules, source };
}

/** A definition as the helpers make them (or a copy of one): an object with its source location. */
export function isDefinition(value: unknown): value is { source: SourceLocation } {
  return typeof value === "object" && value !== null && isLocation((value as { source?: unknown }).source);
}

/** A rule group with only the rules that are definitions (the others reported), at the group's line. */
export function validatedRuleGroup<T extends { source: SourceLocation }>(
  group: RuleGroupDefinition<T>,
  fallback: SourceLocation,
): Validated<RuleGroupDefinition<T>> & { source: SourceLocation } {
  const source = isLocation(group.source)
    ? group.source
    : typeof group.file === "string"
      ? { file: group.file, line: 1 }
      : fallback;
  const problems = new Problems(source);
  const name = text('ruleGroup("phoenix-alerts", [...]) takes the group\'s name first, as text.')(
    group.name,
    "the group's name",
    problems,
  );
  const fix =
    "list the alert(...) or recordingRule(...) definitions themselves: check that each name in the list is imported and spelt right.";
  const rules = list(
    satisfying<T | undefined>(
      isDefinition,
      "an alert(...) or recordingRule(...) definition",
      fix,
      () => undefined,
    ),
    fix,
  )(group.rules, "rules", problems);
  // What is not a definition is reported here and left out, so that nothing downstream reads it.
  return {
    value: {
      ...group,
      name,
      file: source.file,
      source,
      rules: rules.filter((rule): rule is T => rule !== undefined),
    },
    problems: problems.list,
    source,
  };
}

/** A notification channel; secrets are read from files Alertmanager mounts, never written here. */
export type ReceiverChannel =
  { kind: "pagerduty"; routingKeyFile: string } | { kind: "slack"; channel: string; webhookUrlFile: string };

const policySources = new WeakMap<object, SourceLocation>();

/** A severity policy, remembered with its line so that what is wrong with it is reported there. */
export function severityPolicy(policy: SeverityPolicy): SeverityPolicy {
  if (typeof policy === "object" && policy !== null) policySources.set(policy, callerLocation());
  return policy;
}

export const severityPolicySource = (policy: SeverityPolicy): SourceLocation | undefined =>
  policySources.get(policy);

/** The checked copy of a policy keeps the line of the policy it was read from. */
export function keepPolicySource(copy: SeverityPolicy, source: SourceLocation): SeverityPolicy {
  policySources.set(copy, source);
  return copy;
}

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

/**
 * What Alertmanager does besides routing each severity to its policy's receiver: where an alert that matches
 * no severity route lands (the root route's receiver, which must page no one), and which firing alerts hold
 * back the less urgent alerts of the same service and job.
 */
export interface AlertRoutingSpec {
  /** The root route's receiver. The build proves every alert reaches its severity's route, so only alerts from elsewhere land here. */
  unrouted: {
    receiver: string;
    /** No paging channel: a mistake that reaches it must not wake anybody. Empty: a null receiver, which drops them. */
    channels: ReceiverChannel[];
    groupWait: string;
    groupInterval: string;
    repeatInterval: string;
  };
  /** While an alert of one of these severities fires, the lower-severity alerts with the same `equal` labels are not notified. */
  inhibit: { severities: Severity[]; equal: string[] };
}

export interface AlertRoutingDefinition extends AlertRoutingSpec {
  source: SourceLocation;
}

/** The routing policy beyond the severities, remembered with its line so that what is wrong with it is reported there. */
export function alertRouting(spec: AlertRoutingSpec): AlertRoutingDefinition {
  return { ...spec, source: callerLocation() };
}
