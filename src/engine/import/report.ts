/**
 * What `o11y import` says: the rewrites it made, one line each with its reason, the migration debt it wrote, the
 * catalog entries it added, and, when the input cannot be imported, every problem at once.
 */

import type { ImportedNotification } from "./notifications.ts";

/** One change between the source and what the import writes, and why. */
export interface Rewrite {
  /** What it concerns: `dashboard`, `panel 12 "CPU"`, `variable $node`, `alert HostDown`, ... */
  subject: string;
  what: string;
  why: string;
}

/** A reason the input cannot be imported, and how to fix it. */
export interface ImportProblem {
  message: string;
  fix: string;
}

/** The input cannot be imported: every problem found, nothing written. */
export class ImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(problems.map((p) => p.message).join("; "));
  }
}

export interface ImportSummary {
  /** Files written (or that would be), relative to the project. */
  files: { path: string; created: boolean }[];
  rewrites: Rewrite[];
  /** Suppressions written, by check id and where. */
  debt: { subject: string; check: string; reason: string }[];
  /** Catalog entries added: name, type and why. */
  metrics: { name: string; type: string; inferred: string }[];
  /** Thresholds named in src/alerts/thresholds.ts (`o11y import rules`): the comparison, its unit and why. */
  thresholds?: { name: string; comparison: string; unit: string; why: string }[];
  /** Where each imported alert notifies through the project's routing (`o11y import rules`). */
  notifications?: ImportedNotification[];
}

/** The report as lines of text, in a stable order. */
export function formatSummary(summary: ImportSummary): string {
  const lines: string[] = [];
  for (const file of summary.files) lines.push(`${file.created ? "wrote" : "updated"} ${file.path}`);
  if (summary.rewrites.length) {
    lines.push("", `rewrites (${summary.rewrites.length}): what differs from the source, and why`);
    for (const r of summary.rewrites) lines.push(`  ${r.subject}: ${r.what} (${r.why})`);
  }
  if (summary.thresholds?.length) {
    lines.push(
      "",
      `thresholds named in src/alerts/thresholds.ts (${summary.thresholds.length}), with the unit inferred and why`,
    );
    for (const t of summary.thresholds) lines.push(`  ${t.name}: ${t.comparison} ${t.unit} (${t.why})`);
  }
  if (summary.notifications?.length) {
    const paging = summary.notifications.filter((n) => n.pages !== "never").length;
    lines.push(
      "",
      `where the imported alerts notify through this project's Alertmanager (${summary.notifications.length}; ${paging} may page): check their severities before you deploy`,
    );
    for (const n of summary.notifications) lines.push(`  alert ${n.alert} (line ${n.line}): ${n.outcome}`);
  }
  if (summary.metrics.length) {
    lines.push(
      "",
      `catalog entries added, not reviewed yet (${summary.metrics.length}; catalog/unreviewed warns until they are)`,
    );
    for (const m of summary.metrics) lines.push(`  ${m.name}: ${m.type} (${m.inferred})`);
  }
  if (summary.debt.length) {
    lines.push("", `migration debt written as suppressions (${summary.debt.length}; o11y check lists them)`);
    for (const d of summary.debt) lines.push(`  ${d.subject}: ${d.check}: ${d.reason}`);
  }
  return `${lines.join("\n")}\n`;
}
