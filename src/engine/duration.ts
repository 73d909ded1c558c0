/** Prometheus duration strings (`30s`, `5m`, `1h30m`), the format rule files and promtool use. */
const units: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
// Units from largest to smallest, each at most once: what Prometheus's parser accepts ("5m30s", not "30s5m").
const durationPattern = /^(?!$)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const part = /(\d+)(ms|s|m|h|d|w|y)/g;

export type Duration = string;

/** A positive Prometheus duration. */
export function isDuration(text: string): boolean {
  return durationPattern.test(text) && parseDurationMs(text) > 0;
}

/** Milliseconds in a duration (`0` included); NaN when the text is not one. */
export function parseDurationMs(text: string): number {
  if (text === "0") return 0;
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
