/**
 * A dashboard's time range and the intervals Grafana derives from it, for the preview's queries. Times are
 * written as Grafana writes them (`now-6h`, `now/d`, an ISO date or epoch milliseconds) and read in UTC.
 */

/** Unix seconds. */
export interface TimeRange {
  from: number;
  to: number;
}

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `time` moved by `amount` of `unit`: months and years by the calendar, the rest by their length. */
function shift(time: Date, amount: number, unit: string): Date {
  const moved = new Date(time.getTime());
  if (unit === "M") moved.setUTCMonth(moved.getUTCMonth() + amount);
  else if (unit === "y") moved.setUTCFullYear(moved.getUTCFullYear() + amount);
  else moved.setTime(moved.getTime() + amount * unitMs[unit]!);
  return moved;
}

/** The start of `time`'s `unit` (or its end, for the end of a range: `now/d` ends at midnight), in UTC. */
function round(time: Date, unit: string, up: boolean): Date {
  const t = new Date(time.getTime());
  switch (unit) {
    case "y":
      t.setUTCMonth(0, 1);
      t.setUTCHours(0, 0, 0, 0);
      break;
    case "M":
      t.setUTCDate(1);
      t.setUTCHours(0, 0, 0, 0);
      break;
    case "w":
      // Grafana's weeks start on Monday by default.
      t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
      t.setUTCHours(0, 0, 0, 0);
      break;
    default:
      t.setTime(Math.floor(t.getTime() / unitMs[unit]!) * unitMs[unit]!);
  }
  return up ? new Date(shift(t, 1, unit).getTime() - 1) : t;
}

/**
 * `now-6h`, `now`, `now-1d/d`, `now/w`, an ISO 8601 date or epoch milliseconds, as unix seconds; undefined
 * when Grafana would not read it either. `end`: the range's end, which a rounding (`/d`) takes to the unit's end.
 */
export function parseGrafanaTime(text: string, nowMs: number, end = false): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) / 1000;
  if (trimmed.startsWith("now")) {
    let time = new Date(nowMs);
    let rest = trimmed.slice(3);
    const step = /^([+-])(\d+)([smhdwMy])/;
    for (let match = step.exec(rest); match; match = step.exec(rest)) {
      time = shift(time, (match[1] === "-" ? -1 : 1) * Number(match[2]), match[3]!);
      rest = rest.slice(match[0].length);
    }
    const rounding = /^\/([smhdwMy])$/.exec(rest);
    if (rounding) return round(time, rounding[1]!, end).getTime() / 1000;
    return rest === "" ? time.getTime() / 1000 : undefined;
  }
  // An absolute date: only ISO 8601, so that no locale reads it differently.
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) return undefined;
  const ms = Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(trimmed) ? trimmed : `${trimmed.replace(" ", "T")}Z`);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Steps the interval is rounded up to, as Grafana rounds its own to a readable one. */
const roundSteps = [
  1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((s) => s * 1000);

export interface Intervals {
  /** `$__interval`: the range over the panel's data points, rounded up to a round step, never under the scrape interval. */
  intervalMs: number;
  /** `$__rate_interval`: `$__interval` plus one scrape interval, and at least four scrape intervals. */
  rateIntervalMs: number;
}

/** The intervals of a panel `maxDataPoints` wide over `range`, with the data source's scrape interval. */
export function intervalsFor(range: TimeRange, scrapeMs: number, maxDataPoints: number): Intervals {
  const raw = ((range.to - range.from) * 1000) / Math.max(1, maxDataPoints);
  const rounded = roundSteps.find((step) => step >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000;
  const intervalMs = Math.max(scrapeMs, rounded);
  return { intervalMs, rateIntervalMs: Math.max(4 * scrapeMs, intervalMs + scrapeMs) };
}

/** A duration as PromQL reads it: `15s`, `2m`, `1500ms`. */
export function promDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
