/**
 * The build's other files, compared for what their programs read: lists whose order Prometheus, Grafana or
 * Alertmanager ignore (`rule_files`, scrape jobs, targets, receivers) compare as sets or by name, so
 * reordering them is no change. Alertmanager's routing is compared route by route and receiver by receiver.
 */
import { formatDuration } from "../duration.ts";
import { compareText } from "../text.ts";
import {
  isObject,
  jsonChanges,
  show,
  status,
  Unordered,
  type Change,
  type Entry,
  type Json,
} from "./compare.ts";
import { alertmanagerPath, prometheusPath } from "./delivery.ts";
import type { RouteNode, RoutingConfig } from "./routing.ts";

const text = (value: unknown) => (typeof value === "string" ? value : (show(value) ?? ""));
const strings = (value: unknown) =>
  Array.isArray(value) ? new Unordered(value.map(text).sort(compareText)) : value;

/** A list of objects as a map by one of their fields (`job global-sovereign`), the rest of each kept. */
function named(
  value: unknown,
  field: string,
  label: string,
  each: (item: Json) => Json = (item) => item,
): unknown {
  if (!Array.isArray(value)) return value;
  const out: Json = {};
  value.forEach((item, index) => {
    if (!isObject(item)) return void (out[`${label} #${index + 1}`] = item);
    const { [field]: name, ...rest } = item;
    out[`${label} ${text(name) || `#${index + 1}`}`] = each(rest);
  });
  return out;
}

/** `static_configs` as one set of targets (with their labels), whatever the grouping and order. */
function staticTargets(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return new Unordered(
    value
      .filter(isObject)
      .flatMap((group) =>
        (Array.isArray(group.targets) ? group.targets : []).map(
          (target) => `${text(target)}${isObject(group.labels) ? ` ${show(group.labels)}` : ""}`,
        ),
      )
      .sort(compareText),
  );
}

function scrapeJob(job: Json): Json {
  return { ...job, static_configs: staticTargets(job.static_configs) };
}

function prometheusConfig(doc: Json): Json {
  const alerting = isObject(doc.alerting) ? doc.alerting : undefined;
  return {
    ...doc,
    rule_files: strings(doc.rule_files),
    scrape_configs: named(doc.scrape_configs, "job_name", "job", scrapeJob),
    ...(alerting
      ? {
          alerting: {
            ...alerting,
            alertmanagers: Array.isArray(alerting.alertmanagers)
              ? new Unordered(
                  alerting.alertmanagers
                    .map((m) =>
                      show(
                        isObject(m) ? { ...m, static_configs: show(staticTargets(m.static_configs)) } : m,
                      )!,
                    )
                    .sort(compareText),
                )
              : alerting.alertmanagers,
          },
        }
      : {}),
  };
}

/** What the routing comparison does not cover: global settings, templates, time intervals. */
function alertmanagerRest(doc: Json): Json {
  const { route: _r, receivers: _rc, inhibit_rules: _i, ...rest } = doc;
  return {
    ...rest,
    templates: strings(rest.templates),
    time_intervals: named(rest.time_intervals, "name", "time interval"),
    mute_time_intervals: named(rest.mute_time_intervals, "name", "time interval"),
  };
}

const normalizers: Record<string, (doc: Json) => Json> = {
  [prometheusPath]: prometheusConfig,
  [alertmanagerPath]: alertmanagerRest,
  "grafana/provisioning/datasources/prometheus.yaml": (doc) => ({
    ...doc,
    datasources: named(doc.datasources, "name", "datasource"),
  }),
  "grafana/provisioning/dashboards/global-sovereign.yaml": (doc) => ({
    ...doc,
    providers: named(doc.providers, "name", "provider"),
  }),
};

function normalized(path: string, doc: unknown): unknown {
  if (!isObject(doc)) return doc;
  const normalize =
    normalizers[path] ??
    (path.startsWith("grafana/provisioning/datasources/")
      ? normalizers["grafana/provisioning/datasources/prometheus.yaml"]
      : path.startsWith("grafana/provisioning/dashboards/")
        ? normalizers["grafana/provisioning/dashboards/global-sovereign.yaml"]
        : undefined);
  return normalize ? normalize(doc) : doc;
}

export function fileEntry(path: string, before: unknown, after: unknown): Entry | undefined {
  if (before === undefined || after === undefined)
    return { status: status(before, after), key: path, changes: [] };
  const changes = jsonChanges(normalized(path, before), normalized(path, after), "");
  return changes.length ? { status: "changed", key: path, changes } : undefined;
}

// ---------------------------------------------------------------- Alertmanager's routing

function flatten(route: RouteNode, parent?: RouteNode): Array<{ route: RouteNode; parent?: RouteNode }> {
  return [{ route, parent }, ...route.routes.flatMap((child) => flatten(child, route))];
}

const ownFields = [
  "receiver",
  "group_by",
  "group_wait",
  "group_interval",
  "repeat_interval",
  "continue",
  "mute_time_intervals",
  "active_time_intervals",
] as const;

/** A route's option as a reader needs it: its own value, or the value it inherits, said so. */
function option(route: RouteNode, field: (typeof ownFields)[number]): string {
  const own = route.own[field];
  if (own !== undefined) return own;
  const inherited = (value: string) => `${value} (inherited)`;
  switch (field) {
    case "receiver":
      return inherited(route.receiver);
    case "group_by":
      return inherited(route.groupBy === "all" ? "..." : route.groupBy.join(", ") || "(none)");
    case "group_wait":
      return inherited(formatDuration(route.groupWait));
    case "group_interval":
      return inherited(formatDuration(route.groupInterval));
    case "repeat_interval":
      return inherited(formatDuration(route.repeatInterval));
    case "continue":
      return "false";
    default:
      return "(none)";
  }
}

function integrations(config: RoutingConfig, name: string): string {
  const found = config.receivers.get(name)?.integrations ?? [];
  return found.length
    ? found.map((i) => `${i.kind}${i.detail ? ` ${i.detail}` : ""}${i.pages ? " (pages)" : ""}`).join(", ")
    : "(no integration: sends nothing)";
}

/** Alertmanager's routing compared: receivers by name, routes by their matchers, inhibit rules as a set. */
export function routingChanges(
  before: RoutingConfig | undefined,
  after: RoutingConfig | undefined,
): Change[] {
  const changes: Change[] = [];
  if (!before || !after) return changes;
  for (const name of [...new Set([...before.receivers.keys(), ...after.receivers.keys()])].sort(
    compareText,
  )) {
    const [b, a] = [before.receivers.get(name), after.receivers.get(name)];
    const field = `receiver ${name}`;
    const [ib, ia] = [b && integrations(before, name), a && integrations(after, name)];
    if (ib !== ia) changes.push({ field, ...(ib ? { before: ib } : {}), ...(ia ? { after: ia } : {}) });
    if (b && a) {
      // An integration added or removed whole is in the line above; what changed inside one is shown here.
      const shared = (raw: unknown, other: unknown) =>
        Object.fromEntries(
          Object.entries(raw as Json).filter(
            ([key]) => key !== "name" && (!key.endsWith("_configs") || (other as Json)[key] !== undefined),
          ),
        );
      const settings = jsonChanges(shared(b.raw, a.raw), shared(a.raw, b.raw), field);
      // Secrets and their files are not shown, only that they changed.
      for (const change of settings) {
        if (/key|secret|token|password|url/i.test(change.field.split(".").at(-1) ?? "")) {
          change.before = change.before === undefined ? undefined : "(set)";
          change.after = change.after === undefined ? undefined : "(changed)";
          if (change.before === undefined) delete change.before;
          if (change.after === undefined) delete change.after;
        }
      }
      changes.push(...settings);
    }
  }
  const [rb, ra] = [
    new Map(flatten(before.root).map((r) => [r.route.key, r])),
    new Map(flatten(after.root).map((r) => [r.route.key, r])),
  ];
  for (const key of [...new Set([...rb.keys(), ...ra.keys()])]) {
    const [b, a] = [rb.get(key), ra.get(key)];
    const field = `route ${key}`;
    if (!b || !a) {
      const route = (a ?? b)!.route;
      const summary = `receiver ${route.receiver}${route.continue ? ", continue" : ""}`;
      changes.push({ field, ...(b ? { before: summary } : { after: summary }) });
      continue;
    }
    for (const own of ownFields) {
      const [ob, oa] = [option(b.route, own), option(a.route, own)];
      if (b.route.own[own] === a.route.own[own]) continue;
      changes.push({ field: `${field} ${own}`, before: ob, after: oa });
    }
    const order = (r: RouteNode) => r.routes.map((c) => c.key).join("\n");
    const [kb, ka] = [b.route.routes.map((c) => c.key), a.route.routes.map((c) => c.key)];
    const common = (list: string[], other: string[]) => list.filter((k) => other.includes(k));
    if (order(b.route) !== order(a.route) && common(kb, ka).join("\n") !== common(ka, kb).join("\n")) {
      changes.push({
        field: `${field} order of child routes`,
        before: common(kb, ka).join(" ; "),
        after: common(ka, kb).join(" ; "),
      });
    }
  }
  const [ib, ia] = [before.inhibitRules.map((r) => r.text), after.inhibitRules.map((r) => r.text)];
  for (const rule of ib.filter((r) => !ia.includes(r))) changes.push({ field: "inhibit rule", before: rule });
  for (const rule of ia.filter((r) => !ib.includes(r))) changes.push({ field: "inhibit rule", after: rule });
  return changes;
}
