/**
 * The metrics the alerts read, and the scrape job each comes from, worked out from the definitions: the series
 * each alert's expression selects (through the recording rules it reads, at any depth), with the `job` their
 * tests feed them under. An alert on a metric its job does not export can never fire; watching these inputs
 * makes that silence an alert of its own instead of a healthy-looking dashboard.
 */
import { keptFact } from "../kept-facts.ts";
import { parseKept, selectors } from "../promql/parse.ts";
import { compareText } from "../text.ts";
import type { AlertDefinition, AlertTest, RecordingRuleDefinition, RuleGroupDefinition } from "./alerting.ts";

export interface AlertInput {
  job: string;
  /** The series name the alerts select, e.g. `phoenix_http_request_total` or a histogram's `_bucket`. */
  metric: string;
}

/** What this module reads of a selector: its metric name and its `job="..."` matcher, when it has them. */
interface SelectorRead {
  metric?: string;
  job?: string;
}

const isSelectorsRead = (value: unknown): value is SelectorRead[] =>
  Array.isArray(value) &&
  value.every(
    (read: unknown) =>
      typeof read === "object" &&
      read !== null &&
      Object.entries(read).every(
        ([key, field]) => (key === "metric" || key === "job") && typeof field === "string",
      ),
  );

/** The selectors of a text, as read here; kept for the next process (kept-facts.ts), which then parses none of them. */
function selectorsRead(text: string): SelectorRead[] {
  return keptFact(
    "selectors-read",
    text,
    () =>
      selectors(parseKept(text, { grafana: false })).map(({ metric, matchers }) => {
        const job = matchers.find((m) => m.label === "job" && m.op === "=")?.value;
        return { ...(metric === undefined ? {} : { metric }), ...(job === undefined ? {} : { job }) };
      }),
    isSelectorsRead,
  );
}

/** Each text read once: alerts share the expressions and test series of the rules they read. */
function selectorsOnce(): (text: string) => SelectorRead[] {
  const read = new Map<string, SelectorRead[]>();
  return (text) => {
    let found = read.get(text);
    if (!found) read.set(text, (found = selectorsRead(text)));
    return found;
  };
}

/** The job each series of a test's input is fed under: `metric{job="x", ...}`. */
function fedJobs(
  series: Iterable<string>,
  selectorsOf: (text: string) => SelectorRead[],
): Map<string, Set<string>> {
  const jobs = new Map<string, Set<string>>();
  for (const text of series) {
    const [selector] = selectorsOf(text);
    const job = selector?.job;
    if (!selector?.metric || !job) continue;
    jobs.set(selector.metric, (jobs.get(selector.metric) ?? new Set()).add(job));
  }
  return jobs;
}

/**
 * Every (job, metric) the alerts need, sorted. `skip` leaves out metrics no exporter can lack (Prometheus's own `up`).
 * A metric no test feeds with a job label is left out too: its job cannot be known here.
 */
export function alertInputs(
  alertGroups: RuleGroupDefinition<AlertDefinition>[],
  recordingRuleGroups: RuleGroupDefinition<RecordingRuleDefinition>[],
  skip: (metric: string) => boolean = () => false,
): AlertInput[] {
  const rules = new Map(recordingRuleGroups.flatMap((g) => g.rules).map((r) => [r.record, r]));
  const found = new Map<string, AlertInput>();
  const selectorsOf = selectorsOnce();
  const metricsOf = (expr: string) => selectorsOf(expr).flatMap((s) => (s.metric ? [s.metric] : []));
  for (const alert of alertGroups.flatMap((g) => g.rules)) {
    // The raw series it reads, and the tests that feed them (its own and those of the rules it reads).
    const raw = new Set<string>();
    const series = new Set(alert.tests.flatMap((t: AlertTest) => t.input.map((i) => i.series)));
    const seen = new Set<string>();
    const visit = (expr: string) => {
      for (const metric of metricsOf(expr)) {
        const rule = rules.get(metric);
        if (!rule) raw.add(metric);
        else if (!seen.has(metric)) {
          seen.add(metric);
          for (const t of rule.tests) for (const i of t.input) series.add(i.series);
          visit(rule.expr);
        }
      }
    };
    visit(alert.expr);
    const jobs = fedJobs(series, selectorsOf);
    for (const metric of raw) {
      if (skip(metric)) continue;
      for (const job of jobs.get(metric) ?? []) found.set(`${job}\0${metric}`, { job, metric });
    }
  }
  return [...found.values()].sort((a, b) => compareText(a.job, b.job) || compareText(a.metric, b.metric));
}

/**
 * Per job and metric, 1 while the job exports the metric and 0 while it is scraped (`up == 1`) but exports none
 * of it; nothing while the job is not scraped at all, which is the scrape alert's to say. `matchers` go into every
 * selector (a dashboard's pickers).
 */
export function inputPresence(inputs: AlertInput[], matchers = ""): string {
  const extra = matchers ? `${matchers}, ` : "";
  const one = ({ job, metric }: AlertInput) =>
    `  label_replace(\n    group by (job) (${metric}{${extra}job="${job}"})\n    or on (job)\n    0 * group by (job) (up{${extra}job="${job}"} == 1),\n    "metric", "${metric}", "", ""\n  )`;
  return `(\n${inputs.map(one).join("\n  or\n")}\n)`;
}
