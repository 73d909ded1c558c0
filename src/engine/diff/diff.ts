/**
 * What a change does to alerting and dashboards: two builds in, a structured report out. Everything is
 * keyed and compared as parsed data (alerts by name, recording rules by series, dashboards by uid, panels
 * by id, variables by name), so reformatting and reordering report nothing. No I/O here.
 */
import { artifactChecks } from "../check/checks/index.ts";
import { checkModel } from "../check/run.ts";
import { canonicalize } from "../compile/canonical-json.ts";
import { severities } from "../define/alerting.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { formatDuration, parseDurationMs } from "../duration.ts";
import type { AlertModel, DashboardModel, Model, PanelModel, RecordingRuleModel } from "../model.ts";
import { topComparison, type TopComparison } from "../promql/comparison.ts";
import { seriesText } from "../render/prometheus.ts";
import { lineDiff, normalizeExpr, type LineChange } from "./lines.ts";
import { readSnapshot, type ArtifactFile, type Snapshot } from "./snapshot.ts";

export const flagIds = ["alert-removed", "severity-lowered", "threshold-loosened", "for-lengthened", "link-changed", "link-broken", "panel-without-queries"] as const;
export type FlagId = (typeof flagIds)[number];

/** Something a reviewer should look at on purpose. */
export interface Flag {
  id: FlagId;
  subject: string;
  message: string;
}

/** One field, before and after; a side is absent when the thing is added or removed. */
export interface Change {
  field: string;
  before?: string;
  after?: string;
  /** For expressions: a line diff. */
  lines?: LineChange[];
}

export type Status = "added" | "removed" | "changed";

export interface Entry {
  status: Status;
  /** Alert name, series name, dashboard uid, panel id, file path. */
  key: string;
  title?: string;
  changes: Change[];
}

export interface RuleEntry extends Entry {
  /** Alerts, recording rules and panels (of the head) whose expressions use this series. */
  dependents: string[];
}

export interface DashboardEntry extends Entry {
  panels: Entry[];
}

export interface DiffReport {
  base: string;
  head: string;
  attention: Flag[];
  alerts: Entry[];
  recordingRules: RuleEntry[];
  dashboards: DashboardEntry[];
  /** Every other file of build/ that deploys: Alertmanager, Prometheus's config, Grafana provisioning. */
  files: Entry[];
  /** Check findings in the head that the base did not have (check + subject + message). */
  findings: Diagnostic[];
}

export interface DiffOptions {
  base: string;
  head: string;
  /** The head's compiled model: its catalog and settings judge both builds. Without it, no findings. */
  model?: Model;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);
const byKey = <T>(items: T[], key: (item: T) => string) => new Map(items.map((item) => [key(item), item]));
const sortedKeys = (...maps: Array<Map<string, unknown>>) => [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
const show = (value: unknown): string | undefined => (value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(canonicalize(value)));

/** Keyed comparison of two collections: one entry per key that was added, removed or changed. */
function compareKeyed<T, E extends Entry>(before: Map<string, T>, after: Map<string, T>, entry: (key: string, b: T | undefined, a: T | undefined) => E | undefined): E[] {
  return sortedKeys(before, after).flatMap((key) => entry(key, before.get(key), after.get(key)) ?? []);
}

function status(before: unknown, after: unknown): Status {
  return before === undefined ? "added" : after === undefined ? "removed" : "changed";
}

/** Two field maps compared; for an addition or a removal, only the `summary` fields are shown. */
function fieldChanges(before: Record<string, string> | undefined, after: Record<string, string> | undefined, summary?: string[]): Change[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const shown = before && after ? keys : keys.filter((k) => !summary || summary.includes(k));
  return shown.flatMap((field) => {
    const b = before?.[field];
    const a = after?.[field];
    if (b === a || (b === "" && a === undefined) || (a === "" && b === undefined)) return [];
    const change: Change = { field };
    if (b !== undefined && b !== "") change.before = b;
    if (a !== undefined && a !== "") change.after = a;
    return [change];
  });
}

/** Nested JSON compared down to the leaves that differ (arrays compare whole). */
function jsonChanges(before: unknown, after: unknown, path: string, out: Change[] = []): Change[] {
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) jsonChanges(before[key], after[key], path ? `${path}.${key}` : key, out);
    return out;
  }
  const b = show(before);
  const a = show(after);
  if (b !== a) out.push({ field: path, ...(b === undefined ? {} : { before: b }), ...(a === undefined ? {} : { after: a }) });
  return out;
}

function exprChange(field: string, before: string | undefined, after: string | undefined, same: boolean): Change[] {
  if (same || before === undefined || after === undefined) return [];
  return [{ field, before, after, lines: lineDiff(before.trim(), after.trim()) }];
}

// ---------------------------------------------------------------- alerts

function threshold(comparison: TopComparison | undefined): string {
  return comparison?.value === undefined ? "" : `${comparison.op}${comparison.bool ? " bool" : ""} ${comparison.value}`;
}

const canonicalDuration = (text: string) => (Number.isNaN(parseDurationMs(text)) ? text : formatDuration(parseDurationMs(text)));

/** A rule with the evaluation interval of its group. */
interface Evaluated<T> {
  rule: T;
  interval: string;
}

function evaluated<T extends { group: string }>(snapshot: Snapshot, rules: T[], key: (rule: T) => string): Map<string, Evaluated<T>> {
  const intervals = new Map(snapshot.ruleGroups.map((g) => [g.name, canonicalDuration(g.interval)]));
  return new Map(rules.map((rule) => [key(rule), { rule, interval: intervals.get(rule.group) ?? "" }]));
}

/** Alerts by name; where Prometheus's leniency lets a name be used twice, by name and labels. */
function alertKey(alerts: AlertModel[]): (alert: AlertModel) => string {
  const uses = new Map<string, number>();
  for (const alert of alerts) uses.set(alert.name, (uses.get(alert.name) ?? 0) + 1);
  return (alert) => (uses.get(alert.name)! > 1 ? seriesText(alert.name, alert.labels) : alert.name);
}

/** A recording rule is the series it writes: its name, and its labels if it sets any. */
const seriesKey = (rule: RecordingRuleModel) => (Object.keys(rule.labels).length ? seriesText(rule.record, rule.labels) : rule.record);

function alertFields({ rule: alert, interval }: Evaluated<AlertModel>): Record<string, string> {
  const fields: Record<string, string> = { threshold: threshold(topComparison(alert.expr)), for: canonicalDuration(alert.for), severity: alert.labels.severity ?? "", interval };
  for (const key of Object.keys(alert.labels).sort()) if (key !== "severity") fields[`label ${key}`] = alert.labels[key]!;
  for (const key of Object.keys(alert.annotations).sort()) fields[`annotation ${key}`] = alert.annotations[key]!;
  return fields;
}

/** The expression with its threshold literal blanked: a threshold change alone is the threshold row, not an expression diff. */
function signal(expr: string): string {
  const comparison = topComparison(expr);
  if (comparison?.value === undefined) return normalizeExpr(expr);
  const at = expr.indexOf(comparison.left) + comparison.left.length;
  return normalizeExpr(`${expr.slice(0, at)}${expr.slice(at).replace(/^(\s*[<>=!]=?\s*(?:bool\s+)?)[^\s)]+/, "$1#")}`);
}

function alertEntry(name: string, before: Evaluated<AlertModel> | undefined, after: Evaluated<AlertModel> | undefined): Entry | undefined {
  const changes = fieldChanges(before && alertFields(before), after && alertFields(after), ["threshold", "for", "severity"]);
  const [b, a] = [before?.rule.expr, after?.rule.expr];
  changes.push(...exprChange("expr", b, a, b !== undefined && a !== undefined && signal(b) === signal(a)));
  if (before && after && !changes.length) return undefined;
  return { status: status(before, after), key: name, changes };
}

// ---------------------------------------------------------------- recording rules

function ruleEntry(series: string, before: Evaluated<RecordingRuleModel> | undefined, after: Evaluated<RecordingRuleModel> | undefined, dependents: (record: string) => string[]): RuleEntry | undefined {
  const changes = fieldChanges(before && { interval: before.interval }, after && { interval: after.interval }, []);
  const [b, a] = [before?.rule.expr, after?.rule.expr];
  changes.push(...exprChange("expr", b, a, b !== undefined && a !== undefined && normalizeExpr(b) === normalizeExpr(a)));
  if (before && after && !changes.length) return undefined;
  return { status: status(before, after), key: series, changes, dependents: after ? dependents(after.rule.record) : [] };
}

function dependentsIn(head: Snapshot): (record: string) => string[] {
  const uses: Array<{ subject: string; expr: string }> = [
    ...head.alerts.map((a) => ({ subject: `alert ${a.name}`, expr: a.expr })),
    ...head.recordingRules.map((r) => ({ subject: `recording rule ${r.record}`, expr: r.expr })),
    ...head.dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => ({ subject: panelSubject(d, p), expr: t.expr })))),
  ];
  return (record) => {
    const word = new RegExp(`(?<![\\w:])${record.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w:])`);
    return [...new Set(uses.filter((u) => u.subject !== `recording rule ${record}` && word.test(u.expr)).map((u) => u.subject))];
  };
}

// ---------------------------------------------------------------- dashboards

const panelSubject = (d: DashboardModel, p: { id: number; title: string }) => `dashboard ${d.uid} › panel ${p.id} "${p.title}"`;

/** Every panel's JSON, rows and collapsed rows' panels included, by id. */
function panelJson(dashboard: DashboardModel): Map<number, Json> {
  const out = new Map<number, Json>();
  const visit = (panel: unknown) => {
    if (!isObject(panel)) return;
    if (typeof panel.id === "number") out.set(panel.id, panel);
    if (Array.isArray(panel.panels)) panel.panels.forEach(visit);
  };
  (Array.isArray(dashboard.json.panels) ? dashboard.json.panels : []).forEach(visit);
  return out;
}

function panelFields(p: PanelModel): Record<string, string> {
  return {
    title: p.title,
    type: p.type,
    position: `x=${p.gridPos.x} y=${p.gridPos.y} w=${p.gridPos.w} h=${p.gridPos.h}`,
    unit: p.unit ?? "",
    thresholds: p.thresholds.join(", "),
    datasource: p.datasource ?? "",
  };
}

/** What the named fields do not cover, for the generic comparison; of the queries, those on both sides. */
function panelRest(json: Json | undefined, queries: Set<string>): Json {
  if (!json) return {};
  const { id: _id, title: _t, type: _ty, gridPos: _g, datasource: _d, targets, panels: _p, fieldConfig, ...rest } = json;
  const out: Json = { ...rest };
  if (isObject(fieldConfig)) {
    const defaults = isObject(fieldConfig.defaults) ? { ...fieldConfig.defaults } : {};
    delete defaults.unit;
    if (isObject(defaults.thresholds)) defaults.thresholds = { ...defaults.thresholds, steps: undefined };
    out.fieldConfig = { ...fieldConfig, defaults };
  }
  for (const target of Array.isArray(targets) ? targets.filter(isObject) : []) {
    const { expr: _e, refId, ...other } = target;
    if (queries.has(String(refId))) out[`query ${String(refId)}`] = other;
  }
  return out;
}

function panelEntry(key: string, before: PanelModel | undefined, after: PanelModel | undefined, json: { before?: Json; after?: Json }): Entry | undefined {
  const changes = fieldChanges(before && panelFields(before), after && panelFields(after), ["title"]);
  if (before && after) {
    const queries = (p: PanelModel) => new Map(p.targets.map((t) => [t.refId, t.expr]));
    const both = new Set<string>();
    for (const refId of sortedKeys(queries(before), queries(after))) {
      const b = queries(before).get(refId);
      const a = queries(after).get(refId);
      if (b === undefined || a === undefined) changes.push({ field: `query ${refId}`, ...(b === undefined ? {} : { before: b }), ...(a === undefined ? {} : { after: a }) });
      else {
        both.add(refId);
        changes.push(...exprChange(`query ${refId}`, b, a, normalizeExpr(b) === normalizeExpr(a)));
      }
    }
    jsonChanges(panelRest(json.before, both), panelRest(json.after, both), "", changes);
    if (!changes.length) return undefined;
  }
  return { status: status(before, after), key, title: (after ?? before)!.title, changes };
}

function dashboardRest(d: DashboardModel | undefined): Json {
  if (!d) return {};
  const { panels: _p, templating: _t, title: _ti, uid: _u, ...rest } = d.json;
  return rest;
}

function variables(d: DashboardModel): Map<string, unknown> {
  const list = isObject(d.json.templating) && Array.isArray(d.json.templating.list) ? d.json.templating.list.filter(isObject) : [];
  return new Map(list.map((v) => [String(v.name), v]));
}

function dashboardEntry(uid: string, before: DashboardModel | undefined, after: DashboardModel | undefined): DashboardEntry | undefined {
  const title = (after ?? before)!.title;
  if (!before || !after) return { status: status(before, after), key: uid, title, changes: [], panels: [] };
  const changes = fieldChanges({ title: before.title }, { title: after.title });
  const vb = variables(before);
  const va = variables(after);
  for (const name of sortedKeys(vb, va)) jsonChanges(vb.get(name), va.get(name), `variable $${name}`, changes);
  jsonChanges(dashboardRest(before), dashboardRest(after), "", changes);
  const all = (d: DashboardModel) => byKey([...d.rows, ...d.panels], (p) => String(p.id));
  const jb = panelJson(before);
  const ja = panelJson(after);
  const panels = compareKeyed(all(before), all(after), (id, b, a) => panelEntry(id, b, a, { before: jb.get(Number(id)), after: ja.get(Number(id)) }));
  panels.sort((x, y) => Number(x.key) - Number(y.key));
  if (!changes.length && !panels.length) return undefined;
  return { status: "changed", key: uid, title, changes, panels };
}

// ---------------------------------------------------------------- other files and findings

function fileEntry(path: string, before: unknown, after: unknown): Entry | undefined {
  if (before !== undefined && after !== undefined && show(before) === show(after)) return undefined;
  return { status: status(before, after), key: path, changes: [] };
}

function newFindings(base: Snapshot, head: Snapshot, model: Model): Diagnostic[] {
  const run = (s: Snapshot) =>
    checkModel({ ...model, alerts: s.alerts, recordingRules: s.recordingRules, ruleGroups: s.ruleGroups, dashboards: s.dashboards }, artifactChecks).filter(
      (d) => d.suppressed === undefined,
    );
  const key = (d: Diagnostic) => `${d.check}\u0000${d.subject}\u0000${d.message}`;
  const known = new Set(run(base).map(key));
  return run(head).filter((d) => !known.has(key(d)));
}

// ---------------------------------------------------------------- attention

const severityRank = (s: string | undefined) => (severities as readonly string[]).indexOf(s ?? "");
const fireLess = (op: string) => (op.startsWith(">") ? 1 : op.startsWith("<") ? -1 : 0);

/** True when the new comparison fires on fewer values: a higher bar for `>`/`>=`, a lower one for `<`/`<=`, or a strict one where it was not. */
export function loosened(before: TopComparison | undefined, after: TopComparison | undefined): boolean {
  if (before?.value === undefined || after?.value === undefined) return false;
  const direction = fireLess(before.op);
  if (direction === 0 || fireLess(after.op) !== direction) return false;
  const moved = (after.value - before.value) * direction;
  return moved > 0 || (moved === 0 && before.op.endsWith("=") && !after.op.endsWith("="));
}

/** The dashboard and panel a `dashboard_url` opens (`/d/<uid>?viewPanel=<id>`). */
function linkTarget(url: string | undefined): { uid: string; panel?: number } | undefined {
  const uid = url && /\/d\/([^/?#]+)/.exec(url)?.[1];
  if (!uid) return undefined;
  const panel = /[?&]viewPanel=(?:panel-)?(\d+)/.exec(url)?.[1];
  return panel === undefined ? { uid } : { uid, panel: Number(panel) };
}

function brokenLink(snapshot: Snapshot, url: string | undefined): string | undefined {
  const target = linkTarget(url);
  if (!target) return undefined;
  const dashboard = snapshot.dashboards.find((d) => d.uid === target.uid);
  if (!dashboard) return `dashboard ${target.uid}, which no longer exists`;
  if (target.panel !== undefined && !dashboard.panels.some((p) => p.id === target.panel)) return `panel ${target.panel} of dashboard ${target.uid}, which no longer exists`;
  return undefined;
}

const noQueriesNeeded = new Set(["text", "news", "dashlist"]);

function attention(base: Snapshot, head: Snapshot): Flag[] {
  const flags: Flag[] = [];
  const after = byKey(head.alerts, (a) => a.name);
  for (const b of base.alerts) {
    const subject = `alert ${b.name}`;
    const a = after.get(b.name);
    if (!a) {
      flags.push({ id: "alert-removed", subject, message: `removed (it was ${b.labels.severity ?? "without severity"}): nothing alerts on this any more` });
      continue;
    }
    const [sb, sa] = [b.labels.severity, a.labels.severity];
    if (severityRank(sb) >= 0 && severityRank(sa) > severityRank(sb)) flags.push({ id: "severity-lowered", subject, message: `severity lowered from ${sb} to ${sa}` });
    const [cb, ca] = [topComparison(b.expr), topComparison(a.expr)];
    if (loosened(cb, ca)) flags.push({ id: "threshold-loosened", subject, message: `threshold loosened from ${threshold(cb)} to ${threshold(ca)}: it fires less` });
    const [fb, fa] = [parseDurationMs(b.for), parseDurationMs(a.for)];
    if (fa > fb) flags.push({ id: "for-lengthened", subject, message: `\`for\` lengthened from ${b.for} to ${a.for}: it fires later` });
    for (const link of ["runbook_url", "dashboard_url"]) {
      if (b.annotations[link] !== a.annotations[link]) flags.push({ id: "link-changed", subject, message: `${link} changed from ${b.annotations[link] ?? "(none)"} to ${a.annotations[link] ?? "(none)"}` });
    }
  }
  const before = byKey(base.alerts, (a) => a.name);
  for (const a of head.alerts) {
    const url = a.annotations.dashboard_url;
    const broken = brokenLink(head, url);
    const wasBroken = before.get(a.name)?.annotations.dashboard_url === url && brokenLink(base, url) !== undefined;
    if (broken && !wasBroken) flags.push({ id: "link-broken", subject: `alert ${a.name}`, message: `dashboard_url ${url} points at ${broken}` });
  }
  const basePanels = new Map(base.dashboards.flatMap((d) => d.panels.map((p) => [`${d.uid}/${p.id}`, p] as const)));
  const hasQueries = (p: PanelModel) => p.targets.some((t) => t.expr.trim() !== "");
  const hasDatasource = (p: PanelModel) => Boolean(p.datasource) || p.targets.some((t) => t.datasource);
  for (const d of head.dashboards) {
    for (const p of d.panels) {
      if (noQueriesNeeded.has(p.type)) continue;
      const was = basePanels.get(`${d.uid}/${p.id}`);
      if (!hasQueries(p) && (!was || hasQueries(was))) flags.push({ id: "panel-without-queries", subject: panelSubject(d, p), message: "has no query: it will show no data" });
      else if (hasQueries(p) && !hasDatasource(p) && (!was || hasDatasource(was))) flags.push({ id: "panel-without-queries", subject: panelSubject(d, p), message: "has no data source: its queries run nowhere" });
    }
  }
  return flags;
}

// ---------------------------------------------------------------- the report

export function diffSnapshots(base: Snapshot, head: Snapshot, options: DiffOptions): DiffReport {
  const dependents = dependentsIn(head);
  return {
    base: options.base,
    head: options.head,
    attention: attention(base, head),
    alerts: compareKeyed(evaluated(base, base.alerts, alertKey(base.alerts)), evaluated(head, head.alerts, alertKey(head.alerts)), alertEntry),
    recordingRules: compareKeyed(evaluated(base, base.recordingRules, seriesKey), evaluated(head, head.recordingRules, seriesKey), (k, b, a) => ruleEntry(k, b, a, dependents)),
    dashboards: compareKeyed(byKey(base.dashboards, (d) => d.uid), byKey(head.dashboards, (d) => d.uid), dashboardEntry),
    files: compareKeyed(base.others, head.others, fileEntry),
    findings: options.model ? newFindings(base, head, options.model) : [],
  };
}

/** The whole comparison from the files of two builds. Throws ArtifactError when a file cannot be read. */
export function diffArtifacts(base: ArtifactFile[], head: ArtifactFile[], options: DiffOptions): DiffReport {
  const interval = options.model?.settings.evaluationInterval;
  return diffSnapshots(readSnapshot(base, interval, options.base), readSnapshot(head, interval, options.head), options);
}

export function isEmpty(report: DiffReport): boolean {
  return [report.attention, report.alerts, report.recordingRules, report.dashboards, report.files, report.findings].every((list) => list.length === 0);
}
