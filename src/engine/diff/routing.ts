/**
 * Alertmanager's routing, evaluated offline: the route tree, receivers and inhibition of an
 * `alertmanager.yml`, and which routes an alert with given labels reaches. It follows Alertmanager's
 * dispatcher (dispatch/route.go): a depth-first, left-to-right walk where a matching child stops the search
 * among its siblings unless it has `continue: true`, and a route none of whose children match is itself the
 * match; receiver, `group_by` and the three timers are inherited from the parent, with the defaults 30s, 5m
 * and 4h at the root; time intervals are not inherited. Tests hold it to `amtool config routes test`.
 *
 * Some labels are not known before an alert fires (those its expression carries, like `job`): a matcher on
 * one is neither true nor false, so the walk follows both ways and says which assumption each outcome rests on.
 */
import { formatDuration, parseDurationMs } from "../duration.ts";
import { compareText } from "../text.ts";

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** As Alertmanager prints it: `severity="high"`. */
  text: string;
  /** Whether a label value matches; undefined when a regex cannot be evaluated here (RE2 syntax JavaScript lacks). */
  test(value: string): boolean | undefined;
}

/** A notification integration of a receiver: `pagerduty`, `slack #on-call`, ... */
export interface Integration {
  kind: string;
  /** What tells two of a kind apart without showing a secret: a Slack channel, an email address. */
  detail?: string;
  pages: boolean;
}

export interface Receiver {
  name: string;
  integrations: Integration[];
  /** The receiver as written, for templates that read labels (`.CommonLabels.job`). */
  raw: unknown;
}

export interface RouteNode {
  /** Its matchers from the root down, `root` for the root: `{severity="high"}`, `{team="db"} › {severity="high"}`. */
  key: string;
  matchers: Matcher[];
  continue: boolean;
  /** The options in effect, inheritance applied. Timers in milliseconds; `groupBy` "all" for `['...']`. */
  receiver: string;
  groupBy: string[] | "all";
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  /** The options written on this route itself (the rest it inherits). */
  own: Partial<
    Record<
      | "receiver"
      | "group_by"
      | "group_wait"
      | "group_interval"
      | "repeat_interval"
      | "continue"
      | "mute_time_intervals"
      | "active_time_intervals",
      string
    >
  >;
  routes: RouteNode[];
}

export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
  /** `{source} inhibits {target} (equal: a, b)`. */
  text: string;
}

export interface RoutingConfig {
  root: RouteNode;
  receivers: Map<string, Receiver>;
  inhibitRules: InhibitRule[];
}

/** An `alertmanager.yml` that cannot be read as one: the diff cannot say where alerts go. */
export class RoutingConfigError extends Error {}

/**
 * Integrations that page a person: an incident-management service with on-call schedules and escalation
 * (PagerDuty, Opsgenie, VictorOps / Splunk On-Call, incident.io), or Pushover, whose emergency priority
 * repeats on a phone until acknowledged. Chat, email, webhooks and the rest are not paging.
 */
export const pagingIntegrations: ReadonlySet<string> = new Set([
  "pagerduty",
  "opsgenie",
  "victorops",
  "pushover",
  "incidentio",
]);

export const defaultTimers = { groupWait: 30_000, groupInterval: 300_000, repeatInterval: 14_400_000 };

// ---------------------------------------------------------------- matchers

const labelName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Prints a value the way Alertmanager does (OpenMetrics escaping). */
const quote = (value: string) =>
  `"${value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`;

/** RE2 syntax that JavaScript spells differently, translated; what has no JavaScript spelling throws. */
function translateRegex(source: string): { pattern: string; flags: string } {
  let pattern = source;
  let flags = "";
  const leading = /^\(\?([imsU]+)\)/.exec(pattern);
  if (leading) {
    if (leading[1]!.includes("U")) throw new Error("ungreedy mode (?U)");
    flags = [...new Set(leading[1]!.replace(/U/g, ""))].join("");
    pattern = pattern.slice(leading[0].length);
  }
  if (/\(\?[a-zA-Z-]+[:)]/.test(pattern)) throw new Error("inline flags");
  pattern = pattern
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, literal: string) =>
      literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"),
    )
    .replace(/\(\?P</g, "(?<")
    .replace(/\\z/g, "$")
    .replace(/\\A/g, "^")
    .replace(
      /\[:(alnum|alpha|digit|lower|upper|space|xdigit|word|punct):\]/g,
      (_, cls: string) => posixClasses[cls]!,
    );
  return { pattern, flags };
}

const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  digit: "0-9",
  lower: "a-z",
  upper: "A-Z",
  space: "\\t\\n\\v\\f\\r ",
  xdigit: "0-9A-Fa-f",
  word: "0-9A-Za-z_",
  punct: "!-\\/:-@[-`{-~",
};

export function newMatcher(name: string, op: MatchOp, value: string): Matcher {
  const text = `${labelName.test(name) ? name : quote(name)}${op}${quote(value)}`;
  if (op === "=" || op === "!=") {
    const equal = op === "=";
    return { name, op, value, text, test: (v) => (v === value) === equal };
  }
  let regex: RegExp | undefined;
  try {
    const { pattern, flags } = translateRegex(value);
    try {
      regex = new RegExp(`^(?:${pattern})$`, flags);
    } catch {
      regex = new RegExp(`^(?:${pattern})$`, `${flags}u`);
    }
  } catch {
    regex = undefined;
  }
  const positive = op === "=~";
  return { name, op, value, text, test: (v) => (regex ? regex.test(v) === positive : undefined) };
}

const matchOps: readonly MatchOp[] = ["=~", "!~", "!=", "="];

/** One matcher, `name op value`, the value quoted or bare; the name may be quoted (Alertmanager 0.27's syntax). */
function parseMatcher(text: string): Matcher {
  const trimmed = text.trim();
  let name: string;
  let rest: string;
  if (trimmed.startsWith('"')) {
    const end = /^"((?:[^"\\]|\\.)*)"/.exec(trimmed);
    if (!end)
      throw new RoutingConfigError(`bad matcher ${JSON.stringify(text)}: unterminated quoted label name`);
    name = unescapeValue(end[1]!);
    rest = trimmed.slice(end[0].length).trimStart();
  } else {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*/.exec(trimmed);
    if (!match) throw new RoutingConfigError(`bad matcher ${JSON.stringify(text)}: expected a label name`);
    name = match[1]!;
    rest = trimmed.slice(match[0].length);
  }
  const op = matchOps.find((o) => rest.startsWith(o));
  if (!op)
    throw new RoutingConfigError(
      `bad matcher ${JSON.stringify(text)}: expected one of =, !=, =~, !~ after ${name}`,
    );
  let raw = rest.slice(op.length).trim();
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"'))
      throw new RoutingConfigError(
        `bad matcher ${JSON.stringify(text)}: the value's closing quote is missing`,
      );
    raw = raw.slice(1, -1);
  }
  return newMatcher(name, op, unescapeValue(raw));
}

/** OpenMetrics escapes: `\"`, `\n`, `\\`; any other backslash is literal. */
function unescapeValue(raw: string): string {
  return raw.replace(/\\(["n\\])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** A `matchers:` item: one or more matchers separated by commas outside quotes, braces optional. */
export function parseMatchers(line: string): Matcher[] {
  let text = line.trim();
  if (text.startsWith("{")) text = text.slice(1);
  if (text.endsWith("}")) text = text.slice(0, -1);
  const tokens: string[] = [];
  let token = "";
  let quoted = false;
  let escaped = false;
  for (const c of text) {
    if (c === "," && !quoted) {
      tokens.push(token);
      token = "";
      continue;
    }
    if (c === '"' && !escaped) quoted = !quoted;
    escaped = c === "\\" && !escaped;
    token += c;
  }
  if (token.trim() !== "") tokens.push(token);
  return tokens.map(parseMatcher);
}

const matchersText = (matchers: Matcher[]) => `{${matchers.map((m) => m.text).join(", ")}}`;

function sortMatchers(matchers: Matcher[]): Matcher[] {
  return [...matchers].sort(
    (a, b) =>
      compareText(a.name, b.name) ||
      compareText(a.value, b.value) ||
      matchOps.indexOf(a.op) - matchOps.indexOf(b.op),
  );
}

// ---------------------------------------------------------------- reading the configuration

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map((v) => String(v)) : []);

function duration(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = parseDurationMs(String(value));
  if (Number.isNaN(ms)) throw new RoutingConfigError(`${where}: ${JSON.stringify(value)} is not a duration`);
  return ms;
}

/** `match`, `match_re` and `matchers` of a route or an inhibit rule's side, all as matchers. */
function readMatchers(node: Json, prefix: string, where: string): Matcher[] {
  const out: Matcher[] = [];
  const equal = node[`${prefix}match`];
  const regex = node[`${prefix}match_re`];
  if (isObject(equal))
    for (const [name, value] of Object.entries(equal)) out.push(newMatcher(name, "=", String(value)));
  if (isObject(regex))
    for (const [name, value] of Object.entries(regex)) out.push(newMatcher(name, "=~", String(value)));
  for (const line of strings(node[`${prefix}matchers`])) {
    try {
      out.push(...parseMatchers(line));
    } catch (error) {
      throw new RoutingConfigError(`${where}: ${(error as Error).message}`);
    }
  }
  return out;
}

interface Inherited {
  receiver: string;
  groupBy: string[] | "all";
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
}

function readRoute(
  node: Json,
  parent: Inherited | undefined,
  parentKey: string | undefined,
  siblingKeys: Map<string, number>,
): RouteNode {
  const matchers = sortMatchers(
    readMatchers(node, "", parentKey === undefined ? "route" : `route under ${parentKey}`),
  );
  let key =
    parentKey === undefined
      ? "root"
      : parentKey === "root"
        ? matchersText(matchers)
        : `${parentKey} › ${matchersText(matchers)}`;
  // Two siblings with the same matchers are told apart by their order.
  const seen = (siblingKeys.get(key) ?? 0) + 1;
  siblingKeys.set(key, seen);
  if (seen > 1) key = `${key} #${seen}`;
  const where = `route ${key}`;
  const groupByList =
    node.group_by === undefined || node.group_by === null ? undefined : strings(node.group_by);
  const own: RouteNode["own"] = {};
  if (typeof node.receiver === "string" && node.receiver !== "") own.receiver = node.receiver;
  if (groupByList && groupByList.length)
    own.group_by = groupByList.includes("...") ? "..." : [...groupByList].sort(compareText).join(", ");
  for (const field of ["group_wait", "group_interval", "repeat_interval"] as const) {
    const ms = duration(node[field], `${where}: ${field}`);
    if (ms !== undefined) own[field] = formatDuration(ms);
  }
  if (node.continue === true) own.continue = "true";
  for (const field of ["mute_time_intervals", "active_time_intervals"] as const) {
    const list = strings(node[field]);
    if (list.length) own[field] = list.join(", ");
  }
  const base: Inherited = parent ?? { receiver: "", groupBy: [], ...defaultTimers };
  const options: Inherited = {
    receiver: own.receiver ?? base.receiver,
    // An empty `group_by` inherits, as in Alertmanager; `...` groups by every label.
    groupBy:
      groupByList && groupByList.length
        ? groupByList.includes("...")
          ? "all"
          : [...new Set(groupByList)].sort(compareText)
        : base.groupBy,
    groupWait: duration(node.group_wait, `${where}: group_wait`) ?? base.groupWait,
    groupInterval: duration(node.group_interval, `${where}: group_interval`) ?? base.groupInterval,
    repeatInterval: duration(node.repeat_interval, `${where}: repeat_interval`) ?? base.repeatInterval,
  };
  if (!options.receiver) throw new RoutingConfigError(`${where}: no receiver (the root route must name one)`);
  const childKeys = new Map<string, number>();
  const children = Array.isArray(node.routes) ? node.routes : [];
  return {
    key,
    matchers,
    continue: node.continue === true,
    ...options,
    muteTimeIntervals: strings(node.mute_time_intervals),
    activeTimeIntervals: strings(node.active_time_intervals),
    own,
    routes: children.map((child, index) => {
      if (!isObject(child)) throw new RoutingConfigError(`${where}: routes[${index}] is not a route`);
      return readRoute(child, options, key, childKeys);
    }),
  };
}

function integrationDetail(kind: string, config: Json): string | undefined {
  if (kind === "slack" && typeof config.channel === "string") return config.channel;
  if (kind === "email" && typeof config.to === "string") return config.to;
  if (kind === "telegram" && config.chat_id !== undefined) return `chat ${String(config.chat_id)}`;
  if (kind === "opsgenie" && Array.isArray(config.responders)) {
    const names = config.responders.filter(isObject).map((r) => String(r.name ?? r.username ?? r.id ?? ""));
    return names.filter(Boolean).join(", ") || undefined;
  }
  return undefined;
}

function readReceiver(node: Json, index: number): Receiver {
  const name = typeof node.name === "string" ? node.name : "";
  if (!name) throw new RoutingConfigError(`receivers[${index}]: no name`);
  const integrations: Integration[] = [];
  for (const [field, value] of Object.entries(node).sort(([a], [b]) => compareText(a, b))) {
    const kind = /^(.+)_configs$/.exec(field)?.[1];
    if (!kind || !Array.isArray(value)) continue;
    for (const config of value) {
      const integration: Integration = { kind, pages: pagingIntegrations.has(kind) };
      const detail = isObject(config) ? integrationDetail(kind, config) : undefined;
      if (detail) integration.detail = detail;
      integrations.push(integration);
    }
  }
  return { name, integrations, raw: node };
}

/** Reads a parsed `alertmanager.yml`; throws RoutingConfigError when it has no usable route tree. */
export function readRoutingConfig(document: unknown): RoutingConfig {
  if (!isObject(document)) throw new RoutingConfigError("not an Alertmanager configuration: not a YAML map");
  if (!isObject(document.route))
    throw new RoutingConfigError("not an Alertmanager configuration: no `route`");
  const root = readRoute(document.route, undefined, undefined, new Map());
  const receivers = new Map<string, Receiver>();
  (Array.isArray(document.receivers) ? document.receivers : []).forEach((node, index) => {
    if (!isObject(node)) throw new RoutingConfigError(`receivers[${index}]: not a receiver`);
    const receiver = readReceiver(node, index);
    receivers.set(receiver.name, receiver);
  });
  const walk = (route: RouteNode) => {
    if (!receivers.has(route.receiver))
      throw new RoutingConfigError(
        `route ${route.key}: receiver ${JSON.stringify(route.receiver)} is not defined`,
      );
    route.routes.forEach(walk);
  };
  walk(root);
  const inhibitRules = (Array.isArray(document.inhibit_rules) ? document.inhibit_rules : [])
    .filter(isObject)
    .map((rule, index) => {
      const where = `inhibit_rules[${index}]`;
      const source = sortMatchers(readMatchers(rule, "source_", where));
      const target = sortMatchers(readMatchers(rule, "target_", where));
      const equal = [...new Set(strings(rule.equal))].sort(compareText);
      return {
        source,
        target,
        equal,
        text: `${matchersText(source)} inhibits ${matchersText(target)}${equal.length ? ` (equal: ${equal.join(", ")})` : ""}`,
      };
    });
  return { root, receivers, inhibitRules };
}

// ---------------------------------------------------------------- evaluation

/** A label's value: a string (the empty string when absent), or undefined when it is not known before the alert fires. */
export type LabelLookup = (name: string) => string | undefined;

/** An assumption an outcome rests on: a matcher over a label not known in advance, and whether it held. */
export interface Assumption {
  matcher: Matcher;
  holds: boolean;
}

export interface Outcome {
  assumptions: Assumption[];
  /** The routes the alert is dispatched to, in order (more than one through `continue`). */
  routes: RouteNode[];
}

/** More outcomes than this, and the walk stops: the routing depends on too many unknown labels to list. */
export class TooManyOutcomes extends Error {}

interface World {
  assumptions: Assumption[];
}

/** `¬m` printed the way a reader expects: `job!="api"` for not `job="api"`. */
export function assumptionText(a: Assumption): string {
  if (a.holds) return a.matcher.text;
  const negated: Record<MatchOp, MatchOp> = { "=": "!=", "!=": "=", "=~": "!~", "!~": "=~" };
  return newMatcher(a.matcher.name, negated[a.matcher.op], a.matcher.value).text;
}

/** Each way `matchers` can go for labels some of which are unknown: [world, all matched]. */
function evaluateMatchers(matchers: Matcher[], labels: LabelLookup, world: World): Array<[World, boolean]> {
  let worlds: Array<[World, boolean]> = [[world, true]];
  for (const matcher of matchers) {
    const next: Array<[World, boolean]> = [];
    for (const [w, ok] of worlds) {
      if (!ok) {
        next.push([w, false]);
        continue;
      }
      const value = labels(matcher.name);
      const known = value === undefined ? undefined : matcher.test(value);
      if (known !== undefined) {
        next.push([w, known]);
        continue;
      }
      const assumed = w.assumptions.find((a) => a.matcher.text === matcher.text);
      if (assumed) {
        next.push([w, assumed.holds]);
        continue;
      }
      next.push([{ assumptions: [...w.assumptions, { matcher, holds: true }] }, true]);
      next.push([{ assumptions: [...w.assumptions, { matcher, holds: false }] }, false]);
    }
    worlds = next;
  }
  return worlds;
}

/** Route.Match of Alertmanager, once per world: null where the route does not match. */
function match(
  route: RouteNode,
  labels: LabelLookup,
  world: World,
  root: boolean,
  limit: number,
): Array<[World, RouteNode[] | null]> {
  // The root route matches every alert: Alertmanager refuses matchers on it.
  const entry: Array<[World, boolean]> = root
    ? [[world, true]]
    : evaluateMatchers(route.matchers, labels, world);
  const out: Array<[World, RouteNode[] | null]> = [];
  for (const [w, ok] of entry) {
    if (!ok) {
      out.push([w, null]);
      continue;
    }
    let states: Array<{ world: World; all: RouteNode[]; stopped: boolean }> = [
      { world: w, all: [], stopped: false },
    ];
    for (const child of route.routes) {
      const next: typeof states = [];
      for (const state of states) {
        if (state.stopped) {
          next.push(state);
          continue;
        }
        for (const [cw, matched] of match(child, labels, state.world, false, limit)) {
          next.push({
            world: cw,
            all: matched ? [...state.all, ...matched] : state.all,
            stopped: matched !== null && !child.continue,
          });
        }
      }
      if (next.length > limit) throw new TooManyOutcomes();
      states = next;
    }
    for (const state of states) out.push([state.world, state.all.length ? state.all : [route]]);
  }
  return out;
}

/** Every way an alert with these labels can be routed, each with the assumptions it rests on. */
export function routeAlert(config: RoutingConfig, labels: LabelLookup, limit = 64): Outcome[] {
  return match(config.root, labels, { assumptions: [] }, true, limit).map(([world, routes]) => ({
    assumptions: world.assumptions,
    routes: routes ?? [config.root],
  }));
}

/** Whether matchers hold for labels: true, false, or undefined when it depends on labels not known in advance. */
export function matchesAll(matchers: Matcher[], labels: LabelLookup): boolean | undefined {
  let unknown = false;
  for (const matcher of matchers) {
    const value = labels(matcher.name);
    const result = value === undefined ? undefined : matcher.test(value);
    if (result === false) return false;
    if (result === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}
