/** The shapes every part of a diff report shares, and the generic comparisons of parsed documents. */
import { canonicalize } from "../compile/canonical-json.ts";
import { compareText } from "../text.ts";
import type { LineChange } from "./lines.ts";

export const flagIds = [
  "alert-removed",
  "severity-lowered",
  "threshold-loosened",
  "for-lengthened",
  "link-changed",
  "link-broken",
  "panel-without-queries",
  "paging-removed",
  "notify-slower",
  "alert-unrouted",
  "alert-label-dropped",
  "alert-panel-changed",
  "dashboard-removed",
  "dashboard-renamed",
  "panel-id-changed",
  "threshold-text-stale",
  "slo-removed",
  "objective-lowered",
  "sli-changed",
] as const;
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
  /** For a threshold: whether the alert now fires on fewer values (loosened), more (tightened), or neither is clear. */
  direction?: "loosened" | "tightened" | "other";
}

export type Status = "added" | "removed" | "changed" | "renamed";

export interface Entry {
  status: Status;
  /** Alert name, series name, dashboard uid, panel id, file path; for a renamed thing, its new one. */
  key: string;
  /** A renamed thing's old key (a dashboard's uid, a panel's id). */
  previousKey?: string;
  title?: string;
  changes: Change[];
}

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);
export const byKey = <T>(items: T[], key: (item: T) => string) =>
  new Map(items.map((item) => [key(item), item]));
export const sortedKeys = (...maps: Array<Map<string, unknown>>) =>
  [...new Set(maps.flatMap((m) => [...m.keys()]))].sort(compareText);
export const show = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(canonicalize(value));

export function status(before: unknown, after: unknown): Status {
  return before === undefined ? "added" : after === undefined ? "removed" : "changed";
}

/** Keyed comparison of two collections: one entry per key that was added, removed or changed. */
export function compareKeyed<T, E>(
  before: Map<string, T>,
  after: Map<string, T>,
  entry: (key: string, b: T | undefined, a: T | undefined) => E | undefined,
): E[] {
  return sortedKeys(before, after).flatMap((key) => entry(key, before.get(key), after.get(key)) ?? []);
}

/** Two field maps compared; for an addition or a removal, only the `summary` fields are shown. */
export function fieldChanges(
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
  summary?: string[],
): Change[] {
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

/** A list whose order means nothing to the program that reads it: compared as a set. */
export class Unordered {
  constructor(readonly items: string[]) {}
}

/**
 * Nested JSON compared down to the leaves that differ. Lists of scalars show whole, unordered lists show
 * what left and what came, lists of objects compare item by item.
 */
export function jsonChanges(before: unknown, after: unknown, path: string, out: Change[] = []): Change[] {
  if (
    isObject(before) &&
    isObject(after) &&
    !(before instanceof Unordered) &&
    !(after instanceof Unordered)
  ) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareText))
      jsonChanges(before[key], after[key], path ? `${path}.${key}` : key, out);
    return out;
  }
  if (before instanceof Unordered || after instanceof Unordered) {
    const [b, a] = [
      before instanceof Unordered ? before.items : [],
      after instanceof Unordered ? after.items : [],
    ];
    const gone = b.filter((item) => !a.includes(item));
    const came = a.filter((item) => !b.includes(item));
    if (gone.length) out.push({ field: path, before: gone.join(", ") });
    if (came.length) out.push({ field: path, after: came.join(", ") });
    return out;
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    [...before, ...after].some((item) => isObject(item) || Array.isArray(item))
  ) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      jsonChanges(before[i], after[i], `${path}[${i}]`, out);
    return out;
  }
  const b = show(before);
  const a = show(after);
  if (b !== a)
    out.push({
      field: path,
      ...(b === undefined ? {} : { before: b }),
      ...(a === undefined ? {} : { after: a }),
    });
  return out;
}
