/** Prometheus duration strings (`30s`, `5m`, `1h30m`), the format rule files and promtool use. */
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const durationPattern = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const part = /(\d+)(ms|s|m|h|d|w|y)/g;

export type Duration = string;

export function isDuration(text: string): boolean {
  return durationPattern.test(text) && text !== "0" && parseDurationMs(text) > 0;
}

/** Milliseconds in a duration; NaN when the text is not one. */
export function parseDurationMs(text: string): number {
  if (!durationPattern.test(text)) return Number.NaN;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(part)) total += Number(amount) * units[unit!]!;
  return total;
}

/** The shortest Prometheus spelling of a number of milliseconds: 90000 -> `1m30s`. */
export function formatDuration(ms: number): Duration {
  if (ms === 0) return "0s";
  let rest = ms;
  let text = "";
  for (const unit of ["w", "d", "h", "m", "s", "ms"] as const) {
    const size = units[unit]!;
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text;
}
