/**
 * Text that people read, with the numbers the alerts fire at written from the thresholds themselves: a
 * threshold interpolated into PromQL writes `> 0.05`, and the same threshold in `say` writes `5%`. Change
 * the threshold and every text written with it changes in the same build (alerts/stale-threshold-text
 * catches the numbers written by hand).
 */
import { parseDurationMs } from "../duration.ts";
import type { ThresholdDefinition, ThresholdUnit } from "./alerting.ts";

/** A threshold's value, as a person says it in its unit: `5%`, `500 ms`, `2 s`, `512 MiB`, `1000`. */
export function thresholdValueText(threshold: { value: number; unit: ThresholdUnit }): string {
  const { value, unit } = threshold;
  const exact = (n: number) => String(+n.toPrecision(12));
  switch (unit) {
    case "ratio":
      return `${exact(value * 100)}%`;
    case "percent":
      return `${exact(value)}%`;
    case "seconds":
      return Math.abs(value) < 1 ? `${exact(value * 1000)} ms` : `${exact(value)} s`;
    case "bytes": {
      const binary = ["KiB", "MiB", "GiB", "TiB", "PiB"];
      for (let power = binary.length; power >= 1; power--) {
        const scaled = value / 1024 ** power;
        if (Math.abs(scaled) >= 1 && Number.isInteger(scaled)) return `${scaled} ${binary[power - 1]}`;
      }
      return `${exact(value)} bytes`;
    }
    default:
      return exact(value);
  }
}

/** A window, such as an alert's `for`, to be said in words: `5m` is "5 minutes". */
export interface Window {
  duration: string;
}

/** `for: pendingFor` in the alert, `say\`... for ${inWords(pendingFor)}\`` in its text: one duration, written once. */
export function inWords(duration: string): Window {
  const window = { duration };
  Object.defineProperty(window, "toString", { value: () => durationText(duration), enumerable: false });
  return window;
}

/** A Prometheus duration as people say it: `5m` is "5 minutes", `1h` "1 hour", `90s` "90 seconds". */
export function durationText(duration: string): string {
  const ms = parseDurationMs(duration);
  if (!Number.isFinite(ms)) return duration;
  const units: Array<[number, string]> = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
    [1, "millisecond"],
  ];
  const [size, name] = units.find(([size]) => ms % size === 0 && ms >= size) ?? [1, "millisecond"];
  const count = ms / size;
  return `${count} ${name}${count === 1 ? "" : "s"}`;
}

/** What `say` writes as it is: text and numbers; a threshold is written in its unit, a window in words. */
export type Sayable = ThresholdDefinition | Window | string | number;

const isWindow = (value: unknown): value is Window =>
  typeof value === "object" && value !== null && typeof (value as Window).duration === "string";

const isThresholdLike = (value: unknown): value is ThresholdDefinition =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ThresholdDefinition).value === "number" &&
  typeof (value as ThresholdDefinition).unit === "string";

/**
 * A summary, description or panel description that states a threshold:
 * say`The API answers more than ${thresholds.phoenix5xxRatio} of requests with a 5xx error.` is
 * "The API answers more than 5% of requests with a 5xx error.", and says 8% the day the threshold is 0.08.
 */
export function say(strings: TemplateStringsArray, ...values: Sayable[]): string {
  let text = strings[0] ?? "";
  for (const [index, value] of values.entries())
    text +=
      (isThresholdLike(value)
        ? thresholdValueText(value)
        : isWindow(value)
          ? durationText(value.duration)
          : String(value)) + (strings[index + 1] ?? "");
  return text;
}
