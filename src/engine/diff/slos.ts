/**
 * What a change does to the SLOs, read from the recording rules both builds hold (Sloth's series, so the base needs no
 * SLO model): an SLO removed, an objective lowered, an SLI query changed. Each loosens a promise without touching an
 * alert's threshold, so the alert flags cannot see it.
 */
import type { RecordingRuleModel } from "../model.ts";
import type { Flag } from "./compare.ts";
import type { Snapshot } from "./snapshot.ts";

interface SloFacts {
  objective: number;
  /** The 5m SLI rule's expression, as written and without whitespace (PromQL is free-form): the SLI query at its shortest window. */
  sli?: { text: string; compared: string };
}

const oneLine = (expr: string) => expr.replace(/\s+/g, " ").trim();

/** The SLOs of one build by `sloth_id`: their `sloth_slo_info` series, objective and 5m SLI. */
function slosOf(rules: RecordingRuleModel[]): Map<string, SloFacts> {
  const slos = new Map<string, SloFacts>();
  for (const rule of rules) {
    const id = rule.labels.sloth_id;
    if (rule.record === "sloth_slo_info" && id !== undefined)
      slos.set(id, { ...slos.get(id), objective: Number(rule.labels.sloth_objective) });
  }
  for (const rule of rules) {
    const id = rule.labels.sloth_id;
    const known = id === undefined ? undefined : slos.get(id);
    if (known && rule.record === "slo:sli_error:ratio_rate5m")
      known.sli = { text: oneLine(rule.expr), compared: rule.expr.replace(/\s+/g, "") };
  }
  return slos;
}

export function sloFlags(base: Snapshot, head: Snapshot): Flag[] {
  const before = slosOf(base.recordingRules);
  const after = slosOf(head.recordingRules);
  const flags: Flag[] = [];
  for (const [id, was] of before) {
    const subject = `slo ${id}`;
    const now = after.get(id);
    if (!now) {
      flags.push({
        id: "slo-removed",
        subject,
        message: `is gone, with its burn-rate alerts and its dashboard row: nothing watches its error budget any more`,
      });
      continue;
    }
    if (now.objective < was.objective)
      flags.push({
        id: "objective-lowered",
        subject,
        message: `objective ${was.objective}% → ${now.objective}%: its error budget grows ${budgetGrowth(was.objective, now.objective)}, so every burn-rate alert fires later`,
      });
    if (was.sli && now.sli && was.sli.compared !== now.sli.compared)
      flags.push({
        id: "sli-changed",
        subject,
        message: `its SLI query changed (5m rule: \`${was.sli.text}\` → \`${now.sli.text}\`): what counts as an error is different, and the budget already spent was measured the old way`,
      });
  }
  return flags;
}

/** `4x` for 99.9 -> 99.6: how many times larger the budget is. */
function budgetGrowth(before: number, after: number): string {
  const ratio = (100 - after) / (100 - before);
  return Number.isFinite(ratio) ? `${Number(ratio.toPrecision(3))}x` : "without bound";
}
