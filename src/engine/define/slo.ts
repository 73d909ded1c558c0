/**
 * Define helpers for service level objectives. An SLO is plain data plus its source line; compile/slo.ts expands
 * it into recording rules, burn-rate alerts, their promtool tests and dashboard panels, with Sloth's series names.
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { callerLocation, type SourceLocation } from "../source.ts";
import type { HistogramDefinition } from "./catalog.ts";
import {
  finite,
  object,
  oneOf,
  optional,
  promql,
  readSpec,
  satisfying,
  text,
  textRecord,
  type Rule,
  type Shape,
  type Validated,
} from "./validate.ts";

/** The periods an error budget is counted over: the workbook's four weeks, or a month. */
export const sloPeriods = ["28d", "30d"] as const;
export type SloPeriod = (typeof sloPeriods)[number];

/** Where `{{window}}` stands in an SLI query: each generated rule writes its own window there (`5m`, `1h`, ...). */
export const windowPlaceholder = "{{window}}";

/**
 * Two counter series the generated tests feed promtool: one of good events and one of bad ones, each a full selector
 * (`${phoenix.httpRequests}{job="global-sovereign", status="200"}`). The SLI's queries must count the bad one as errors
 * and both in the total.
 */
export interface TestSeries {
  good: string;
  bad: string;
}

/** Bad events and all events, each a PromQL query with `[{{window}}]` in its range selectors. */
export interface EventsSli {
  kind: "events";
  errors: string;
  total: string;
  testSeries: TestSeries;
}

/** The error ratio itself, one query with `[{{window}}]` in its range selectors. */
export interface RatioSli {
  kind: "ratio";
  errorRatio: string;
  testSeries: TestSeries;
}

/** The share of requests slower than `le`, a bucket bound the histogram declares in the catalog. */
export interface LatencySli {
  kind: "latency";
  histogram: HistogramDefinition;
  /** Bucket upper bound in seconds: requests taking longer are the errors. */
  le: number;
  /** Equality matchers every selector carries, e.g. `job="global-sovereign"`; empty for all series. */
  matchers: string;
}

export type SliDefinition = EventsSli | RatioSli | LatencySli;

/** Errors over total: `sum(rate(x{status=~"5.."}[{{window}}]))` over `sum(rate(x[{{window}}]))`. */
export const events = (spec: { errors: string; total: string; testSeries: TestSeries }): EventsSli => ({
  kind: "events",
  ...spec,
});
/** An error ratio written whole, with `[{{window}}]` in it. */
export const errorRatio = (query: string, testSeries: TestSeries): RatioSli => ({
  kind: "ratio",
  errorRatio: query,
  testSeries,
});
/** Requests slower than `le` seconds are errors; `le` must be one of the histogram's buckets. */
export const latency = (spec: {
  histogram: HistogramDefinition;
  le: number;
  matchers?: string;
}): LatencySli => ({
  kind: "latency",
  histogram: spec.histogram,
  le: spec.le,
  matchers: spec.matchers ?? "",
});

/** One of the two alerts: the runbook severity it is sent with and the playbook it links to. */
export interface SloAlertSpec {
  severity: string;
  /** Heading of its playbook in RUNBOOK.md, after "### Alert: ". */
  runbook: string;
}

export interface SloSpec {
  /** `sloth_service`: the component, e.g. `phoenix`. Lowercase letters, digits and `-`. */
  service: string;
  /** `sloth_slo`, e.g. `api-availability`. Lowercase letters, digits and `-`; `<service>-<name>` is the `sloth_id`. */
  name: string;
  /** Human title for the dashboard and notifications: "API availability". */
  title: string;
  /** What the SLO promises, in a sentence. */
  description: string;
  /** A percentage, 0 < objective < 100: 99.9 allows one bad event in a thousand. */
  objective: number;
  /** Why this objective: the runbook threshold or agreement it comes from. */
  objectiveReason: string;
  /** The budget's period; defaults to the project's `sloPeriod` setting. */
  period?: SloPeriod;
  sli: SliDefinition;
  alerting: {
    /** PascalCase prefix of the alert names: `ApiAvailability` gives `ApiAvailabilityBudgetBurnPage1h`, ... */
    name: string;
    team: string;
    page: SloAlertSpec;
    ticket: SloAlertSpec;
  };
  /** Extra labels for every generated series and alert. */
  labels?: Record<string, string>;
}

export interface SloDefinition extends SloSpec {
  source: SourceLocation;
}

export function slo(spec: SloSpec): SloDefinition {
  return { ...spec, source: callerLocation() };
}

const isHistogram = (value: unknown): value is HistogramDefinition =>
  typeof value === "object" && value !== null && (value as { type?: unknown }).type === "histogram";

const testSeries: Rule<TestSeries> = object<TestSeries>(
  {
    good: promql('testSeries.good: `${metric}{job="...", status="200"}`, a series of good events.'),
    bad: promql('testSeries.bad: `${metric}{job="...", status="500"}`, a series of bad events.'),
  },
  "{ good, bad }",
);

const sliRule: Rule<SliDefinition> = (value, at, problems) => {
  const kind = oneOf(
    ["events", "ratio", "latency"],
    "sli: events({ errors, total }), errorRatio(query) or latency({ histogram, le }).",
  )((value as { kind?: unknown } | undefined)?.kind, `${at}.kind`, problems);
  const window = `with [${windowPlaceholder}] as its range`;
  if (kind === "events")
    return object<EventsSli>(
      {
        kind: text(""),
        errors: promql(`errors: \`sum(rate(\${metric}{status=~"5.."}[${windowPlaceholder}]))\`, ${window}.`),
        total: promql(`total: \`sum(rate(\${metric}[${windowPlaceholder}]))\`, ${window}.`),
        testSeries,
      } as Shape<EventsSli>,
      "events({ errors, total })",
    )(value, at, problems);
  if (kind === "ratio")
    return object<RatioSli>(
      {
        kind: text(""),
        errorRatio: promql(`errorRatio(query): the share of bad events, ${window}.`),
        testSeries,
      } as Shape<RatioSli>,
      "errorRatio(query)",
    )(value, at, problems);
  return object<LatencySli>(
    {
      kind: text(""),
      histogram: satisfying(
        isHistogram,
        "a histogram from the catalog",
        "histogram: phoenix.httpRequestDuration, a metric declared with histogram().",
        () => ({ type: "histogram", name: "", buckets: [] }) as unknown as HistogramDefinition,
      ),
      le: finite("le: 0.5, a bucket bound of the histogram in seconds.", { min: 0 }),
      matchers: satisfying(
        (m) => typeof m === "string" && equalityMatchers(m) !== undefined,
        'equality matchers as text, `job="global-sovereign", method="GET"`',
        'matchers: `job="global-sovereign"`: the tests write these labels on their input series, so only `label="value"` pairs.',
        () => "",
      ),
    } as Shape<LatencySli>,
    "latency({ histogram, le })",
  )(value, at, problems);
};

const alertSpec = (which: string): Rule<SloAlertSpec> =>
  object<SloAlertSpec>(
    {
      severity: text(`${which}.severity: "critical", one of the runbook's severities.`),
      runbook: text(`${which}.runbook: "API Availability Budget Burn", the heading after "### Alert: ".`),
    },
    "{ severity, runbook }",
  );

const sloShape: Shape<SloSpec> = {
  service: text('service: "phoenix", the component (sloth_service).'),
  name: text('name: "api-availability", the SLO\'s name (sloth_slo).'),
  title: text('title: "API availability", for dashboards and notifications.'),
  description: text("description: what the SLO promises, as text."),
  // Its range is the slo/objective check's to say, with the reason.
  objective: finite("objective: 99.9, a percentage between 0 and 100."),
  objectiveReason: text("objectiveReason: why this objective, as text."),
  period: optional(oneOf(sloPeriods, 'period: "28d" or "30d", the error budget\'s period.')),
  sli: sliRule,
  alerting: object<SloSpec["alerting"]>(
    {
      name: text('alerting.name: "ApiAvailability", the PascalCase prefix of the alert names.'),
      team: text('alerting.team: "platform", the team that owns it.'),
      page: alertSpec("alerting.page"),
      ticket: alertSpec("alerting.ticket"),
    },
    "{ name, team, page, ticket }",
  ),
  labels: optional(textRecord('labels: { tier: "1" }: extra labels, as text.')),
};

/** An SLO as the engine may read it (placeholders where it is wrong), and what is wrong with it, at its line. */
export function validatedSlo(definition: SloDefinition): Validated<SloDefinition> {
  const read = readSpec(
    definition,
    sloShape,
    "slo({ service, name, objective, sli, alerting, ... })",
    definition.source,
  );
  const value = read.spec as SloDefinition;
  const placement = placed.get(definition);
  if (placement && value !== definition) placed.set(value, placement);
  return { value, problems: read.problems };
}

/** The labels of `a="b", c="d"`; undefined when anything but equality matchers is written. */
export function equalityMatchers(matchers: string): Record<string, string> | undefined {
  // Pairs, then own keys: a label named __proto__ assigned to a plain object would set its prototype instead.
  const pairs: [string, string][] = [];
  const rest = matchers.replace(
    /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/g,
    (_, key: string, value: string) => {
      pairs.push([key, JSON.parse(`"${value}"`) as string]);
      return "";
    },
  );
  return rest.trim() === "" ? Object.fromEntries(pairs) : undefined;
}

/** Dashboards made by sloDashboard(), by SLO: where each SLO's panels are, for its alerts' links. */
const placed = new WeakMap<SloDefinition, { dashboard: DashboardBuilder; row: number }>();

export function placeSlo(definition: SloDefinition, dashboard: DashboardBuilder, row: number): void {
  placed.set(definition, { dashboard, row });
}

export const placementOf = (definition: SloDefinition) => placed.get(definition);
