import type { ComparisonOperator, ThresholdUnit } from "../../../define/alerting.ts";
import type { ThresholdModel } from "../../../model.ts";
import { thresholdText } from "../../../runbook.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** A comparison a heading states, in the threshold's own unit. */
interface Stated {
  text: string;
  op: ComparisonOperator;
  /** Undefined when the stated unit cannot be the threshold's (a percentage of a count, say). */
  value: number | undefined;
}

// Longest alternatives first: `ms` before `m`, `minutes` before `min`.
const unitPattern =
  "%|milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|[KMGTP]i?B|bytes|B";
/** `1000`, `1,000`, `0.5`, `-5`, `1e6`. */
const numberPattern = "-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?";
/** What may follow a number: not more of a word or number (`14.4x` states no comparison; `1,000` is one number). */
const numberEnd = "(?![\\w%]|[.,]\\d)";
const comparisonPattern = new RegExp(
  `(>=|<=|≥|≤|>|<)\\s*(${numberPattern})\\s*(${unitPattern})?${numberEnd}`,
  "g",
);
/** `3+`: at least 3. */
const atLeastPattern = new RegExp(`(?<![\\w.,])(${numberPattern})\\+`, "g");
const toNumber = (text: string) => Number(text.replaceAll(",", ""));

const durations: Record<string, number> = {
  ms: 0.001,
  millisecond: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86400,
  day: 86400,
};
const byteUnits: Record<string, number> = {
  B: 1,
  bytes: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

/** `number unit` in the threshold's unit; undefined when the stated unit cannot be that unit. */
function convert(number: number, stated: string | undefined, unit: ThresholdUnit): number | undefined {
  if (stated === undefined) return number;
  if (unit === "ratio") return stated === "%" ? number / 100 : undefined;
  if (unit === "percent") return stated === "%" ? number : undefined;
  if (unit === "seconds") {
    const factor = durations[stated] ?? durations[stated.replace(/s$/, "")];
    return factor === undefined ? undefined : number * factor;
  }
  if (unit === "bytes") return byteUnits[stated] === undefined ? undefined : number * byteUnits[stated]!;
  return undefined;
}

const symbols: Record<string, ComparisonOperator> = { "≥": ">=", "≤": "<=" };

/** Every comparison the heading states, `> 500ms` or `3+`. */
export function statedComparisons(heading: string, unit: ThresholdUnit): Stated[] {
  const stated: Stated[] = [];
  for (const match of heading.matchAll(comparisonPattern)) {
    const op = symbols[match[1]!] ?? (match[1] as ComparisonOperator);
    stated.push({ text: match[0].trim(), op, value: convert(toNumber(match[2]!), match[3], unit) });
  }
  for (const match of heading.matchAll(atLeastPattern))
    stated.push({ text: match[0], op: ">=", value: convert(toNumber(match[1]!), undefined, unit) });
  return stated;
}

/** For whole counts, `> 2` is `>= 3` and `< 3` is `<= 2`: one form to compare. */
function normalized(
  op: ComparisonOperator,
  value: number,
  unit: ThresholdUnit,
): [ComparisonOperator, number] {
  if (unit !== "count" || !Number.isInteger(value)) return [op, value];
  if (op === ">") return [">=", value + 1];
  if (op === "<") return ["<=", value - 1];
  return [op, value];
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function agrees(stated: Stated, threshold: ThresholdModel): boolean {
  if (stated.value === undefined) return false;
  const [op, value] = normalized(stated.op, stated.value, threshold.unit);
  const [wantOp, wantValue] = normalized(threshold.op, threshold.value, threshold.unit);
  return op === wantOp && close(value, wantValue);
}

/**
 * A playbook heading that states a threshold (`### Alert: NATS Stream Lag > 1000`) must state the alert's: on-call
 * reads the heading first, and the threshold lives in src/alerts/thresholds.ts, not in the runbook.
 */
export const alertRunbookThreshold: ModelCheck = {
  id: "alerts/runbook-threshold",
  kind: "house",
  severity: "error",
  summary: "A playbook heading that states a threshold other than its alert's.",
  scope: "model",
  check(model) {
    const sections = new Map(model.runbook.sections.map((s) => [s.anchor, s]));
    return model.alerts.flatMap((alert): Finding[] => {
      const section = sections.get(alert.runbook.anchor);
      // A missing section is alerts/runbook's finding; a missing threshold, alerts/threshold's.
      if (!section || alert.threshold.placeholder) return [];
      const stated = statedComparisons(section.heading, alert.threshold.unit);
      if (stated.length === 0 || stated.some((s) => agrees(s, alert.threshold))) return [];
      const actual = thresholdText(alert.threshold);
      return [
        {
          subject: `alert ${alert.name}`,
          source: alert.source,
          message: `its playbook heading "${section.heading}" (${model.runbook.file}:${section.line}) says ${stated.map((s) => s.text).join(", ")}, but the alert fires at ${actual}`,
          fix: `make the heading say ${actual} (and \`runbook:\` with it: its anchor changes), or leave the number out of the heading; the threshold itself lives in src/alerts/thresholds.ts.`,
        },
      ];
    });
  },
};
