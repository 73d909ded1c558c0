/**
 * An SLO expanded into what the rest of the engine already knows: recording rules with exact-value tests, burn-rate
 * alerts with boundary tests, and their rule groups. Series and labels are Sloth's (slo:sli_error:ratio_rate5m,
 * sloth_id, ...), so dashboards and tools made for Sloth's output read ours. The alert windows and factors follow the
 * SRE workbook ("Alerting on SLOs", multiwindow, multi-burn-rate): each factor is derived from the share of the budget
 * an alert allows to be spent within its long window, so a 28-day period gives 13.44, 5.6, 2.8 and 0.93.
 */
import type {
  AlertDefinition,
  AlertTest,
  RecordingRuleDefinition,
  RuleGroupDefinition,
  RuleTest,
  SeriesInput,
} from "../define/alerting.ts";
import {
  equalityMatchers,
  placementOf,
  windowPlaceholder,
  type SloDefinition,
  type SloPeriod,
} from "../define/slo.ts";
import { formatDuration, parseDurationMs } from "../duration.ts";
import type { RuleGroupModel, SloModel } from "../model.ts";

/** Every window an alert reads, shortest first: each gets an SLI recording rule. */
export const sloWindows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

/** One multiwindow alert: it fires while both windows burn the budget faster than its factor. */
export interface BurnRateAlert {
  severity: "page" | "ticket";
  /** The share of the period's budget this alert lets burn within its long window before it fires. */
  budgetShare: number;
  long: (typeof sloWindows)[number];
  short: (typeof sloWindows)[number];
}

/** The workbook's recommended parameters: 2% of the budget in 1 hour, 5% in 6 hours (page); 10% in a day and in 3 days (ticket). */
export const burnRateAlerts: readonly BurnRateAlert[] = [
  { severity: "page", budgetShare: 0.02, long: "1h", short: "5m" },
  { severity: "page", budgetShare: 0.05, long: "6h", short: "30m" },
  { severity: "ticket", budgetShare: 0.1, long: "1d", short: "2h" },
  { severity: "ticket", budgetShare: 0.1, long: "3d", short: "6h" },
];

/** Rounds away binary noise (0.1 * 672 / 72 = 0.9333333333333332): ten significant digits are exact for every input we take. */
const round = (value: number) => Number(value.toPrecision(10));

/**
 * How many times faster than sustainable the budget burns when `share` of it is spent within `window`: a budget spent
 * evenly over the period burns at 1.
 */
export function burnFactor(share: number, period: SloPeriod | string, window: string): number {
  return round((share * parseDurationMs(period)) / parseDurationMs(window));
}

/** The error budget, as a ratio: 99.9 gives 0.001. */
export const errorBudget = (objective: number) => round((100 - objective) / 100);

/** `sloth_id`, Sloth's: `<service>-<name>`. */
export const sloId = (slo: Pick<SloDefinition, "service" | "name">) => `${slo.service}-${slo.name}`;

/** The selector labels Sloth puts on every series of one SLO. */
export function sloSelector(slo: Pick<SloDefinition, "service" | "name">): string {
  return `sloth_id="${sloId(slo)}", sloth_service="${slo.service}", sloth_slo="${slo.name}"`;
}

export const sliRecord = (window: string) => `slo:sli_error:ratio_rate${window}`;

/** The objective an out-of-range one is compiled with, so that the rules stay sane while slo/objective reports it. */
const fallbackObjective = 99;
export const usableObjective = (objective: number) =>
  Number.isFinite(objective) && objective > 0 && objective < 100 ? objective : fallbackObjective;

/** A number as PromQL and promtool read it, without binary noise. */
const num = (value: number) => String(Number(value.toPrecision(12)));

/** The bucket bound as the `le` label writes it. */
export const leText = (le: number) => String(le);

/** The queries for one window: error ratio, and (for the 5m rule) zero rather than nothing before the first error. */
function sliExpr(slo: SloDefinition, window: string, zeroBeforeFirstError: boolean): string {
  const at = (query: string) => query.split(windowPlaceholder).join(window);
  const { sli } = slo;
  if (sli.kind === "ratio") return at(sli.errorRatio);
  if (sli.kind === "latency") {
    const matchers = sli.matchers ? `${sli.matchers}, ` : "";
    const name = sli.histogram.name;
    return (
      `1 - (\n  sum(rate(${name}_bucket{${matchers}le="${leText(sli.le)}"}[${window}]))\n  /\n` +
      `  sum(rate(${name}_count{${sli.matchers}}[${window}]))\n)`
    );
  }
  const total = `(${at(sli.total)})`;
  // No error series exists until the first error: without this the SLI, the period's and the budget would be empty.
  const errors = zeroBeforeFirstError
    ? `(\n  (${at(sli.errors)})\n  or\n  0 * ${total}\n)`
    : `(${at(sli.errors)})`;
  return `${errors}\n/\n${total}`;
}

/** The SLO's labels on every series, as Sloth writes them. */
function seriesLabels(slo: SloDefinition): Record<string, string> {
  return { ...slo.labels, sloth_id: sloId(slo), sloth_service: slo.service, sloth_slo: slo.name };
}

/** The samples an SLO's tests feed promtool: good and bad events at a chosen error ratio, phase by phase. */
interface Phase {
  /** Sampling intervals in this phase. */
  intervals: number;
  /** Error ratio of the events in it. */
  errorRatio: number;
}

/** Events per sampling interval in every test: large enough that error ratios of 1e-4 are whole events. */
const eventsPerInterval = 10_000;

/** promtool's expanding notation for a counter that grows by each phase's step: `0 0+5x59 300+10x59`. */
function counterValues(phases: Phase[], step: (phase: Phase) => number): string {
  let value = 0;
  const parts = ["0"];
  for (const phase of phases) {
    if (phase.intervals <= 0) continue;
    const increment = Number(step(phase).toPrecision(12));
    parts.push(`${num(value + increment)}+${num(increment)}x${phase.intervals - 1}`);
    value += increment * phase.intervals;
  }
  return parts.join(" ");
}

const withLabels = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}}`;

/** Input series for a scenario: the SLI's good and bad events, or its histogram's bucket and count. */
function inputs(slo: SloDefinition, phases: Phase[]): SeriesInput[] {
  const good = (p: Phase) => eventsPerInterval * (1 - p.errorRatio);
  const bad = (p: Phase) => eventsPerInterval * p.errorRatio;
  const { sli } = slo;
  if (sli.kind === "latency") {
    const labels = equalityMatchers(sli.matchers) ?? {};
    return [
      {
        series: withLabels(`${sli.histogram.name}_bucket`, { ...labels, le: leText(sli.le) }),
        values: counterValues(phases, good),
      },
      {
        series: withLabels(`${sli.histogram.name}_count`, labels),
        values: counterValues(phases, () => eventsPerInterval),
      },
    ];
  }
  return [
    { series: sli.testSeries.good, values: counterValues(phases, good) },
    { series: sli.testSeries.bad, values: counterValues(phases, bad) },
  ];
}

/**
 * The spacing of an alert's test samples, and the step promtool evaluates its tests at: five samples in the short
 * window, at least a minute apart. Evaluating more often would only repeat the same result between samples, and a
 * step of 30 s over the 3-day window's six days of samples costs minutes of promtool.
 */
const testIntervalMs = (alert: BurnRateAlert) => Math.max(60_000, parseDurationMs(alert.short) / 5);

/** Whole sampling intervals in a duration, at least one. */
const intervalsIn = (ms: number, intervalMs: number) => Math.max(1, Math.round(ms / intervalMs));

const titleCase = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The generated alert's name: `ApiAvailabilityBudgetBurnPage1h`. */
export const burnAlertName = (prefix: string, alert: BurnRateAlert) =>
  `${prefix}BudgetBurn${titleCase(alert.severity)}${alert.long}`;

/** The panel of the SLO dashboard that draws an alert's burn rate, numbered within the SLO's row. */
export const burnPanelOffset = (alert: BurnRateAlert) => 3 + burnRateAlerts.indexOf(alert);

/**
 * An alert's description: a template reading the firing series' labels, and the text it renders to for this SLO (what
 * the tests expect). Labels, not the value: a burn rate's last digits are not the tests' to predict.
 */
function description(
  slo: SloDefinition,
  alert: BurnRateAlert,
  factor: number,
  period: string,
): { template: string; rendered: string } {
  const text = (id: string, window: string) =>
    `${slo.title} (${id}, objective ${slo.objective}% over ${period}) is burning its error budget more than ${factor} ` +
    `times faster than sustainable over both the last ${window} and ${alert.short}: at this pace ` +
    `${Math.round(alert.budgetShare * 100)}% of the ${period} budget is spent within ${alert.long}.`;
  return {
    template: text("{{ $labels.sloth_id }}", "{{ $labels.sloth_window }}"),
    rendered: text(sloId(slo), alert.long),
  };
}

/**
 * The boundary tests of one alert, each a scenario of steady traffic with a healthy history as long as the long
 * window, then a burn. `value` is what decides the `and`: the smaller of the two windows' burn rates.
 */
function alertTests(
  slo: SloDefinition,
  alert: BurnRateAlert,
  budget: number,
  factor: number,
  text: string,
): AlertTest[] {
  const longMs = parseDurationMs(alert.long);
  const shortMs = parseDurationMs(alert.short);
  const intervalMs = testIntervalMs(alert);
  const interval = formatDuration(intervalMs);
  const history = intervalsIn(longMs, intervalMs);
  const longIntervals = intervalsIn(longMs, intervalMs);
  const shortIntervals = intervalsIn(shortMs, intervalMs);
  const at = (intervals: number) => formatDuration(intervals * intervalMs);
  const healthy = (intervals: number): Phase => ({ intervals, errorRatio: 0 });
  const burning = (intervals: number, burn: number): Phase => ({ intervals, errorRatio: burn * budget });
  const labels = { ...seriesLabels(slo), sloth_window: alert.long };
  const firing = (intervals: number) => ({
    at: at(intervals),
    state: "firing" as const,
    labels,
    description: text,
  });
  const silent = (intervals: number) => ({ at: at(intervals), state: "silent" as const });

  const above = round(factor * 1.05);
  const below = round(factor * 0.95);
  // A short, strong burst: past the factor in the long window, yet over before the short window's span ends.
  const burst = round(Math.min(factor * 4, 1 / budget));
  const burstIntervals = Math.min(
    longIntervals - shortIntervals - 2,
    Math.ceil((1.5 * factor * longIntervals) / burst),
  );
  const burstLong = round((burst * burstIntervals) / longIntervals);
  const seen = Math.floor(longIntervals * 0.9);
  const tail = shortIntervals + 2;
  const scenario = (phases: Phase[]) => ({ interval, input: inputs(slo, phases) });
  return [
    {
      name: `burning at ${above}x for ${at(seen)} only: the ${alert.long} window has not seen enough yet`,
      ...scenario([healthy(history), burning(seen + 2, above)]),
      value: round((above * seen) / longIntervals),
      expect: [silent(history + seen)],
    },
    {
      name: `burning at ${above}x: fires once both the ${alert.long} and the ${alert.short} window see it`,
      ...scenario([healthy(history), burning(longIntervals + 2, above)]),
      value: above,
      expect: [firing(history + longIntervals)],
    },
    {
      name: `burning at ${below}x: stays silent`,
      ...scenario([healthy(history), burning(longIntervals + tail, below)]),
      value: below,
      expect: [silent(history + longIntervals), silent(history + longIntervals + tail)],
    },
    {
      name: `a burst at ${burst}x for ${at(burstIntervals)}: fires`,
      ...scenario([healthy(history), burning(burstIntervals, burst), healthy(tail + 2)]),
      value: burstLong,
      expect: [firing(history + burstIntervals)],
    },
    {
      name: `a burst at ${burst}x for ${at(burstIntervals)}, then none: silent within ${alert.short} although the ${alert.long} window still burns at ${burstLong}x`,
      ...scenario([healthy(history), burning(burstIntervals, burst), healthy(tail + 2)]),
      // The short window's burn decides once the burst has left it.
      value: 0,
      expect: [silent(history + burstIntervals + tail)],
    },
  ];
}

/**
 * Exact-value tests of the recording rules: half of all events fail, steadily, over 30 minutes, read at its end. Half,
 * because then the good and bad series are equal and every rate, sum and division Prometheus does is exact in binary
 * floating point; another share would be off in the last digit, which promtool compares.
 */
const ruleTestRatio = 0.5;
const ruleTestIntervals = 30;

function ruleTests(slo: SloDefinition, expected: number, windowLabel?: string): RuleTest[] {
  const labels = windowLabel ? { ...seriesLabels(slo), sloth_window: windowLabel } : seriesLabels(slo);
  const tests: RuleTest[] = [
    {
      name: `${sloId(slo)} is exact under a steady ${ruleTestRatio * 100}% of errors`,
      input: inputs(slo, [{ intervals: ruleTestIntervals, errorRatio: ruleTestRatio }]),
      at: `${ruleTestIntervals}m`,
      expect: [{ labels, value: expected }],
    },
  ];
  return tests;
}

export interface ExpandedSlo {
  model: SloModel;
  recordingRuleGroups: RuleGroupDefinition<RecordingRuleDefinition>[];
  alertGroups: RuleGroupDefinition<AlertDefinition>[];
  /** By group: the groups its tests load, and their evaluation interval (see RuleGroupModel.tests). */
  tests: Map<string, NonNullable<RuleGroupModel["tests"]>>;
}

/** The step of the recording rules' tests: their samples are a minute apart. */
const ruleTestEvaluationInterval = "1m";

/** One SLO as rule groups: its SLI recordings, its metadata recordings and its alerts, as Sloth groups them. */
export function expandSlo(slo: SloDefinition, defaultPeriod: SloPeriod): ExpandedSlo {
  const source = slo.source;
  const period = slo.period ?? defaultPeriod;
  const objective = usableObjective(slo.objective);
  const budget = errorBudget(objective);
  const labels = seriesLabels(slo);
  const ids = sloSelector(slo);
  const rule = (
    record: string,
    expr: string,
    expected: number,
    extra: Record<string, string> = {},
    /** The window label the expression keeps from the series it divides (Sloth's burn rates keep it). */
    keptWindow = extra.sloth_window,
  ): RecordingRuleDefinition => ({
    record,
    expr,
    labels: { ...labels, ...extra },
    tests: ruleTests(slo, expected, keptWindow),
    source,
  });
  // What each rule records under the rule tests' steady 1%.
  const burnAtTestRatio = ruleTestRatio / budget;
  const sliRules = [
    ...sloWindows.map((window) =>
      rule(sliRecord(window), sliExpr(slo, window, window === "5m"), ruleTestRatio, { sloth_window: window }),
    ),
    rule(
      sliRecord(period),
      `sum_over_time(${sliRecord("5m")}{${ids}}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(${sliRecord("5m")}{${ids}}[${period}])`,
      ruleTestRatio,
      { sloth_window: period },
    ),
  ];
  const perBudget = (series: string) =>
    `${series}{${ids}}\n/ on (sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${ids}}`;
  const metaRules = [
    rule("slo:objective:ratio", `vector(${num(objective / 100)})`, Number(num(objective / 100))),
    rule("slo:error_budget:ratio", `vector(${num(budget)})`, budget),
    rule(
      "slo:time_period:days",
      `vector(${parseDurationMs(period) / 86_400_000})`,
      parseDurationMs(period) / 86_400_000,
    ),
    rule("slo:current_burn_rate:ratio", perBudget(sliRecord("5m")), burnAtTestRatio, {}, "5m"),
    rule("slo:period_burn_rate:ratio", perBudget(sliRecord(period)), burnAtTestRatio, {}, period),
    rule(
      "slo:period_error_budget_remaining:ratio",
      `1 - slo:period_burn_rate:ratio{${ids}}`,
      1 - burnAtTestRatio,
      {},
      period,
    ),
    rule("sloth_slo_info", "vector(1)", 1, { sloth_objective: String(slo.objective) }),
  ];

  const placement = placementOf(slo);
  const alerts = burnRateAlerts.map((spec): AlertDefinition => {
    const factor = burnFactor(spec.budgetShare, period, spec.long);
    const which = slo.alerting[spec.severity];
    const text = description(slo, spec, factor, period);
    const burn = (window: string) => `${sliRecord(window)}{${ids}} / ${num(budget)} > ${factor}`;
    const panel = placement ? placement.row + burnPanelOffset(spec) : 0;
    return {
      name: burnAlertName(slo.alerting.name, spec),
      severity: which.severity as AlertDefinition["severity"],
      severityReason: `the SLO's ${spec.severity} alert (${slo.title})`,
      service: slo.service,
      team: slo.alerting.team,
      expr: `${burn(spec.long)}\nand ignoring (sloth_window)\n${burn(spec.short)}`,
      threshold: { op: ">", value: factor, unit: "count", source },
      for: "0s",
      summary: `${slo.title}: the error budget is burning ${spec.severity === "page" ? "fast" : "steadily"}.`,
      description: text.template,
      runbook: which.runbook,
      dashboard: { dashboard: placement?.dashboard ?? missingDashboard, panel },
      labels: { ...slo.labels, sloth_severity: spec.severity } as AlertDefinition["labels"],
      tests: alertTests(slo, spec, budget, factor, text.rendered),
      source,
    };
  });

  const id = sloId(slo);
  const names = {
    sli: `slo-${id}-sli-recording`,
    meta: `slo-${id}-meta-recording`,
    alert: (alert: BurnRateAlert) => `slo-${id}-${alert.severity}-${alert.long}-alerts`,
  };
  const group = <T>(name: string, rules: T[]): RuleGroupDefinition<T> => ({
    name,
    file: source.file,
    rules,
    source,
  });
  return {
    model: {
      id,
      service: slo.service,
      name: slo.name,
      title: slo.title,
      objective: slo.objective,
      period,
      budget,
      sli: sliModel(slo),
      alerts: alerts.map((a) => a.name),
      source,
    },
    recordingRuleGroups: [group(names.sli, sliRules), group(names.meta, metaRules)],
    // One group per alert, so that each one's tests step at their own samples' spacing.
    alertGroups: alerts.map((alert, index) => group(names.alert(burnRateAlerts[index]!), [alert])),
    tests: new Map<string, NonNullable<RuleGroupModel["tests"]>>([
      [names.sli, { ruleGroups: [names.sli], evaluationInterval: ruleTestEvaluationInterval }],
      [names.meta, { ruleGroups: [names.sli, names.meta], evaluationInterval: ruleTestEvaluationInterval }],
      ...burnRateAlerts.map(
        (alert) =>
          [
            names.alert(alert),
            {
              ruleGroups: [names.sli, names.alert(alert)],
              evaluationInterval: formatDuration(testIntervalMs(alert)),
            },
          ] as [string, NonNullable<RuleGroupModel["tests"]>],
      ),
    ]),
  };
}

/** Stands in for the dashboard of an SLO no sloDashboard() shows; the slo/dashboard finding says so. */
const missingDashboard = {
  build: () => ({ uid: "", title: "", panels: [] }),
} as unknown as AlertDefinition["dashboard"]["dashboard"];

function sliModel(slo: SloDefinition): SloModel["sli"] {
  const { sli } = slo;
  if (sli.kind === "events") return { kind: "events", errors: sli.errors, total: sli.total };
  if (sli.kind === "ratio") return { kind: "ratio", errorRatio: sli.errorRatio };
  return {
    kind: "latency",
    histogram: sli.histogram.name,
    le: sli.le,
    matchers: sli.matchers,
    buckets: [...(sli.histogram.buckets ?? [])],
  };
}
