import type { SourceLocation } from "../source.ts";

/**
 * Source locations of built Grafana objects. Foundation SDK builders return the same object from every
 * build() call, so the object itself is the key; the compile step looks locations up from here.
 */
const locations = new WeakMap<object, SourceLocation>();

export function remember(built: object, source: SourceLocation): void {
  locations.set(built, source);
}

export function locationOf(built: object): SourceLocation | undefined {
  return locations.get(built);
}

/** The thresholds each built panel's spec interpolated (its queries, and any text written with them). */
const thresholds = new WeakMap<object, readonly object[]>();

export function rememberThresholds(built: object, used: readonly object[]): void {
  if (used.length) thresholds.set(built, used);
}

export function thresholdsOf(built: object): readonly object[] {
  return thresholds.get(built) ?? [];
}
