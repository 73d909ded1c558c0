/**
 * What a change does to alerting and dashboards: two builds in, a structured report out. Everything is
 * keyed and compared as parsed data (alerts by name, recording rules by series, dashboards by uid, panels
 * by id, variables by name), so reformatting and reordering report nothing; and every change is followed to
 * its consequences: where each alert's notifications go and how soon, what reads a changed recording rule,
 * which links a renamed or removed dashboard breaks. No I/O here.
 */
import { artifactChecks } from "../check/checks/index.ts";
import { checkModel } from "../check/run.ts";
import { severities } from "../define/alerting.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { formatDuration, parseDurationMs } from "../duration.ts";
import type { AlertModel, Model, PanelModel, RecordingRuleModel } from "../model.ts";
import { topComparison, type TopComparison } from "../promql/comparison.ts";
import { seriesText } from "../render/prometheus.ts";
import { compareText } from "../text.ts";
import { analysisOf, type Analysis } from "./analysis.ts";
import { sloFlags } from "./slos.ts";
import { byKey, compareKeyed, fieldChanges, status, type Change, type Entry, type Flag } from "./compare.ts";
import { compareDashboards, linkTarget, panelSubject, type DashboardEntry } from "./dashboards.ts";
import {
  alertmanagerPath,
  compareDeliveries,
  durationMs,
  routingContext,
  type AlertDelivery,
  type Delivery,
} from "./delivery.ts";
import {
  alertLabelsDropped,
  dependentsOf,
  labelUses,
  ruleOutput,
  type Dependent,
  type Revisions,
  type RuleOutput,
} from "./dependents.ts";
import { fileEntry, routingChanges } from "./files.ts";
import { lineDiff, normalizeExpr } from "./lines.ts";
import { readSnapshot, type ArtifactFile, type Snapshot } from "./snapshot.ts";
import { staleTextFlags } from "./stale-text.ts";

export { flagIds, type Change, type Entry, type Flag, type FlagId, type Status } from "./compare.ts";
export type { DashboardEntry, Moved, PanelEntry } from "./dashboards.ts";
import type { DashboardPictures } from "../preview/pictures.ts";
export type { AlertDelivery, Delivery, DeliveryOutcome, RouteTaken } from "./delivery.ts";
export type { Dependent, RuleOutput } from "./dependents.ts";

export interface RuleEntry extends Entry {
  /** Rules, alerts and panels (of the head) that read this series, at any depth. */
  dependents: Dependent[];
  /** What changed in what it writes: windows, labels. */
  output?: RuleOutput;
}

export interface RoutingReport {
  /** Alertmanager's configuration compared: receivers, routes, inhibit rules. */
  changes: Change[];
  /** Each alert whose delivery changed, or that another change touches: receivers, paging, time to first notice. */
  alerts: AlertDelivery[];
}

export interface DiffReport {
  base: string;
  head: string;
  attention: Flag[];
  alerts: Entry[];
  routing: RoutingReport;
  recordingRules: RuleEntry[];
  dashboards: DashboardEntry[];
  /** Every other file of build/ that deploys: Prometheus's config, Grafana provisioning, Alertmanager's global settings. */
  files: Entry[];
  /** Check findings in the head that the base did not have (check + subject + message). */
  findings: Diagnostic[];
  /** With `--pictures`: a before and an after picture of each changed dashboard. */
  pictures?: PicturesReport;
}

export interface PicturesReport {
  /** The folder they were written to, as the command was given it. */
  folder: string;
  /** Where readers find them when not beside the report (a CI run's artifacts). */
  link?: string;
  dashboards: DashboardPictures[];
}

export interface DiffOptions {
  base: string;
  head: string;
  /** The head's compiled model: its catalog and settings judge both builds, its runbook the links. Without it, no findings. */
  model?: Model;
}

// ---------------------------------------------------------------- alerts

const canonicalDuration = (text: string) =>
  Number.isNaN(parseDurationMs(text)) ? text : formatDuration(parseDurationMs(text));
const trim = (n: number) => String(Number(n.toPrecision(6)));

/** A threshold in the unit of the panel that draws it: 0.05 on a percentunit panel is 5%. */
export function humanize(value: number, unit: string | undefined): string | undefined {
  switch (unit) {
    case "percentunit":
      return `${trim(value * 100)}%`;
    case "percent":
      return `${trim(value)}%`;
    case "s":
      return value < 1
        ? `${trim(value * 1000)}ms`
        : value < 60
          ? `${trim(value)}s`
          : formatDuration(Math.round(value * 1000));
    case "ms":
      return `${trim(value)}ms`;
    case "bytes": {
      const units = ["B", "KiB", "MiB", "GiB", "TiB"];
      let size = value;
      let index = 0;
      while (Math.abs(size) >= 1024 && index < units.length - 1) {
        size /= 1024;
        index++;
      }
      return `${trim(size)} ${units[index]}`;
    }
    default:
      return undefined;
  }
}

function linkedPanel(snapshot: Snapshot, alert: AlertModel): PanelModel | undefined {
  const target = linkTarget(alert.annotations.dashboard_url);
  return target?.panel === undefined
    ? undefined
    : snapshot.dashboards.find((d) => d.uid === target.uid)?.panels.find((p) => p.id === target.panel);
}

function threshold(comparison: TopComparison | undefined, unit?: string): string {
  if (comparison?.value === undefined) return "";
  const human = humanize(comparison.value, unit);
  return `${comparison.op}${comparison.bool ? " bool" : ""} ${comparison.value}${human && human !== String(comparison.value) ? ` (${human})` : ""}`;
}

const alertThreshold = (snapshot: Snapshot, alert: AlertModel) =>
  threshold(topComparison(alert.expr), linkedPanel(snapshot, alert)?.unit);

/** A rule with the evaluation interval of its group, and the build it is in. */
interface Evaluated<T> {
  rule: T;
  interval: string;
  snapshot: Snapshot;
}

function evaluated<T extends { group: string }>(
  snapshot: Snapshot,
  rules: T[],
  key: (rule: T) => string,
): Map<string, Evaluated<T>> {
  const intervals = new Map(snapshot.ruleGroups.map((g) => [g.name, canonicalDuration(g.interval)]));
  return new Map(
    rules.map((rule) => [key(rule), { rule, interval: intervals.get(rule.group) ?? "", snapshot }]),
  );
}

/** Alerts by name; where Prometheus's leniency lets a name be used twice, by name and labels. */
function alertKey(alerts: AlertModel[]): (alert: AlertModel) => string {
  const uses = new Map<string, number>();
  for (const alert of alerts) uses.set(alert.name, (uses.get(alert.name) ?? 0) + 1);
  return (alert) => (uses.get(alert.name)! > 1 ? seriesText(alert.name, alert.labels) : alert.name);
}

/** A recording rule is the series it writes: its name, and its labels if it sets any. */
const seriesKey = (rule: RecordingRuleModel) =>
  Object.keys(rule.labels).length ? seriesText(rule.record, rule.labels) : rule.record;

function alertFields({ rule: alert, interval, snapshot }: Evaluated<AlertModel>): Record<string, string> {
  const fields: Record<string, string> = {
    threshold: alertThreshold(snapshot, alert),
    for: canonicalDuration(alert.for),
    severity: alert.labels.severity ?? "",
    interval,
  };
  for (const key of Object.keys(alert.labels).sort(compareText))
    if (key !== "severity") fields[`label ${key}`] = alert.labels[key]!;
  for (const key of Object.keys(alert.annotations).sort(compareText))
    fields[`annotation ${key}`] = alert.annotations[key]!;
  return fields;
}

/** The expression with its threshold literal blanked: a threshold change alone is the threshold row, not an expression diff. */
function signal(expr: string): string {
  const comparison = topComparison(expr);
  if (comparison?.value === undefined) return normalizeExpr(expr);
  const at = expr.indexOf(comparison.left) + comparison.left.length;
  return normalizeExpr(
    `${expr.slice(0, at)}${expr.slice(at).replace(/^(\s*[<>=!]=?\s*(?:bool\s+)?)[^\s)]+/, "$1#")}`,
  );
}

function exprChange(
  field: string,
  before: string | undefined,
  after: string | undefined,
  same: boolean,
): Change[] {
  if (same || before === undefined || after === undefined) return [];
  return [{ field, before, after, lines: lineDiff(before.trim(), after.trim()) }];
}

function alertEntry(
  name: string,
  before: Evaluated<AlertModel> | undefined,
  after: Evaluated<AlertModel> | undefined,
): Entry | undefined {
  const changes = fieldChanges(before && alertFields(before), after && alertFields(after), [
    "threshold",
    "for",
    "severity",
  ]);
  const thresholdChange = changes.find((c) => c.field === "threshold");
  if (thresholdChange && before && after) {
    const [cb, ca] = [topComparison(before.rule.expr), topComparison(after.rule.expr)];
    thresholdChange.direction = loosened(cb, ca) ? "loosened" : loosened(ca, cb) ? "tightened" : "other";
  }
  const [b, a] = [before?.rule.expr, after?.rule.expr];
  changes.push(...exprChange("expr", b, a, b !== undefined && a !== undefined && signal(b) === signal(a)));
  if (before && after && !changes.length) return undefined;
  return { status: status(before, after), key: name, changes };
}

// ---------------------------------------------------------------- recording rules

function ruleEntry(
  series: string,
  before: Evaluated<RecordingRuleModel> | undefined,
  after: Evaluated<RecordingRuleModel> | undefined,
  revisions: Revisions,
): RuleEntry | undefined {
  const changes = fieldChanges(
    before && { interval: before.interval },
    after && { interval: after.interval },
    [],
  );
  const [b, a] = [before?.rule.expr, after?.rule.expr];
  changes.push(
    ...exprChange("expr", b, a, b !== undefined && a !== undefined && normalizeExpr(b) === normalizeExpr(a)),
  );
  if (before && after && !changes.length) return undefined;
  const entry: RuleEntry = {
    status: status(before, after),
    key: series,
    changes,
    dependents: after ? dependentsOf(after.rule.record, revisions) : [],
  };
  const output = ruleOutput(before?.rule, after?.rule, revisions);
  if (output) entry.output = output;
  return entry;
}

// ---------------------------------------------------------------- other files and findings

function newFindings(base: Snapshot, head: Snapshot, model: Model): Diagnostic[] {
  const run = (s: Snapshot) =>
    checkModel(
      {
        ...model,
        alerts: s.alerts,
        recordingRules: s.recordingRules,
        ruleGroups: s.ruleGroups,
        dashboards: s.dashboards,
      },
      artifactChecks,
    ).filter((d) => d.suppressed === undefined);
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

function brokenLink(snapshot: Snapshot, url: string | undefined): string | undefined {
  const target = linkTarget(url);
  if (!target) return undefined;
  const dashboard = snapshot.dashboards.find((d) => d.uid === target.uid);
  if (!dashboard) return `dashboard ${target.uid}, which no longer exists`;
  if (target.panel !== undefined && !dashboard.panels.some((p) => p.id === target.panel))
    return `panel ${target.panel} of dashboard ${target.uid}, which no longer exists`;
  return undefined;
}

/**
 * Why a changed runbook_url deserves a look, if it does: the section the old one opens is gone (links in
 * notifications already sent land at the top of the runbook), the new one's is missing, or neither can be
 * checked (a URL outside the runbook the build knows).
 */
function runbookLinkProblem(
  before: string | undefined,
  after: string | undefined,
  model: Model | undefined,
): string | undefined {
  const prefix = model && `${model.settings.runbookUrl}#`;
  // Headings' anchors, and HTML anchors kept for old links (`<a id="old-anchor"></a>`).
  const anchors = new Set([
    ...(model?.runbook.sections.map((s) => s.anchor) ?? []),
    ...[...(model?.runbook.text ?? "").matchAll(/<a\s+(?:id|name)\s*=\s*"([^"]+)"/gi)].map((m) => m[1]!),
  ]);
  const exists = (url: string | undefined) =>
    url === undefined
      ? false
      : prefix && url.startsWith(prefix)
        ? anchors.has(url.slice(prefix.length))
        : undefined;
  const [was, now] = [exists(before), exists(after)];
  if (now === false) return "the section the new one opens is not in the runbook";
  if (was === false)
    return `links in notifications already sent open a section the runbook no longer has (keep them working with <a id="${before!.slice(prefix!.length)}"></a> above the section)`;
  if (was === undefined || now === undefined)
    return "a link outside the runbook this build knows, which the diff cannot check";
  return undefined;
}

/** A delivery in a few words: `oncall-urgent (pagerduty, slack #on-call)`, or its outcomes and what they rest on. */
export function describeDelivery(d: Delivery): string {
  if (d.nowhere) return `nowhere: ${d.nowhere}`;
  const routes = (o: Delivery["outcomes"][number]) =>
    o.routes
      .map((r) => `${r.receiver} (${r.integrations.length ? r.integrations.join(", ") : "sends nothing"})`)
      .join(" + ");
  if (d.outcomes.length === 1) return routes(d.outcomes[0]!);
  return d.outcomes.map((o) => `${o.when.join(", ")}: ${routes(o)}`).join("; ");
}

const notice = (value: string | undefined) => (value === undefined ? "never" : `~${value}`);

function deliveryFlags(
  entry: AlertDelivery,
  base: Map<string, AlertModel>,
  head: Map<string, AlertModel>,
): Flag[] {
  const { before, after } = entry;
  const subject = `alert ${entry.alert}`;
  const flags: Flag[] = [];
  if (!after) return flags;
  const depends = after.dependsOn.length
    ? ` (depends on label${after.dependsOn.length > 1 ? "s" : ""} ${after.dependsOn.join(", ")} from the expression)`
    : "";
  if (
    after.silent &&
    (!before || before.silent !== after.silent) &&
    (!before || before.silent !== "always")
  ) {
    const why =
      after.nowhere ??
      `${after.silent === "always" ? "every receiver it reaches sends nothing" : `some of its routes reach only receivers that send nothing${depends}`}: ${describeDelivery(after)}`;
    flags.push({
      id: "alert-unrouted",
      subject,
      message: `no notification leaves Alertmanager${after.silent === "sometimes" ? " in some cases" : ""}: ${why}`,
    });
  }
  if (!before) return flags;
  const lostPaging =
    (before.pages === "always" && after.pages !== "always") ||
    ((before.pages === "depends" || before.pages === "part-time") && after.pages === "never");
  if (lostPaging) {
    const how =
      after.pages === "never"
        ? "no longer pages"
        : after.pages === "part-time"
          ? "pages only within its routes' time intervals"
          : `may no longer page${depends}`;
    flags.push({
      id: "paging-removed",
      subject,
      message: `${how}: ${describeDelivery(before)} → ${describeDelivery(after)}`,
    });
  }
  const slower = (b: string | undefined, a: string | undefined) =>
    b !== undefined && a !== undefined && durationMs(a) > durationMs(b);
  const [ab, aa] = [base.get(entry.alert), head.get(entry.alert)];
  const waits = (d: Delivery) =>
    [
      ...new Set(
        d.outcomes.flatMap((o) => o.routes.filter((r) => r.integrations.length).map((r) => r.groupWait)),
      ),
    ].join(" or ") || "none";
  const moved = (what: string, b: string, a: string) => (b === a ? `${what} ${a}` : `${what} ${b} → ${a}`);
  const why = `${moved("for", ab ? canonicalDuration(ab.for) : before.for, aa ? canonicalDuration(aa.for) : after.for)}, ${moved("group_wait", waits(before), waits(after))}`;
  if (slower(before.firstNotice, after.firstNotice)) {
    flags.push({
      id: "notify-slower",
      subject,
      message: `time to first notice ${notice(before.firstNotice)} → ${notice(after.firstNotice)} (${why})`,
    });
  } else if (slower(before.firstPage, after.firstPage)) {
    flags.push({
      id: "notify-slower",
      subject,
      message: `time to first page ${notice(before.firstPage)} → ${notice(after.firstPage)} (${why})`,
    });
  }
  return flags;
}

interface AttentionInput {
  base: Snapshot;
  head: Snapshot;
  revisions: Revisions;
  deliveries: AlertDelivery[];
  dashboardFlags: Flag[];
  model?: Model;
}

function attention({ base, head, revisions, deliveries, dashboardFlags, model }: AttentionInput): Flag[] {
  const flags: Flag[] = [];
  const after = byKey(head.alerts, (a) => a.name);
  const before = byKey(base.alerts, (a) => a.name);
  const delivered = byKey(deliveries, (d) => d.alert);
  for (const b of base.alerts) {
    const subject = `alert ${b.name}`;
    const a = after.get(b.name);
    if (!a) {
      flags.push({
        id: "alert-removed",
        subject,
        message: `removed (it was ${b.labels.severity ?? "without severity"}): nothing alerts on this any more`,
      });
      continue;
    }
    const [sb, sa] = [b.labels.severity, a.labels.severity];
    if (severityRank(sb) >= 0 && severityRank(sa) > severityRank(sb)) {
      const routed = delivered.get(b.name);
      const effect =
        routed?.before && routed.after && routed.changed.includes("receiver")
          ? `: its notifications go to ${describeDelivery(routed.after)} instead of ${describeDelivery(routed.before)}`
          : "";
      flags.push({
        id: "severity-lowered",
        subject,
        message: `severity lowered from ${sb} to ${sa}${effect}`,
      });
    }
    const [cb, ca] = [topComparison(b.expr), topComparison(a.expr)];
    if (loosened(cb, ca))
      flags.push({
        id: "threshold-loosened",
        subject,
        message: `threshold loosened from ${alertThreshold(base, b)} to ${alertThreshold(head, a)}: it fires less`,
      });
    const [fb, fa] = [parseDurationMs(b.for), parseDurationMs(a.for)];
    if (fa > fb)
      flags.push({
        id: "for-lengthened",
        subject,
        message: `\`for\` lengthened from ${b.for} to ${a.for}: it fires later`,
      });
    const [rb, ra] = [b.annotations.runbook_url, a.annotations.runbook_url];
    const runbookProblem = rb !== ra ? runbookLinkProblem(rb, ra, model) : undefined;
    if (runbookProblem)
      flags.push({
        id: "link-changed",
        subject,
        message: `runbook_url changed from ${rb ?? "(none)"} to ${ra ?? "(none)"}: ${runbookProblem}`,
      });
    const [db, da] = [b.annotations.dashboard_url, a.annotations.dashboard_url];
    if (db !== da && db !== undefined && brokenLink(head, db) && !brokenLink(head, da)) {
      flags.push({
        id: "link-changed",
        subject,
        message: `dashboard_url changed from ${db} to ${da ?? "(none)"}: links in notifications already sent open ${brokenLink(head, db)}`,
      });
    }
    const entry = delivered.get(b.name);
    if (entry) flags.push(...deliveryFlags(entry, before, after));
    const dropped = alertLabelsDropped(b, a, revisions);
    const uses = labelUses(b, dropped, revisions.baseRouting);
    if (uses.length) {
      const label = `label${dropped.length > 1 ? "s" : ""} ${dropped.join(", ")}`;
      flags.push({
        id: "alert-label-dropped",
        subject,
        message: `loses ${label}, which its expression no longer carries; read by ${uses.join("; ")}`,
      });
    }
  }
  for (const entry of deliveries)
    if (entry.status === "added") flags.push(...deliveryFlags(entry, before, after));
  for (const a of head.alerts) {
    const url = a.annotations.dashboard_url;
    const broken = brokenLink(head, url);
    const wasBroken =
      before.get(a.name)?.annotations.dashboard_url === url && brokenLink(base, url) !== undefined;
    if (broken && !wasBroken)
      flags.push({
        id: "link-broken",
        subject: `alert ${a.name}`,
        message: `dashboard_url ${url} points at ${broken}`,
      });
  }
  flags.push(...dashboardFlags, ...sloFlags(base, head));
  flags.push(...staleTextFlags(base, head));
  const basePanels = new Map(
    base.dashboards.flatMap((d) => d.panels.map((p) => [`${d.uid}/${p.id}`, p] as const)),
  );
  const hasQueries = (p: PanelModel) => p.targets.some((t) => t.expr.trim() !== "");
  const hasDatasource = (p: PanelModel) => Boolean(p.datasource) || p.targets.some((t) => t.datasource);
  for (const d of head.dashboards) {
    for (const p of d.panels) {
      if (noQueriesNeeded.has(p.type)) continue;
      const was = basePanels.get(`${d.uid}/${p.id}`);
      if (!hasQueries(p) && (!was || hasQueries(was)))
        flags.push({
          id: "panel-without-queries",
          subject: panelSubject(d, p),
          message: "has no query: it will show no data",
        });
      else if (hasQueries(p) && !hasDatasource(p) && (!was || hasDatasource(was)))
        flags.push({
          id: "panel-without-queries",
          subject: panelSubject(d, p),
          message: "has no data source: its queries run nowhere",
        });
    }
  }
  return flags;
}

const noQueriesNeeded = new Set(["text", "news", "dashlist"]);

// ---------------------------------------------------------------- the report

export function diffSnapshots(base: Snapshot, head: Snapshot, options: DiffOptions): DiffReport {
  const metrics = options.model?.metrics ?? [];
  const baseAnalysis: Analysis = analysisOf(base, metrics);
  const headAnalysis: Analysis = analysisOf(head, metrics);
  const baseRouting = routingContext(base, baseAnalysis, options.base);
  const headRouting = routingContext(head, headAnalysis, options.head);
  const revisions: Revisions = { base, head, baseAnalysis, headAnalysis, baseRouting, headRouting };
  const alerts = compareKeyed(
    evaluated(base, base.alerts, alertKey(base.alerts)),
    evaluated(head, head.alerts, alertKey(head.alerts)),
    alertEntry,
  );
  const recordingRules = compareKeyed(
    evaluated(base, base.recordingRules, seriesKey),
    evaluated(head, head.recordingRules, seriesKey),
    (k, b, a) => ruleEntry(k, b, a, revisions),
  );
  const touched = new Set([
    ...alerts.map((a) => a.key.replace(/\{.*$/, "")),
    ...recordingRules.flatMap((r) =>
      r.dependents.filter((d) => d.kind === "alert").map((d) => d.subject.slice("alert ".length)),
    ),
  ]);
  const deliveries = compareDeliveries(baseRouting, headRouting, touched);
  const dashboards = compareDashboards({ base, head, baseAnalysis, headAnalysis });
  return {
    base: options.base,
    head: options.head,
    attention: attention({
      base,
      head,
      revisions,
      deliveries,
      dashboardFlags: dashboards.flags,
      model: options.model,
    }),
    alerts,
    routing: { changes: routingChanges(baseRouting.config, headRouting.config), alerts: deliveries },
    recordingRules,
    dashboards: dashboards.entries,
    files: compareKeyed(base.others, head.others, fileEntry),
    findings: options.model ? newFindings(base, head, options.model) : [],
  };
}

/** The whole comparison from the files of two builds. Throws ArtifactError when a file cannot be read. */
export function diffArtifacts(base: ArtifactFile[], head: ArtifactFile[], options: DiffOptions): DiffReport {
  const interval = options.model?.settings.evaluationInterval;
  return diffSnapshots(
    readSnapshot(base, interval, options.base),
    readSnapshot(head, interval, options.head),
    options,
  );
}

export function isEmpty(report: DiffReport): boolean {
  return [
    report.attention,
    report.alerts,
    report.routing.changes,
    report.routing.alerts,
    report.recordingRules,
    report.dashboards,
    report.files,
    report.findings,
  ].every((list) => list.length === 0);
}

export { alertmanagerPath };
