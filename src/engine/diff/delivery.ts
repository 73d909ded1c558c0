/**
 * Where each alert's notifications go, and how soon: its labels (the rule's, `alertname`, Prometheus's
 * external labels, and those its expression carries, whose values are known only when it fires) walked
 * through the revision's Alertmanager routing tree. Two revisions' deliveries compared say which alerts
 * stop paging, notify later, or reach nobody.
 */
import { formatDuration, parseDurationMs } from "../duration.ts";
import type { AlertModel } from "../model.ts";
import { compareText } from "../text.ts";
import type { Analysis } from "./analysis.ts";
import {
  assumptionText,
  matchesAll,
  readRoutingConfig,
  routeAlert,
  RoutingConfigError,
  TooManyOutcomes,
  type LabelLookup,
  type RouteNode,
  type RoutingConfig,
} from "./routing.ts";
import { ArtifactError, type Snapshot } from "./snapshot.ts";

export const alertmanagerPath = "alertmanager/alertmanager.yml";
export const prometheusPath = "prometheus/prometheus.yml";

/** One route an alert is dispatched to, with what it does. Durations in Prometheus's spelling. */
export interface RouteTaken {
  route: string;
  receiver: string;
  /** `pagerduty`, `slack #on-call`; empty: the receiver sends nothing. */
  integrations: string[];
  pages: boolean;
  groupBy: string[] | "all";
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
}

export interface DeliveryOutcome {
  /** The assumptions about labels not known in advance it rests on (`job="api"`); empty when it is certain. */
  when: string[];
  routes: RouteTaken[];
  /** `for` plus the shortest `group_wait` of a route that sends something; absent when none does. */
  firstNotice?: string;
  /** The same over the routes that page. */
  firstPage?: string;
}

export type Paging = "always" | "never" | "part-time" | "depends";

export interface Delivery {
  for: string;
  outcomes: DeliveryOutcome[];
  /** Labels the routing reads whose values come from the expression, known only when the alert fires. */
  dependsOn: string[];
  /** Whether it pages: always, never, only outside muted / inside active time intervals, or depending on labels. */
  pages: Paging;
  /** Time to first notice, the longest over the outcomes that notify; absent when none does. */
  firstNotice?: string;
  firstPage?: string;
  /** Whether some outcomes, or all, reach no integration at all. */
  silent?: "always" | "sometimes";
  /** Inhibit rules that can silence it while another alert fires. */
  inhibitedBy: string[];
  /** Why no notification can leave, when none can. */
  nowhere?: string;
}

export type DeliveryAspect =
  "receiver" | "paging" | "first notice" | "repeat" | "grouping" | "inhibition" | "time intervals";

export interface AlertDelivery {
  alert: string;
  status: "added" | "removed" | "changed" | "unchanged";
  before?: Delivery;
  after?: Delivery;
  /** What differs between before and after. */
  changed: DeliveryAspect[];
}

/** What routing needs of one revision. */
export interface RoutingContext {
  config?: RoutingConfig;
  /** Why alerts go nowhere: Prometheus names no Alertmanager, or there is no routing configuration. */
  nowhere?: string;
  externalLabels: Record<string, string>;
  analysis: Analysis;
  alerts: AlertModel[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export function routingContext(snapshot: Snapshot, analysis: Analysis, revision: string): RoutingContext {
  const prometheus = snapshot.others.get(prometheusPath);
  const global = isObject(prometheus) && isObject(prometheus.global) ? prometheus.global : {};
  const externalLabels = isObject(global.external_labels)
    ? Object.fromEntries(Object.entries(global.external_labels).map(([k, v]) => [k, String(v)]))
    : {};
  const context: RoutingContext = { externalLabels, analysis, alerts: snapshot.alerts };
  const alerting = isObject(prometheus) && isObject(prometheus.alerting) ? prometheus.alerting : {};
  const managers = Array.isArray(alerting.alertmanagers) ? alerting.alertmanagers : [];
  if (isObject(prometheus) && managers.length === 0)
    context.nowhere = `${prometheusPath} names no Alertmanager (alerting.alertmanagers): Prometheus sends alerts nowhere`;
  const document = snapshot.others.get(alertmanagerPath);
  if (document === undefined)
    context.nowhere ??= `there is no ${alertmanagerPath}: nothing routes the alerts`;
  else {
    try {
      context.config = readRoutingConfig(document);
    } catch (error) {
      if (error instanceof RoutingConfigError)
        throw new ArtifactError(alertmanagerPath, error.message, revision);
      throw error;
    }
  }
  return context;
}

const templated = (value: string) => value.includes("{{");

/**
 * An alert's labels as Alertmanager will see them: `alertname`, the rule's labels over those of its
 * expression (known by name only, or by value where every selector pins it), then Prometheus's external labels
 * where the alert has none of its own.
 */
export function alertLabels(
  alert: AlertModel,
  context: Pick<RoutingContext, "analysis" | "externalLabels">,
): LabelLookup {
  const fromExpression = context.analysis.labels(alert.expr, false);
  const pinned = context.analysis.pinned(alert.expr, false);
  return (name) => {
    if (name === "alertname") return alert.name;
    const own = alert.labels[name];
    if (own !== undefined) return templated(own) ? undefined : own;
    if (fromExpression === undefined) return undefined;
    if (fromExpression.has(name)) return pinned.get(name);
    return context.externalLabels[name] ?? "";
  };
}

const ms = (text: string) => {
  const value = parseDurationMs(text);
  return Number.isNaN(value) ? 0 : value;
};

function describeIntegrations(
  config: RoutingConfig,
  receiver: string,
): { integrations: string[]; pages: boolean } {
  const found = config.receivers.get(receiver)?.integrations ?? [];
  return {
    integrations: found.map((i) => (i.detail ? `${i.kind} ${i.detail}` : i.kind)),
    pages: found.some((i) => i.pages),
  };
}

function routeTaken(config: RoutingConfig, route: RouteNode): RouteTaken {
  const taken: RouteTaken = {
    route: route.key,
    receiver: route.receiver,
    ...describeIntegrations(config, route.receiver),
    groupBy: route.groupBy,
    groupWait: formatDuration(route.groupWait),
    groupInterval: formatDuration(route.groupInterval),
    repeatInterval: formatDuration(route.repeatInterval),
  };
  if (route.muteTimeIntervals.length) taken.muteTimeIntervals = route.muteTimeIntervals;
  if (route.activeTimeIntervals.length) taken.activeTimeIntervals = route.activeTimeIntervals;
  return taken;
}

const restricted = (route: RouteTaken) => Boolean(route.muteTimeIntervals || route.activeTimeIntervals);

function soonest(forMs: number, routes: RouteTaken[]): string | undefined {
  if (!routes.length) return undefined;
  return formatDuration(forMs + Math.min(...routes.map((r) => ms(r.groupWait))));
}

function outcomePaging(outcome: DeliveryOutcome): Paging {
  const paging = outcome.routes.filter((r) => r.pages && r.integrations.length);
  if (paging.some((r) => !restricted(r))) return "always";
  return paging.length ? "part-time" : "never";
}

function inhibitions(alert: AlertModel, labels: LabelLookup, context: RoutingContext): string[] {
  if (!context.config) return [];
  const out: string[] = [];
  for (const rule of context.config.inhibitRules) {
    const target = matchesAll(rule.target, labels);
    if (target === false) continue;
    const sources = context.alerts.filter((other) => {
      if (other === alert) return false;
      const theirs = alertLabels(other, context);
      if (matchesAll(rule.source, theirs) === false) return false;
      // Inhibition needs the `equal` labels to agree; two known, different values never do.
      return rule.equal.every((name) => {
        const [a, b] = [labels(name), theirs(name)];
        return a === undefined || b === undefined || a === b;
      });
    });
    const by = sources.length
      ? `while ${[...new Set(sources.map((s) => s.name))].sort(compareText).join(", ")} fires`
      : "no alert of this build matches its source";
    out.push(`${target === undefined ? "maybe: " : ""}${rule.text}: ${by}`);
  }
  return out;
}

export function deliveryOf(alert: AlertModel, context: RoutingContext): Delivery {
  const forMs = ms(alert.for);
  const delivery: Delivery = {
    for: formatDuration(forMs),
    outcomes: [],
    dependsOn: [],
    pages: "never",
    inhibitedBy: [],
  };
  if (context.nowhere || !context.config) {
    delivery.nowhere = context.nowhere ?? "no routing configuration";
    delivery.silent = "always";
    return delivery;
  }
  const labels = alertLabels(alert, context);
  let outcomes;
  try {
    outcomes = routeAlert(context.config, labels);
  } catch (error) {
    if (!(error instanceof TooManyOutcomes)) throw error;
    // Too many unknowns to list: judge it by the labels that are known, unknown ones taken as absent.
    outcomes = routeAlert(context.config, (name) => labels(name) ?? "");
  }
  const config = context.config;
  delivery.outcomes = outcomes.map((o) => {
    const routes = o.routes.map((r) => routeTaken(config, r));
    const outcome: DeliveryOutcome = { when: o.assumptions.map(assumptionText), routes };
    const notice = soonest(
      forMs,
      routes.filter((r) => r.integrations.length),
    );
    const page = soonest(
      forMs,
      routes.filter((r) => r.integrations.length && r.pages),
    );
    if (notice) outcome.firstNotice = notice;
    if (page) outcome.firstPage = page;
    return outcome;
  });
  delivery.dependsOn = [...new Set(outcomes.flatMap((o) => o.assumptions.map((a) => a.matcher.name)))].sort(
    compareText,
  );
  const paging = [...new Set(delivery.outcomes.map(outcomePaging))];
  delivery.pages = paging.length === 1 ? paging[0]! : "depends";
  const longest = (values: Array<string | undefined>) => {
    const known = values.filter((v): v is string => v !== undefined);
    return known.length ? formatDuration(Math.max(...known.map(ms))) : undefined;
  };
  const notice = longest(delivery.outcomes.map((o) => o.firstNotice));
  const page = longest(delivery.outcomes.map((o) => o.firstPage));
  if (notice) delivery.firstNotice = notice;
  if (page) delivery.firstPage = page;
  const silent = delivery.outcomes.filter((o) => o.firstNotice === undefined).length;
  if (silent) delivery.silent = silent === delivery.outcomes.length ? "always" : "sometimes";
  delivery.inhibitedBy = inhibitions(alert, labels, context);
  return delivery;
}

// ---------------------------------------------------------------- comparing two revisions

const receiversText = (d: Delivery) =>
  JSON.stringify(d.outcomes.map((o) => [o.when, o.routes.map((r) => [r.receiver, r.integrations])]));

function aspects(before: Delivery, after: Delivery): DeliveryAspect[] {
  const out: DeliveryAspect[] = [];
  const pick = (d: Delivery, f: (r: RouteTaken) => unknown) =>
    JSON.stringify(d.outcomes.map((o) => o.routes.map(f)));
  if (receiversText(before) !== receiversText(after) || before.nowhere !== after.nowhere)
    out.push("receiver");
  if (before.pages !== after.pages) out.push("paging");
  if (before.firstNotice !== after.firstNotice || before.firstPage !== after.firstPage)
    out.push("first notice");
  if (
    pick(before, (r) => [r.repeatInterval, r.groupInterval]) !==
    pick(after, (r) => [r.repeatInterval, r.groupInterval])
  )
    out.push("repeat");
  if (pick(before, (r) => r.groupBy) !== pick(after, (r) => r.groupBy)) out.push("grouping");
  if (
    pick(before, (r) => [r.muteTimeIntervals, r.activeTimeIntervals]) !==
    pick(after, (r) => [r.muteTimeIntervals, r.activeTimeIntervals])
  )
    out.push("time intervals");
  if (JSON.stringify(before.inhibitedBy) !== JSON.stringify(after.inhibitedBy)) out.push("inhibition");
  return out;
}

/**
 * Every alert whose delivery differs between the revisions, and every alert in `touched` (those a change
 * touches otherwise: their time to first notice is shown even when it stays the same), by name.
 */
export function compareDeliveries(
  base: RoutingContext,
  head: RoutingContext,
  touched: Set<string>,
): AlertDelivery[] {
  const before = new Map(base.alerts.map((a) => [a.name, a]));
  const after = new Map(head.alerts.map((a) => [a.name, a]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort(compareText);
  return names.flatMap((name): AlertDelivery[] => {
    const [b, a] = [before.get(name), after.get(name)];
    const entry: AlertDelivery = {
      alert: name,
      status: b && a ? "unchanged" : b ? "removed" : "added",
      changed: [],
    };
    if (b) entry.before = deliveryOf(b, base);
    if (a) entry.after = deliveryOf(a, head);
    if (entry.before && entry.after) {
      entry.changed = aspects(entry.before, entry.after);
      if (entry.changed.length) entry.status = "changed";
      else if (!touched.has(name)) return [];
    }
    return [entry];
  });
}

/** Milliseconds of a delivery's time, for comparisons. */
export const durationMs = ms;
