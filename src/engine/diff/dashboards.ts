/**
 * Dashboards compared as a reviewer reads them: matched by uid, and a dashboard whose uid changed but whose
 * content is the same is one renamed dashboard (the same for a panel whose id changed); an added or removed
 * panel in full (type, unit, queries, thresholds); panels that only moved in one line; links one per line.
 * What breaks with a uid or an id (bookmarks, links in notifications already sent, other dashboards' links)
 * and what changes under an alert's `dashboard_url` are flagged.
 */
import type { AlertModel, DashboardModel, PanelModel } from "../model.ts";
import { compareText } from "../text.ts";
import type { Analysis } from "./analysis.ts";
import {
  byKey,
  compareKeyed,
  fieldChanges,
  isObject,
  jsonChanges,
  show,
  type Change,
  type Entry,
  type Flag,
  type Json,
} from "./compare.ts";
import { lineDiff, normalizeExpr } from "./lines.ts";
import type { Snapshot } from "./snapshot.ts";

export interface PanelEntry extends Entry {
  /** Alerts whose `dashboard_url` opens this panel (before or after). */
  openedBy?: string[];
}

/** A panel whose only change is where it sits. */
export interface Moved {
  key: string;
  title: string;
  before: string;
  after: string;
}

export interface DashboardEntry extends Entry {
  panels: PanelEntry[];
  /** Panels that only moved (most often because others were inserted or removed above them). */
  moved: Moved[];
}

export const panelSubject = (d: { uid: string }, p: { id: number; title: string }) =>
  `dashboard ${d.uid} › panel ${p.id} "${p.title}"`;

/** The dashboard and panel a `dashboard_url` opens (`/d/<uid>?viewPanel=<id>`). */
export function linkTarget(url: string | undefined): { uid: string; panel?: number } | undefined {
  const uid = url && /\/d\/([^/?#]+)/.exec(url)?.[1];
  if (!uid) return undefined;
  const panel = /[?&]viewPanel=(?:panel-)?(\d+)/.exec(url)?.[1];
  return panel === undefined ? { uid } : { uid, panel: Number(panel) };
}

/** Both revisions, with what the dashboard comparison reads of them. */
export interface Sides {
  base: Snapshot;
  head: Snapshot;
  baseAnalysis: Analysis;
  headAnalysis: Analysis;
}

// ---------------------------------------------------------------- matching renamed things

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

const queriesOf = (p: PanelModel) =>
  p.targets
    .map((t) => normalizeExpr(t.expr))
    .filter(Boolean)
    .sort(compareText);
const panelSignature = (p: PanelModel) => `${p.type}\u0000${p.title}\u0000${queriesOf(p).join("\u0000")}`;

/** Whether an added panel is a removed one under a new id: same type, and the same title or the same queries. */
function samePanel(a: PanelModel, b: PanelModel): boolean {
  if (a.type !== b.type) return false;
  const [qa, qb] = [queriesOf(a).join("\u0000"), queriesOf(b).join("\u0000")];
  return a.title === b.title || (qa !== "" && qa === qb);
}

/** The dashboard's content without what a rename changes: its uid, and its database id and version. */
function content(d: DashboardModel): string {
  const { uid: _u, id: _i, version: _v, ...rest } = d.json;
  return show(rest)!;
}

/** How alike two dashboards are, 0 to 1: the same content is 1; else their panels in common, and the title. */
function likeness(a: DashboardModel, b: DashboardModel): number {
  if (content(a) === content(b)) return 1;
  const [pa, pb] = [
    new Set([...a.rows, ...a.panels].map(panelSignature)),
    new Set([...b.rows, ...b.panels].map(panelSignature)),
  ];
  const shared = [...pa].filter((s) => pb.has(s)).length;
  const union = new Set([...pa, ...pb]).size;
  const panels = union ? shared / union : 0;
  return a.title === b.title ? 0.3 + panels : panels;
}

/** Removed and added items paired where `score` says they are the same thing (best pairs first, at least `min`). */
function pairRenames<T>(removed: T[], added: T[], score: (a: T, b: T) => number, min: number): Array<[T, T]> {
  const candidates = removed
    .flatMap((r, i) => added.map((a, j) => ({ i, j, s: score(r, a) })))
    .filter((c) => c.s >= min);
  candidates.sort((x, y) => y.s - x.s || x.i - y.i || x.j - y.j);
  const [usedR, usedA] = [new Set<number>(), new Set<number>()];
  const pairs: Array<[T, T]> = [];
  for (const c of candidates) {
    if (usedR.has(c.i) || usedA.has(c.j)) continue;
    usedR.add(c.i);
    usedA.add(c.j);
    pairs.push([removed[c.i]!, added[c.j]!]);
  }
  return pairs;
}

// ---------------------------------------------------------------- panels

const position = (p: PanelModel) => `x=${p.gridPos.x} y=${p.gridPos.y} w=${p.gridPos.w} h=${p.gridPos.h}`;

function panelFields(p: PanelModel): Record<string, string> {
  return {
    title: p.title,
    type: p.type,
    position: position(p),
    unit: p.unit ?? "",
    thresholds: p.thresholds.join(", "),
    datasource: p.datasource ?? "",
  };
}

/** What the named fields do not cover, for the generic comparison; of the queries, those on both sides. */
function panelRest(json: Json | undefined, queries: Set<string>): Json {
  if (!json) return {};
  const {
    id: _id,
    title: _t,
    type: _ty,
    gridPos: _g,
    datasource: _d,
    targets,
    panels: _p,
    fieldConfig,
    ...rest
  } = json;
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

/** An added or removed panel in full: what it draws, in what unit, from which queries, with which thresholds. */
function panelInFull(p: PanelModel, side: "before" | "after"): Change[] {
  const fields: Array<[string, string]> = [
    ["type", p.type],
    ["unit", p.unit ?? ""],
    ["thresholds", p.thresholds.join(", ")],
    ...p.targets.map((t): [string, string] => [`query ${t.refId}`, t.expr]),
  ];
  return fields.filter(([, value]) => value !== "").map(([field, value]) => ({ field, [side]: value }));
}

function panelChanges(
  before: PanelModel,
  after: PanelModel,
  json: { before?: Json; after?: Json },
): Change[] {
  const changes = fieldChanges(panelFields(before), panelFields(after));
  const queries = (p: PanelModel) => new Map(p.targets.map((t) => [t.refId, t.expr]));
  const [qb, qa] = [queries(before), queries(after)];
  const both = new Set<string>();
  for (const refId of [...new Set([...qb.keys(), ...qa.keys()])].sort(compareText)) {
    const [b, a] = [qb.get(refId), qa.get(refId)];
    if (b === undefined || a === undefined)
      changes.push({
        field: `query ${refId}`,
        ...(b === undefined ? {} : { before: b }),
        ...(a === undefined ? {} : { after: a }),
      });
    else {
      both.add(refId);
      if (normalizeExpr(b) !== normalizeExpr(a))
        changes.push({ field: `query ${refId}`, before: b, after: a, lines: lineDiff(b.trim(), a.trim()) });
    }
  }
  jsonChanges(panelRest(json.before, both), panelRest(json.after, both), "", changes);
  return changes;
}

// ---------------------------------------------------------------- dashboards

function dashboardRest(d: DashboardModel): Json {
  const { panels: _p, templating: _t, title: _ti, uid: _u, links: _l, id: _i, version: _v, ...rest } = d.json;
  return rest;
}

function variables(d: DashboardModel): Map<string, unknown> {
  const list =
    isObject(d.json.templating) && Array.isArray(d.json.templating.list)
      ? d.json.templating.list.filter(isObject)
      : [];
  return new Map(list.map((v) => [String(v.name), v]));
}

/** Dashboard links by title (a repeated title by its order), one change per link: old and new URL. */
function linkChanges(before: DashboardModel, after: DashboardModel): Change[] {
  const links = (d: DashboardModel) => {
    const list = Array.isArray(d.json.links) ? d.json.links.filter(isObject) : [];
    const seen = new Map<string, number>();
    return new Map(
      list.map((link) => {
        const title =
          typeof link.title === "string" && link.title
            ? link.title
            : typeof link.url === "string"
              ? link.url
              : ((link.tags as unknown[] | undefined)?.join(", ") ?? "");
        const n = (seen.get(title) ?? 0) + 1;
        seen.set(title, n);
        return [n > 1 ? `${title} #${n}` : title, link];
      }),
    );
  };
  const [lb, la] = [links(before), links(after)];
  const changes: Change[] = [];
  for (const title of [...new Set([...lb.keys(), ...la.keys()])].sort(compareText)) {
    const [b, a] = [lb.get(title), la.get(title)];
    const field = `link "${title}"`;
    const url = (l: Json | undefined) =>
      l === undefined
        ? undefined
        : typeof l.url === "string" && l.url
          ? l.url
          : `tags ${show(l.tags) ?? "[]"}`;
    if (url(b) !== url(a))
      changes.push({ field, ...(b ? { before: url(b) } : {}), ...(a ? { after: url(a) } : {}) });
    if (b && a) {
      const { url: _ub, ...restB } = b;
      const { url: _ua, ...restA } = a;
      jsonChanges(restB, restA, field, changes);
    }
  }
  return changes;
}

interface Openers {
  /** Alerts whose dashboard_url opens a panel, by `<uid>/<id>`, on each side. */
  base: Map<string, string[]>;
  head: Map<string, string[]>;
}

function openersOf(alerts: AlertModel[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const alert of alerts) {
    const target = linkTarget(alert.annotations.dashboard_url);
    if (target?.panel === undefined) continue;
    const key = `${target.uid}/${target.panel}`;
    out.set(key, [...(out.get(key) ?? []), alert.name]);
  }
  return out;
}

function openedBy(
  openers: Openers,
  before: { uid: string; id: number } | undefined,
  after: { uid: string; id: number } | undefined,
): string[] | undefined {
  const names = new Set([
    ...(before ? (openers.base.get(`${before.uid}/${before.id}`) ?? []) : []),
    ...(after ? (openers.head.get(`${after.uid}/${after.id}`) ?? []) : []),
  ]);
  return names.size ? [...names].sort(compareText) : undefined;
}

/** `dashboard_url`s of the base's alerts that open a dashboard (any panel): what notifications already sent link to. */
function notifiedLinks(alerts: AlertModel[], uid: string, panel?: number): string[] {
  return [
    ...new Set(
      alerts
        .filter((a) => {
          const target = linkTarget(a.annotations.dashboard_url);
          return target?.uid === uid && (panel === undefined || target.panel === panel);
        })
        .map((a) => a.name),
    ),
  ].sort(compareText);
}

/** Dashboards (other than `uid` itself) whose links point at /d/<uid>. */
function linkingDashboards(dashboards: DashboardModel[], uid: string): string[] {
  return dashboards
    .filter((d) => d.uid !== uid && d.links.some((l) => linkTarget(l.url)?.uid === uid))
    .map((d) => d.uid)
    .sort(compareText);
}

function comparePanels(
  before: DashboardModel,
  after: DashboardModel,
  openers: Openers,
  flags: Flag[],
  base: Snapshot,
): { panels: PanelEntry[]; moved: Moved[] } {
  const all = (d: DashboardModel) => byKey([...d.rows, ...d.panels], (p) => String(p.id));
  const [pb, pa] = [all(before), all(after)];
  const [jb, ja] = [panelJson(before), panelJson(after)];
  const removed = [...pb.values()].filter((p) => !pa.has(String(p.id)));
  const added = [...pa.values()].filter((p) => !pb.has(String(p.id)));
  const renamed = pairRenames(removed, added, (r, a) => (samePanel(r, a) ? 1 : 0), 1);
  const renamedFrom = new Map(renamed.map(([r, a]) => [a.id, r]));
  const renamedTo = new Set(renamed.map(([r]) => r.id));
  const panels: PanelEntry[] = [];
  const moved: Moved[] = [];
  const entry = (e: PanelEntry, b: PanelModel | undefined, a: PanelModel | undefined) => {
    const opened = openedBy(openers, b && { uid: before.uid, id: b.id }, a && { uid: after.uid, id: a.id });
    if (opened) e.openedBy = opened;
    panels.push(e);
  };
  compareKeyed(pb, pa, (key, b, a) => {
    if (b && !a && renamedTo.has(b.id)) return undefined;
    if (a && !b && renamedFrom.has(a.id)) {
      const old = renamedFrom.get(a.id)!;
      const changes = panelChanges(old, a, { before: jb.get(old.id), after: ja.get(a.id) });
      entry({ status: "renamed", key, previousKey: String(old.id), title: a.title, changes }, old, a);
      const sent = notifiedLinks(base.alerts, before.uid, old.id);
      flags.push({
        id: "panel-id-changed",
        subject: panelSubject(after, a),
        message: `id changed from ${old.id} to ${a.id}: links with viewPanel=${old.id} break (bookmarks${sent.length ? `, links in notifications already sent by ${sent.join(", ")}` : ""})`,
      });
      return undefined;
    }
    if (b && a) {
      const changes = panelChanges(b, a, { before: jb.get(b.id), after: ja.get(a.id) });
      if (!changes.length) return undefined;
      if (changes.length === 1 && changes[0]!.field === "position") {
        moved.push({ key, title: a.title, before: changes[0]!.before!, after: changes[0]!.after! });
        return undefined;
      }
      entry({ status: "changed", key, title: a.title, changes }, b, a);
      return undefined;
    }
    const panel = (a ?? b)!;
    entry(
      {
        status: a ? "added" : "removed",
        key,
        title: panel.title,
        changes: panelInFull(panel, a ? "after" : "before"),
      },
      b,
      a,
    );
    return undefined;
  });
  const byId = (x: { key: string }, y: { key: string }) => Number(x.key) - Number(y.key);
  return { panels: panels.sort(byId), moved: moved.sort(byId) };
}

function dashboardChanges(before: DashboardModel, after: DashboardModel): Change[] {
  const changes = fieldChanges({ title: before.title }, { title: after.title });
  const [vb, va] = [variables(before), variables(after)];
  for (const name of [...new Set([...vb.keys(), ...va.keys()])].sort(compareText))
    jsonChanges(vb.get(name), va.get(name), `variable $${name}`, changes);
  changes.push(...linkChanges(before, after));
  jsonChanges(dashboardRest(before), dashboardRest(after), "", changes);
  return changes;
}

/** Whether a panel shows any series the alert reads (through recording rules, down to raw metrics). */
function shows(analysis: Analysis, alert: AlertModel, panel: PanelModel): boolean {
  const alerted = analysis.readsDeep(alert.expr, false);
  return panel.targets.some((t) => [...analysis.readsDeep(t.expr, true)].some((name) => alerted.has(name)));
}

function findPanel(snapshot: Snapshot, url: string | undefined): PanelModel | undefined {
  const target = linkTarget(url);
  if (target?.panel === undefined) return undefined;
  return snapshot.dashboards.find((d) => d.uid === target.uid)?.panels.find((p) => p.id === target.panel);
}

/** alert-panel-changed: the panel an alert opens showed what it alerts on, and no longer does. */
function alertPanelFlags(sides: Sides): Flag[] {
  const before = byKey(sides.base.alerts, (a) => a.name);
  return sides.head.alerts.flatMap((alert): Flag[] => {
    const old = before.get(alert.name);
    if (!old) return [];
    const [was, now] = [
      findPanel(sides.base, old.annotations.dashboard_url),
      findPanel(sides.head, alert.annotations.dashboard_url),
    ];
    if (!was || !now || !shows(sides.baseAnalysis, old, was) || shows(sides.headAnalysis, alert, now))
      return [];
    const target = linkTarget(alert.annotations.dashboard_url)!;
    const reads = (analysis: Analysis, p: PanelModel) =>
      [...new Set(p.targets.flatMap((t) => analysis.reads(t.expr, true)))].join(", ") || "nothing";
    return [
      {
        id: "alert-panel-changed",
        subject: `alert ${alert.name}`,
        message: `the panel its dashboard_url opens (${panelSubject({ uid: target.uid }, now)}) no longer shows what it alerts on (${sides.headAnalysis.reads(alert.expr, false).join(", ")}): it read ${reads(sides.baseAnalysis, was)}, it now reads ${reads(sides.headAnalysis, now)}`,
      },
    ];
  });
}

export function compareDashboards(sides: Sides): { entries: DashboardEntry[]; flags: Flag[] } {
  const { base, head } = sides;
  const flags: Flag[] = [];
  const openers: Openers = { base: openersOf(base.alerts), head: openersOf(head.alerts) };
  const [db, da] = [byKey(base.dashboards, (d) => d.uid), byKey(head.dashboards, (d) => d.uid)];
  const removed = base.dashboards.filter((d) => !da.has(d.uid));
  const added = head.dashboards.filter((d) => !db.has(d.uid));
  const renames = pairRenames(removed, added, likeness, 0.6);
  const renamedFrom = new Map(renames.map(([r, a]) => [a.uid, r]));
  const renamedTo = new Set(renames.map(([r]) => r.uid));
  const entries: DashboardEntry[] = [];
  const changed = (
    before: DashboardModel,
    after: DashboardModel,
    renamed: boolean,
  ): DashboardEntry | undefined => {
    const changes = dashboardChanges(before, after);
    const { panels, moved } = comparePanels(before, after, openers, flags, base);
    if (!renamed && !changes.length && !panels.length && !moved.length) return undefined;
    const entry: DashboardEntry = {
      status: renamed ? "renamed" : "changed",
      key: after.uid,
      title: after.title,
      changes,
      panels,
      moved,
    };
    if (renamed) entry.previousKey = before.uid;
    return entry;
  };
  compareKeyed(db, da, (uid, b, a) => {
    if (b && !a && renamedTo.has(uid)) return undefined;
    if (a && !b && renamedFrom.has(uid)) {
      const old = renamedFrom.get(uid)!;
      entries.push(changed(old, a, true)!);
      const sent = notifiedLinks(base.alerts, old.uid);
      const linking = linkingDashboards(base.dashboards, old.uid);
      const still = linkingDashboards(head.dashboards, old.uid);
      const parts = [
        "bookmarks and links from outside this repository",
        sent.length ? `links in notifications already sent by ${sent.join(", ")}` : undefined,
        still.length
          ? `links from ${still.join(", ")}, which still point at it`
          : linking.length
            ? `links from other dashboards (this build updates ${linking.join(", ")})`
            : undefined,
      ].filter(Boolean);
      flags.push({
        id: "dashboard-renamed",
        subject: `dashboard ${a.uid}`,
        message: `uid changed from ${old.uid} to ${a.uid}: every link to /d/${old.uid} breaks: ${parts.join("; ")}; its stars, permissions and version history in Grafana stay with the old uid`,
      });
      return undefined;
    }
    if (b && a) {
      const entry = changed(b, a, false);
      if (entry) entries.push(entry);
      return undefined;
    }
    const dashboard = (a ?? b)!;
    entries.push({
      status: a ? "added" : "removed",
      key: uid,
      title: dashboard.title,
      changes: [],
      panels: [],
      moved: [],
    });
    if (b) {
      const sent = notifiedLinks(base.alerts, uid);
      const linking = linkingDashboards(base.dashboards, uid);
      const parts = [
        "bookmarks",
        sent.length ? `links in notifications already sent by ${sent.join(", ")}` : undefined,
        linking.length ? `links from ${linking.join(", ")}` : undefined,
      ].filter(Boolean);
      flags.push({
        id: "dashboard-removed",
        subject: `dashboard ${uid}`,
        message: `removed ("${b.title}"): links to /d/${uid} stop working (${parts.join(", ")})`,
      });
    }
    return undefined;
  });
  flags.push(...alertPanelFlags(sides));
  return { entries, flags };
}
