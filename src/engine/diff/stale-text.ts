/**
 * Text that a threshold change left behind: an alert whose threshold moved while its summary, its description or
 * the description of the panel it opens still states the old number. The build's own check
 * (alerts/stale-threshold-text) stops this in our definitions; this reads the built files, so a reviewer also sees
 * it where the check could not run (rule files from elsewhere, a suppressed finding, a text the check does not read).
 */
import { statedNumbers } from "../check/checks/alerts/stale-threshold-text.ts";
import type { AlertModel } from "../model.ts";
import { topComparison } from "../promql/comparison.ts";
import type { Flag } from "./compare.ts";
import { linkTarget } from "./dashboards.ts";
import type { Snapshot } from "./snapshot.ts";

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** What `text` says that is the old value and not the new one. */
function stale(text: string, before: number, after: number): string | undefined {
  const stated = statedNumbers(text.replace(/\{\{.*?\}\}/gs, "…").replace(/`[^`]*`/g, "…"));
  if (stated.some((s) => close(s.value, after))) return undefined;
  return stated.find((s) => close(s.value, before))?.text.trim();
}

function texts(snapshot: Snapshot, alert: AlertModel): Array<[where: string, text: string]> {
  const out: Array<[string, string]> = [];
  for (const key of ["summary", "description"])
    if (alert.annotations[key]) out.push([`its ${key}`, alert.annotations[key]!]);
  const target = linkTarget(alert.annotations.dashboard_url);
  const panel = snapshot.dashboards
    .find((d) => d.uid === target?.uid)
    ?.panels.find((p) => p.id === target?.panel);
  if (panel?.description)
    out.push([
      `the description of the panel it opens (${target!.uid} › panel ${panel.id})`,
      panel.description,
    ]);
  return out;
}

/** A `threshold-text-stale` flag for each text of a changed alert that states its old threshold, not its new one. */
export function staleTextFlags(base: Snapshot, head: Snapshot): Flag[] {
  const before = new Map(base.alerts.map((a) => [a.name, a]));
  const flags: Flag[] = [];
  for (const alert of head.alerts) {
    const was = before.get(alert.name);
    const [b, a] = [was && topComparison(was.expr)?.value, topComparison(alert.expr)?.value];
    if (b === undefined || a === undefined || close(a, b)) continue;
    for (const [where, text] of texts(head, alert)) {
      const said = stale(text, b, a);
      if (said)
        flags.push({
          id: "threshold-text-stale",
          subject: `alert ${alert.name}`,
          message: `its threshold moved from ${b} to ${a}, but ${where} still says "${said}"`,
        });
    }
  }
  return flags;
}
