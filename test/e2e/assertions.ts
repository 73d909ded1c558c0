/**
 * What the end-to-end suite checks against a running Prometheus. Every check returns failure messages
 * (empty when it holds) that name the dashboard and panel, variable, rule or alert, the query that ran
 * and what Prometheus returned.
 */
import type {
  DashboardModel,
  MetricModel,
  Model,
  PanelModel,
  RecordingRuleModel,
} from "../../src/engine/model.ts";
import { interpolate, templateVariables, variableValue, type TimeRange } from "./grafana.ts";
import type { Exchange, PrometheusApi, Sample } from "./harness.ts";
import { compressExpr, scrapeIntervalSeconds } from "./profile.ts";

const shown = (body: string) =>
  body.length > 1500 ? `${body.slice(0, 1500)}... (${body.length} bytes)` : body;
const report = (subject: string, problem: string, exchange: Exchange<unknown>, extra = "") =>
  `${subject}: ${problem}\n  query: ${exchange.request}\n${extra}  Prometheus returned: ${shown(exchange.body)}`;

export interface PanelQuery {
  dashboard: DashboardModel;
  panel: PanelModel;
  refId: string;
  /** As written in the dashboard. */
  expr: string;
  /** As sent: compressed durations, variables substituted at the dashboard's defaults. */
  query: string;
  instant: boolean;
  legend?: string;
}

export const panelName = (q: Pick<PanelQuery, "dashboard" | "panel">) =>
  `dashboard "${q.dashboard.title}" (${q.dashboard.uid}) › panel ${q.panel.id} "${q.panel.title}"`;

/** The dashboard's variables at their defaults, as `$name` expands: All is ".*", a selection a regex. */
export function defaultValues(dashboard: DashboardModel): Record<string, string> {
  return Object.fromEntries(templateVariables(dashboard).map((v) => [v.name, variableValue(v)]));
}

/** Every target of every panel, as Grafana would send it over `range`. */
export function panelQueries(model: Model, range: TimeRange): PanelQuery[] {
  return model.dashboards.flatMap((dashboard) => {
    const values = defaultValues(dashboard);
    const jsonPanels = (dashboard.json.panels ?? []) as Array<{
      id: number;
      targets?: Array<{ refId: string; instant?: boolean }>;
    }>;
    return dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({
        dashboard,
        panel,
        refId: target.refId,
        expr: target.expr,
        query: interpolate(compressExpr(target.expr), values, range, scrapeIntervalSeconds),
        instant:
          jsonPanels.find((p) => p.id === panel.id)?.targets?.find((t) => t.refId === target.refId)
            ?.instant === true,
        ...(target.legend === undefined ? {} : { legend: target.legend }),
      })),
    );
  });
}

export async function runPanelQuery(
  api: PrometheusApi,
  q: PanelQuery,
  range: TimeRange,
): Promise<Exchange<{ resultType: string; result: Sample[] }>> {
  return q.instant
    ? api.query(q.query, range.to)
    : api.queryRange(q.query, range.from, range.to, scrapeIntervalSeconds);
}

const values = (s: Sample) => (s.values ?? (s.value ? [s.value] : [])).map(([, v]) => Number(v));

/** Data as a panel would draw it: some series with a number, and every label the legend names. */
export async function checkPanelQuery(
  api: PrometheusApi,
  q: PanelQuery,
  range: TimeRange,
): Promise<string[]> {
  const exchange = await runPanelQuery(api, q, range);
  const subject = `${panelName(q)} › query ${q.refId} (${q.panel.source.file}:${q.panel.source.line})`;
  const written = `  as written: ${q.expr.replace(/\n/g, " ")}\n`;
  const fail = (problem: string) => [report(subject, problem, exchange, written)];
  if (exchange.response.status !== "success")
    return fail(`Prometheus rejected the query (${exchange.response.error})`);
  const series = exchange.response.data.result;
  if (series.length === 0) return fail("no data: the query returned no series");
  if (!series.some((s) => values(s).some(Number.isFinite)))
    return fail("no data: every value is NaN or infinite");
  const legendLabels = [...(q.legend ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);
  const unlabeled = series.find((s) => legendLabels.some((l) => !s.metric[l]));
  if (unlabeled) {
    const missing = legendLabels.filter((l) => !unlabeled.metric[l]);
    return fail(
      `the legend "${q.legend}" names ${missing.join(", ")}, missing from series ${JSON.stringify(unlabeled.metric)}`,
    );
  }
  return [];
}

/** `label_values(selector, label)` -> the selector and the label; `label_values(label)` has no selector. */
function labelValuesCall(query: string): { selector?: string; label: string } | undefined {
  const match = /^\s*label_values\(\s*(?:(.*),\s*)?([A-Za-z_]\w*)\s*\)\s*$/s.exec(query);
  if (!match) return undefined;
  return match[1] === undefined ? { label: match[2]! } : { selector: match[1], label: match[2]! };
}

/** Each query variable lists values, and its default selection is among them. */
export async function checkVariables(
  api: PrometheusApi,
  dashboard: DashboardModel,
  range: TimeRange,
): Promise<string[]> {
  const values = defaultValues(dashboard);
  const failures: string[] = [];
  for (const variable of templateVariables(dashboard)) {
    if (variable.type !== "query") continue;
    const subject = `dashboard "${dashboard.title}" (${dashboard.uid}) › variable $${variable.name} = ${variable.query}`;
    const call = labelValuesCall(variable.query ?? "");
    if (!call) {
      failures.push(`${subject}: not a label_values(selector, label) query; the e2e suite cannot run it`);
      continue;
    }
    const selector =
      call.selector === undefined
        ? undefined
        : interpolate(call.selector, values, range, scrapeIntervalSeconds);
    const exchange = await api.labelValues(call.label, selector, range.from, range.to);
    const listed = exchange.response.data ?? [];
    const current = variable.current?.value ?? [];
    const defaults = (Array.isArray(current) ? current : [current]).filter((v) => v !== "$__all");
    if (exchange.response.status !== "success")
      failures.push(report(subject, `Prometheus rejected it (${exchange.response.error})`, exchange));
    else if (listed.length === 0) failures.push(report(subject, "the picker would be empty", exchange));
    else if (defaults.some((d) => !listed.includes(d))) {
      failures.push(
        report(
          subject,
          `its default ${JSON.stringify(defaults)} is not among the values, so the dashboard opens on nothing`,
          exchange,
        ),
      );
    }
  }
  return failures;
}

const key = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== "__name__")
      .sort(([a], [b]) => a.localeCompare(b)),
  );

export const agree = (a: number, b: number, relative = 0.05) =>
  (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= Math.max(1e-9, relative * Math.max(Math.abs(a), Math.abs(b)));

/**
 * A recording rule has series, and each equals its (compressed) expression evaluated at the same instant, within
 * 5%, at one at least of its last evaluations. Not at every one: an evaluation can start while a scrape stamped
 * just before it is still being stored (on a loaded machine, often), and a query made later sees that scrape where
 * the rule did not; a rule with a wrong expression disagrees at all of them.
 */
export async function checkRecordingRule(
  api: PrometheusApi,
  rule: RecordingRuleModel,
  now: number,
): Promise<string[]> {
  const subject = `recording rule ${rule.record} (${rule.source.file}:${rule.source.line})`;
  // Its own series: rules of one name told apart by their static labels (an SLO's) record beside each other.
  const own = Object.keys(rule.labels).length
    ? `${rule.record}{${Object.entries(rule.labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(", ")}}`
    : rule.record;
  const recorded = await api.query(`${own}[5s]`, now);
  const series = recorded.response.data?.result ?? [];
  if (series.length === 0) return [report(subject, "it produces no series", recorded)];
  // The evaluations every series has, newest first (up to four).
  const common = series
    .map((s) => new Set(s.values!.map(([t]) => t)))
    .reduce((a, b) => new Set([...a].filter((t) => b.has(t))));
  const instants = [...common].sort((a, b) => b - a).slice(0, 4);
  if (instants.length === 0) instants.push(Math.min(...series.map((s) => s.values!.at(-1)![0])));
  const expr = compressExpr(rule.expr);
  const pending = new Set(series.map((s) => key(s.metric)));
  const disagreements = new Map<string, string>();
  for (const at of instants) {
    const raw = await api.query(expr, at);
    const recordedAt = await api.query(own, at);
    const rawByLabels = new Map(
      (raw.response.data?.result ?? []).map((s) => [
        key({ ...s.metric, ...rule.labels }),
        Number(s.value![1]),
      ]),
    );
    for (const s of recordedAt.response.data?.result ?? []) {
      const labels = key(s.metric);
      if (!pending.has(labels)) continue;
      const expected = rawByLabels.get(labels);
      const actual = Number(s.value![1]);
      if (expected !== undefined && agree(actual, expected)) {
        pending.delete(labels);
        continue;
      }
      // The newest evaluation's disagreement is the one reported.
      if (!disagreements.has(labels))
        disagreements.set(
          labels,
          report(
            subject,
            `recorded ${actual} for ${labels} at ${at}, but its expression gives ${expected ?? "no such series"} (and disagrees at each of its last ${instants.length} evaluations)`,
            raw,
            `  recorded: ${shown(recordedAt.body)}\n`,
          ),
        );
    }
    if (pending.size === 0) break;
  }
  return [...pending].map(
    (labels) =>
      disagreements.get(labels) ??
      report(subject, `no sample for ${labels} at its last evaluations (${instants.join(", ")})`, recorded),
  );
}

/** Parsed exposition text: TYPE per metric family, and the samples. */
export function parseExposition(text: string) {
  const types = new Map<string, string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith("#")) continue;
    const sample = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries(
      [...(sample[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

/** The exporter's output carries every catalog metric with its type, exactly its labels, and its buckets. */
export function checkExposition(metrics: MetricModel[], text: string): string[] {
  const { types, samples } = parseExposition(text);
  const failures: string[] = [];
  for (const metric of metrics) {
    const subject = `catalog metric ${metric.name} (${metric.source.file}:${metric.source.line})`;
    if (!types.has(metric.name)) {
      failures.push(
        `${subject}: missing from the exporter's /metrics; give it values in test/e2e/exporter/values.ts`,
      );
      continue;
    }
    if (types.get(metric.name) !== metric.type)
      failures.push(`${subject}: exported as a ${types.get(metric.name)}, declared a ${metric.type}`);
    const declared = Object.keys(metric.labels).sort();
    for (const series of metric.series) {
      const own = samples.filter((s) => s.name === series);
      if (own.length === 0) {
        failures.push(`${subject}: no ${series} samples in the exporter's /metrics`);
        continue;
      }
      const wrong = own.find(
        (s) =>
          JSON.stringify(
            Object.keys(s.labels)
              .filter((l) => l !== "le")
              .sort(),
          ) !== JSON.stringify(declared),
      );
      if (wrong) {
        const labels = Object.keys(wrong.labels)
          .filter((l) => l !== "le")
          .sort();
        failures.push(
          `${subject}: ${series} is exported with labels [${labels.join(", ")}], the catalog declares [${declared.join(", ")}]` +
            ` (missing: ${declared.filter((l) => !labels.includes(l)).join(", ") || "none"}; extra: ${labels.filter((l) => !declared.includes(l)).join(", ") || "none"})`,
        );
      }
      if (series.endsWith("_bucket") && metric.buckets) {
        const bounds = [...new Set(own.map((s) => s.labels.le!))]
          .filter((le) => le !== "+Inf")
          .map(Number)
          .sort((a, b) => a - b);
        if (JSON.stringify(bounds) !== JSON.stringify(metric.buckets))
          failures.push(
            `${subject}: buckets ${bounds.join(", ")}, the catalog declares ${metric.buckets.join(", ")}`,
          );
      }
    }
  }
  return failures;
}
