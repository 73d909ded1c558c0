/**
 * Text that people read, with the numbers the alerts fire at written from the thresholds themselves: a
 * threshold interpolated into PromQL writes `> 0.05`, and the same threshold in `say` writes `5%`. Change
 * the threshold and every text written with it changes in the same build (alerts/stale-threshold-text
 * catches the numbers written by hand).
 */
import type { ThresholdDefinition, ThresholdUnit } from "./alerting.ts";

/** A threshold's value, as a person says it in its unit: `5%`, `500 ms`, `2 s`, `512 MiB`, `1000`. */
export function thresholdValueText(threshold: { value: number; unit: ThresholdUnit }): string {
  const { value, unit } = threshold;
  const exact = (n: number) => String(+n.toPrecision(12));
  switch (unit) {
    case "ratio":
      return `${exact(value * 100)}%`;
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

/** What `say` writes as it is: text and numbers; a threshold is written in its unit. */
export type Sayable = ThresholdDefinition | string | number;

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
    text += (isThresholdLike(value) ? thresholdValueText(value) : String(value)) + (strings[index + 1] ?? "");
  return text;
}
