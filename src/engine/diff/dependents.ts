/**
 * What a changed recording rule reaches: every rule, alert and panel that reads it, at any depth, and what
 * changed in what they get: the rule's windows, and the labels its result keeps or drops, followed down to
 * each alert, with what used a dropped label (the alert's templates, Alertmanager's `group_by`, route
 * matchers, inhibition, receivers' templates).
 */
import type { AlertModel, DashboardModel, PanelModel, RecordingRuleModel } from "../model.ts";
import { compareText } from "../text.ts";
import { windowsOf, type Analysis } from "./analysis.ts";
import { byKey } from "./compare.ts";
import { panelSubject } from "./dashboards.ts";
import { deliveryOf, type RoutingContext } from "./delivery.ts";
import type { RouteNode } from "./routing.ts";
import type { Snapshot } from "./snapshot.ts";

export interface Dependent {
  kind: "recording rule" | "alert" | "panel";
  /** `alert EctoQueryLatencyHigh`, `dashboard gs-x › panel 201 "p95"`. */
  subject: string;
  /** The recorded series between the changed rule and this one, in order; empty when it reads the rule directly. */
  via: string[];
  /** Labels its result had and no longer has, and the ones it gained (when both are known). */
  labelsDropped?: string[];
  labelsAdded?: string[];
  /** What used a dropped label. */
  uses?: string[];
}

/** What changed in what a recording rule writes. */
export interface RuleOutput {
  windows?: { before: string[]; after: string[] };
  labels?: { before?: string[]; after?: string[]; dropped: string[]; added: string[] };
}

export interface Revisions {
  base: Snapshot;
  head: Snapshot;
  baseAnalysis: Analysis;
  headAnalysis: Analysis;
  baseRouting: RoutingContext;
  headRouting: RoutingContext;
}

const sorted = (items: Iterable<string>) => [...new Set(items)].sort(compareText);

function labelDelta(
  before: ReadonlySet<string> | undefined,
  after: ReadonlySet<string> | undefined,
): { dropped: string[]; added: string[] } | undefined {
  if (!before || !after) return undefined;
  return {
    dropped: sorted([...before].filter((l) => !after.has(l))),
    added: sorted([...after].filter((l) => !before.has(l))),
  };
}

export function ruleOutput(
  before: RecordingRuleModel | undefined,
  after: RecordingRuleModel | undefined,
  revisions: Revisions,
): RuleOutput | undefined {
  if (!before || !after) return undefined;
  const output: RuleOutput = {};
  const [wb, wa] = [windowsOf(before.expr), windowsOf(after.expr)];
  if (wb.join() !== wa.join()) output.windows = { before: wb, after: wa };
  const [lb, la] = [
    revisions.baseAnalysis.labels(before.expr, false),
    revisions.headAnalysis.labels(after.expr, false),
  ];
  const withStatic = (labels: ReadonlySet<string> | undefined, rule: RecordingRuleModel) =>
    labels ? new Set([...labels, ...Object.keys(rule.labels)]) : undefined;
  const [sb, sa] = [withStatic(lb, before), withStatic(la, after)];
  const delta = labelDelta(sb, sa);
  if (delta && (delta.dropped.length || delta.added.length))
    output.labels = { before: sorted(sb!), after: sorted(sa!), ...delta };
  else if (!sb !== !sa)
    output.labels = {
      ...(sb ? { before: sorted(sb) } : {}),
      ...(sa ? { after: sorted(sa) } : {}),
      dropped: [],
      added: [],
    };
  return output.windows || output.labels ? output : undefined;
}

// ---------------------------------------------------------------- what uses a label

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where an alert's own labels and annotations read `label` in their templates. */
function templateUses(alert: AlertModel, label: string): string[] {
  const reads = new RegExp(
    `(?:\\$labels|\\.Labels)\\.${escapeRegex(label)}\\b|index\\s+(?:\\$labels|\\.Labels)\\s+"${escapeRegex(label)}"`,
  );
  return [
    ...Object.entries(alert.annotations)
      .filter(([, v]) => reads.test(v))
      .map(([k]) => `its annotation ${k} ($labels.${label} now renders empty)`),
    ...Object.entries(alert.labels)
      .filter(([, v]) => reads.test(v))
      .map(([k]) => `its label ${k} ($labels.${label} now renders empty)`),
  ];
}

function routeNodes(root: RouteNode): RouteNode[] {
  return [root, ...root.routes.flatMap(routeNodes)];
}

/** Where Alertmanager reads `label` for this alert: grouping, matchers, inhibition, receivers' templates. */
function routingUses(alert: AlertModel, label: string, routing: RoutingContext): string[] {
  const config = routing.config;
  if (!config) return [];
  const delivery = deliveryOf(alert, routing);
  const taken = delivery.outcomes.flatMap((o) => o.routes);
  const out: string[] = [];
  for (const route of taken) {
    if (route.groupBy === "all" || route.groupBy.includes(label))
      out.push(
        `Alertmanager's group_by on route ${route.route} (receiver ${route.receiver}): its notifications for every ${label} now arrive as one`,
      );
  }
  for (const node of routeNodes(config.root)) {
    if (node.matchers.some((m) => m.name === label)) out.push(`the matchers of route ${node.key}`);
  }
  for (const rule of config.inhibitRules) {
    if (rule.equal.includes(label) || [...rule.source, ...rule.target].some((m) => m.name === label))
      out.push(`inhibit rule ${rule.text}`);
  }
  const reads = new RegExp(`\\.(?:CommonLabels|GroupLabels|Labels)\\.${escapeRegex(label)}\\b`);
  for (const receiver of sorted(taken.map((r) => r.receiver))) {
    if (reads.test(JSON.stringify(config.receivers.get(receiver)?.raw ?? "")))
      out.push(`the templates of receiver ${receiver}`);
  }
  return [...new Set(out)];
}

/** Everything that reads a label an alert had before the change (the base's routing and templates). */
export function labelUses(alert: AlertModel, labels: string[], routing: RoutingContext): string[] {
  return labels.flatMap((label) => [...templateUses(alert, label), ...routingUses(alert, label, routing)]);
}

/** The labels an alert's result loses between the revisions, when both sides are known. */
export function alertLabelsDropped(before: AlertModel, after: AlertModel, revisions: Revisions): string[] {
  const delta = labelDelta(
    revisions.baseAnalysis.labels(before.expr, false),
    revisions.headAnalysis.labels(after.expr, false),
  );
  // A label the rule sets itself is kept whatever the expression does.
  return (delta?.dropped ?? []).filter((label) => after.labels[label] === undefined);
}

// ---------------------------------------------------------------- transitive readers

interface Reader {
  kind: Dependent["kind"];
  subject: string;
  /** Recorded series it writes, for a recording rule. */
  record?: string;
  alert?: AlertModel;
  panel?: { dashboard: DashboardModel; panel: PanelModel };
}

function readersIn(snapshot: Snapshot, analysis: Analysis): Map<string, Reader[]> {
  const index = new Map<string, Reader[]>();
  const add = (names: string[], reader: Reader) => {
    for (const name of names) index.set(name, [...(index.get(name) ?? []), reader]);
  };
  for (const rule of snapshot.recordingRules)
    add(analysis.reads(rule.expr, false), {
      kind: "recording rule",
      subject: `recording rule ${rule.record}`,
      record: rule.record,
    });
  for (const alert of snapshot.alerts)
    add(analysis.reads(alert.expr, false), { kind: "alert", subject: `alert ${alert.name}`, alert });
  for (const dashboard of snapshot.dashboards) {
    for (const panel of dashboard.panels) {
      const reader: Reader = {
        kind: "panel",
        subject: panelSubject(dashboard, panel),
        panel: { dashboard, panel },
      };
      add([...new Set(panel.targets.flatMap((t) => analysis.reads(t.expr, true)))], reader);
    }
  }
  return index;
}

/** Legends that print a label (`{{job}}`). */
function legendUses(panel: PanelModel, labels: string[]): string[] {
  return labels.flatMap((label) =>
    panel.targets
      .filter((t) => t.legend && new RegExp(`\\{\\{\\s*${escapeRegex(label)}\\s*\\}\\}`).test(t.legend))
      .map((t) => `query ${t.refId}'s legend prints {{${label}}}`),
  );
}

/** Every reader of `record` in the head, at any depth (nearest first), with how what it gets changed. */
export function dependentsOf(record: string, revisions: Revisions): Dependent[] {
  const readers = readersIn(revisions.head, revisions.headAnalysis);
  const baseAlerts = byKey(revisions.base.alerts, (a) => a.name);
  const baseDashboards = byKey(revisions.base.dashboards, (d) => d.uid);
  const seen = new Set<string>([`recording rule ${record}`]);
  const out: Dependent[] = [];
  const queue: Array<{ series: string; via: string[] }> = [{ series: record, via: [] }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    for (const reader of readers.get(item.series) ?? []) {
      if (seen.has(reader.subject)) continue;
      seen.add(reader.subject);
      const dependent: Dependent = { kind: reader.kind, subject: reader.subject, via: item.via };
      if (reader.record) {
        queue.push({ series: reader.record, via: [...item.via, reader.record] });
        const [was, now] = [
          revisions.baseAnalysis.recorded.get(reader.record),
          revisions.headAnalysis.recorded.get(reader.record),
        ];
        const delta =
          was &&
          now &&
          labelDelta(
            revisions.baseAnalysis.labels(was.expr, false),
            revisions.headAnalysis.labels(now.expr, false),
          );
        if (delta?.dropped.length) dependent.labelsDropped = delta.dropped;
        if (delta?.added.length) dependent.labelsAdded = delta.added;
      }
      if (reader.alert) {
        const before = baseAlerts.get(reader.alert.name);
        const delta =
          before &&
          labelDelta(
            revisions.baseAnalysis.labels(before.expr, false),
            revisions.headAnalysis.labels(reader.alert.expr, false),
          );
        if (delta?.dropped.length) dependent.labelsDropped = delta.dropped;
        if (delta?.added.length) dependent.labelsAdded = delta.added;
        const dropped = before ? alertLabelsDropped(before, reader.alert, revisions) : [];
        const uses = before ? labelUses(before, dropped, revisions.baseRouting) : [];
        if (uses.length) dependent.uses = uses;
      }
      if (reader.panel) {
        const { dashboard, panel } = reader.panel;
        const old = baseDashboards.get(dashboard.uid)?.panels.find((p) => p.id === panel.id);
        const dropped = new Set<string>();
        const added = new Set<string>();
        for (const target of panel.targets) {
          const was = old?.targets.find((t) => t.refId === target.refId);
          const delta =
            was &&
            labelDelta(
              revisions.baseAnalysis.labels(was.expr, true),
              revisions.headAnalysis.labels(target.expr, true),
            );
          delta?.dropped.forEach((l) => dropped.add(l));
          delta?.added.forEach((l) => added.add(l));
        }
        if (dropped.size) dependent.labelsDropped = sorted(dropped);
        if (added.size) dependent.labelsAdded = sorted(added);
        const uses = legendUses(panel, sorted(dropped));
        if (uses.length) dependent.uses = uses;
      }
      out.push(dependent);
    }
  }
  return out;
}
