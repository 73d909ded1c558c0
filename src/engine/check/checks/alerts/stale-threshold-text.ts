import type { ThresholdUnit } from "../../../define/alerting.ts";
import { formatNumber } from "../../../define/alerting.ts";
import type {
  AlertModel,
  DashboardModel,
  Model,
  NamedThresholdModel,
  PanelModel,
  ThresholdModel,
} from "../../../model.ts";
import { thresholdText } from "../../../runbook.ts";
import type { SourceLocation } from "../../../source.ts";
import type { Finding, ModelCheck } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/** What a stated number measures, from the unit written after it. */
export type StatedKind = "ratio" | "seconds" | "bytes" | "plain";

/** A number a text states as a bound: `more than 5%`, `> 500ms`, `at least 3`, `3+`, `3 or more`. */
export interface StatedNumber {
  text: string;
  /** In the base unit: a fraction for `%`, seconds, bytes. */
  value: number;
  kind: StatedKind;
  /** The direction it states, where it says one. */
  op?: ">" | ">=" | "<" | "<=";
}

const leads: Array<[RegExp, StatedNumber["op"]]> = [
  [/^(?:>=|≥|at least|no less than)$/i, ">="],
  [/^(?:<=|≤|at most|no more than)$/i, "<="],
  [/^(?:>|more than|greater than|higher than|larger than|above|over|exceeds?|exceeding|beyond)$/i, ">"],
  [/^(?:<|less than|fewer than|lower than|below|under)$/i, "<"],
];
const leadPattern =
  ">=|<=|≥|≤|>|<|at least|no less than|at most|no more than|more than|greater than|higher than|larger than|above|over|exceeds?|exceeding|beyond|less than|fewer than|lower than|below|under";
// Longest alternatives first: `ms` before `m`, `minutes` before `min`.
const unitPattern =
  "%|percent|milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|[KMGTP]i?B|bytes|B";
const numberPattern = "(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?";
/** Not more of a word or number after it (`5xx` states no bound; `1,000` is one number). */
const numberEnd = "(?![\\w%]|[.,]\\d)";
const boundPattern = new RegExp(
  `(?<![\\w])(${leadPattern})\\s*(${numberPattern})\\s?(${unitPattern})?${numberEnd}`,
  "gi",
);
const trailingPattern = new RegExp(
  `(?<![\\w.,])(${numberPattern})(\\+| or more| or fewer| or less)(?!\\w)`,
  "gi",
);

const seconds: Record<string, number> = { ms: 0.001, millisecond: 0.001, s: 1, sec: 1, second: 1 };
Object.assign(seconds, { m: 60, min: 60, minute: 60, h: 3600, hour: 3600, d: 86400, day: 86400 });
const bytes: Record<string, number> = { b: 1, bytes: 1 };
for (const [index, prefix] of ["k", "m", "g", "t", "p"].entries()) {
  bytes[`${prefix}b`] = 1000 ** (index + 1);
  bytes[`${prefix}ib`] = 1024 ** (index + 1);
}

function measure(number: number, unit: string | undefined): { value: number; kind: StatedKind } {
  if (unit === undefined) return { value: number, kind: "plain" };
  const lower = unit.toLowerCase();
  if (lower === "%" || lower === "percent") return { value: number / 100, kind: "ratio" };
  if (/^[kmgtp]?i?b$|^bytes$/i.test(unit) && unit !== "m" && bytes[lower] !== undefined)
    return { value: number * bytes[lower]!, kind: "bytes" };
  const factor = seconds[lower] ?? seconds[lower.replace(/s$/, "")];
  return { value: number * (factor ?? 1), kind: "seconds" };
}

/** Every bound a text states, with its number in the base unit. */
export function statedNumbers(text: string): StatedNumber[] {
  const stated: StatedNumber[] = [];
  for (const match of text.matchAll(boundPattern)) {
    const op = leads.find(([pattern]) => pattern.test(match[1]!))?.[1];
    const { value, kind } = measure(Number(match[2]!.replaceAll(",", "")), match[3]);
    stated.push({ text: match[0], value, kind, ...(op ? { op } : {}) });
  }
  for (const match of text.matchAll(trailingPattern)) {
    const op = /fewer|less/i.test(match[2]!) ? "<=" : ">=";
    stated.push({ text: match[0], value: Number(match[1]!.replaceAll(",", "")), kind: "plain", op });
  }
  return stated;
}

const kindOf: Record<ThresholdUnit, StatedKind> = {
  ratio: "ratio",
  // A percentage is stated as one: `5%` reads 0.05, and so is the threshold 5 (percent), in agrees().
  percent: "ratio",
  seconds: "seconds",
  bytes: "bytes",
  count: "plain",
  bool: "plain",
};

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** For whole counts `> 2` is `>= 3`: the same bound. */
function normalized(op: string | undefined, value: number): number {
  if (!Number.isInteger(value)) return value;
  return op === ">" ? value + 1 : op === "<" ? value - 1 : value;
}

function agrees(stated: StatedNumber, threshold: ThresholdModel): boolean {
  if (close(stated.value, threshold.unit === "percent" ? threshold.value / 100 : threshold.value))
    return true;
  return (
    threshold.unit === "count" &&
    stated.op !== undefined &&
    close(normalized(stated.op, stated.value), normalized(threshold.op, threshold.value))
  );
}

/** A threshold as a reader knows it: `> 8% (thresholds.phoenix5xxRatio)`. */
const named = (t: ThresholdModel & { name?: string }) =>
  `${thresholdText(t)}${t.name ? ` (thresholds.${t.name})` : ""}`;

/** The named thresholds interpolated into a PromQL text (they write themselves as `> 0.05`). */
function interpolated(expr: string, thresholds: readonly NamedThresholdModel[]): NamedThresholdModel[] {
  return thresholds.filter((t) => {
    const written = `${t.op} ${formatNumber(t.value)}`;
    let at = expr.indexOf(written);
    while (at >= 0) {
      if (!/^[\d.eE]/.test(expr.slice(at + written.length))) return true;
      at = expr.indexOf(written, at + 1);
    }
    return false;
  });
}

/** One text to hold to thresholds: where it is and what it is called. */
interface Text {
  text: string;
  where: string;
  source: SourceLocation;
  /** Whether it is written in TypeScript (say`...` can write it) or by hand in the runbook. */
  runbook: boolean;
}

const unique = <T extends ThresholdModel & { name?: string }>(list: T[]) =>
  list.filter(
    (t, index) => list.findIndex((o) => o.op === t.op && o.value === t.value && o.unit === t.unit) === index,
  );

function findings(subject: string, texts: Text[], compared: Array<ThresholdModel & { name?: string }>) {
  const out: Finding[] = [];
  for (const { text, where, source, runbook } of texts) {
    // Code is code: `ack_pending > 100` is another field's bound, a query the responder runs is its own.
    for (const stated of statedNumbers(text.replace(/`[^`]*`/g, "…"))) {
      // A threshold the definition got wrong is its own error (definition/invalid), not a stale text.
      const candidates = compared.filter((t) => !t.placeholder && kindOf[t.unit] === stated.kind);
      if (candidates.length === 0 || candidates.some((t) => agrees(stated, t))) continue;
      const fix = runbook
        ? `make it say ${candidates.map(thresholdText).join(" or ")}, or leave the number out; the threshold itself lives in src/alerts/thresholds.ts.`
        : `write the number from the threshold, say\`... ${candidates[0]!.name ? `\${thresholds.${candidates[0]!.name}}` : "${thresholds.x}"} ...\` (src/engine/define/wording.ts), so that it follows the threshold; or correct it.`;
      out.push({
        subject,
        source,
        message: `its ${where} says "${stated.text.trim()}", but ${candidates.length > 1 ? "the thresholds it states are" : "the threshold is"} ${candidates.map(named).join(", ")}`,
        fix,
      });
    }
  }
  return out;
}

/** Template actions (`{{ $value | humanizePercentage }}`) are values, not numbers written down. */
const withoutTemplates = (text: string) => text.replace(/\{\{.*?\}\}/gs, "…");

const fence = /^\s*(```|~~~)/;

/** The lines of an alert's playbook after its heading, to the next heading as high; without code. */
function playbookLines(model: Model, alert: AlertModel): Text[] {
  const section = model.runbook.sections.find((s) => s.anchor === alert.runbook.anchor);
  if (!section) return [];
  const lines = model.runbook.text.split("\n");
  const level = /^#+/.exec(lines[section.line - 1] ?? "")?.[0].length ?? 3;
  // `see **NATS Stream Lag > 1000**` names another playbook: its number is that alert's.
  const headings = new Set(
    model.runbook.sections
      .map((s) => s.heading.replace(/^Alert: /, ""))
      .filter((h) => h !== alert.runbook.heading.replace(/^Alert: /, "")),
  );
  const texts: Text[] = [];
  let fenced = false;
  for (let index = section.line; index < lines.length; index++) {
    const line = lines[index]!;
    if (fence.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const heading = /^(#{1,6})\s/.exec(line);
    if (heading && heading[1]!.length <= level) break;
    texts.push({
      text: line.replace(/\*\*([^*]+)\*\*/g, (bold, inner: string) =>
        headings.has(inner.trim()) ? "…" : bold,
      ),
      where: `playbook (${model.runbook.file}:${index + 1})`,
      source: { file: model.runbook.file, line: index + 1 },
      runbook: true,
    });
  }
  return texts;
}

/**
 * A number written in a text that disagrees with the threshold it states: an alert's summary or description, its
 * playbook in the runbook, or a panel's description. Thresholds live in src/alerts/thresholds.ts; a text written
 * with say`...` follows them, one written by hand goes on saying the old number after a change.
 */
export const staleThresholdText: ModelCheck = {
  id: "alerts/stale-threshold-text",
  kind: "house",
  severity: "error",
  summary:
    "A summary, description, playbook line or panel description stating a number its threshold no longer has.",
  scope: "model",
  check(model) {
    const thresholds = model.thresholds ?? [];
    const comparedBy = new Map<AlertModel, Array<ThresholdModel & { name?: string }>>();
    const out: Finding[] = [];
    for (const alert of model.alerts) {
      // Our definitions say which thresholds they interpolated; a model without them is matched by the written form.
      const compared = unique(alert.thresholds ?? [alert.threshold, ...interpolated(alert.expr, thresholds)]);
      comparedBy.set(alert, compared);
      const texts: Text[] = [
        ["summary", alert.annotations.summary],
        ["description", alert.annotations.description],
      ].flatMap(([where, text]) =>
        text ? [{ text: withoutTemplates(text), where: where!, source: alert.source, runbook: false }] : [],
      );
      out.push(...findings(`alert ${alert.name}`, texts, compared));
    }
    // A playbook shared by several alerts (an SLO's two burn-rate pairs) may state each one's threshold.
    const sharing = new Map<string, AlertModel[]>();
    for (const alert of model.alerts)
      sharing.set(alert.runbook.anchor, [...(sharing.get(alert.runbook.anchor) ?? []), alert]);
    for (const alert of model.alerts) {
      const ofPlaybook = unique(sharing.get(alert.runbook.anchor)!.flatMap((a) => comparedBy.get(a)!));
      out.push(...findings(`alert ${alert.name}`, playbookLines(model, alert), ofPlaybook));
    }
    for (const dashboard of model.dashboards)
      for (const panel of dashboard.panels) out.push(...panelFindings(model, dashboard, panel, comparedBy));
    return out;
  },
};

/**
 * A panel's description, held to the thresholds of the alerts that open it and those of its queries. A line the
 * panel draws says no more than its value: another threshold may share it.
 */
function panelFindings(
  model: Model,
  dashboard: DashboardModel,
  panel: PanelModel,
  comparedBy: Map<AlertModel, Array<ThresholdModel & { name?: string }>>,
): Finding[] {
  if (!panel.description) return [];
  const thresholds = model.thresholds ?? [];
  const compared = unique([
    ...model.alerts
      .filter((a) => a.dashboard.uid === dashboard.uid && a.dashboard.panelId === panel.id)
      .flatMap((a) => comparedBy.get(a) ?? []),
    ...(panel.statedThresholds ?? panel.targets.flatMap((target) => interpolated(target.expr, thresholds))),
  ]);
  return findings(
    panelSubject(dashboard, panel),
    [{ text: panel.description, where: "description", source: panel.source, runbook: false }],
    compared,
  );
}
