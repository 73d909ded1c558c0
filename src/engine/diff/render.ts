/** A diff report as a pull-request comment (Markdown) or for machines (JSON). */
import type { DiffReport, Entry } from "./diff.ts";
import { isEmpty } from "./diff.ts";

/** A workflow finds its own comment by this, to update it instead of adding another. */
export const commentMarker = "<!-- o11y-diff -->";
/** GitHub rejects a comment body over 65,536 characters. */
export const commentLimit = 65_536;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function counts(entries: Entry[], noun: string): string | undefined {
  if (!entries.length) return undefined;
  const by = (s: Entry["status"]) => entries.filter((e) => e.status === s).length;
  const parts = (["changed", "added", "removed"] as const).filter((s) => by(s)).map((s) => `${by(s)} ${s}`);
  return `${plural(entries.length, noun)} (${parts.join(", ")})`;
}

export function summary(report: DiffReport): string {
  if (isEmpty(report)) return `No changes to alerts, recording rules or dashboards between ${report.base} and ${report.head}.`;
  const parts = [
    counts(report.alerts, "alert"),
    counts(report.recordingRules, "recording rule"),
    counts(report.dashboards, "dashboard"),
    counts(report.files, "other file"),
    report.findings.length ? plural(report.findings.length, "new check finding") : undefined,
  ].filter(Boolean);
  const flags = report.attention.length ? `; **${plural(report.attention.length, "flag")} for review**` : "";
  return `${report.base} → ${report.head}: ${parts.join(", ")}${flags}.`;
}

/** A table cell: code, one line, pipes escaped, long values shortened. */
function cell(value: string | undefined, max = 160): string {
  if (value === undefined || value === "") return "";
  let text = value.replace(/\r?\n/g, " ↵ ");
  if (text.length > max) text = `${text.slice(0, max - 1)}…`;
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${text.replace(/\|/g, "\\|")}${fence}`;
}

/** The part of a long one-line change that differs, with a little context: the table's summary of an expression diff. */
function excerpt(before: string, after: string, context = 16): [string, string] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  const cut = (s: string) => {
    const from = Math.max(0, start - context);
    const to = Math.min(s.length, s.length - end + context);
    return `${from > 0 ? "…" : ""}${s.slice(from, to)}${to < s.length ? "…" : ""}`;
  };
  return [cut(before), cut(after)];
}

/** One thing in a table: its leading cells (name, panel), what happened to it, and any last column. */
interface Row {
  lead: string[];
  /** Names it in the heading of its expression diffs. */
  label: string;
  entry: Entry;
  extra?: string;
}

/** Rows for entries; expression changes go below the table as diff blocks. */
function table(title: string, head: string[], items: Row[]): string {
  if (!items.length) return "";
  const rows: string[] = [];
  const diffs: string[] = [];
  const line = (cells: string[]) => rows.push(`| ${cells.join(" | ")} |`);
  for (const { lead, label, entry, extra } of items) {
    const last = extra === undefined ? [] : [extra];
    if (entry.status !== "changed") {
      const details = entry.changes.map((c) => `${c.field} ${c[entry.status === "added" ? "after" : "before"] ?? ""}`.trim()).join(", ");
      line([...lead, `**${entry.status}**`, entry.status === "removed" ? cell(details, 300) : "", entry.status === "added" ? cell(details, 300) : "", ...last]);
      continue;
    }
    entry.changes.forEach((change, index) => {
      const first = index === 0;
      const [before, after] = change.lines ? excerpt(change.before ?? "", change.after ?? "") : [change.before, change.after];
      line([...(first ? lead : lead.map(() => "")), change.field, cell(before), cell(after), ...(first ? last : last.map(() => ""))]);
      if (change.lines) diffs.push(`${label} › ${change.field}:\n\n\`\`\`diff\n${change.lines.map((l) => `${l.op} ${l.line}`).join("\n")}\n\`\`\``);
    });
  }
  const header = `| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|`;
  return `### ${title}\n\n${header}\n${rows.join("\n")}\n${diffs.length ? `\n${diffs.join("\n\n")}\n` : ""}`;
}

function dashboardRows(report: DiffReport): Row[] {
  return report.dashboards.flatMap((d) => {
    const name = `${cell(d.key)} ${d.title ?? ""}`.trim();
    const own: Row[] = d.status !== "changed" || d.changes.length ? [{ lead: [name, ""], label: cell(d.key), entry: d }] : [];
    const panels = d.panels.map((p, i) => ({ lead: [own.length || i ? "" : name, `${p.key} "${p.title ?? ""}"`], label: `${cell(d.key)} › panel ${p.key}`, entry: p }));
    return [...own, ...panels];
  });
}

export function renderMarkdown(report: DiffReport, limit = commentLimit): string {
  if (isEmpty(report)) return `${commentMarker} ${summary(report)}\n`;
  const parts = [`${commentMarker}\n## o11y diff\n\n${summary(report)}\n`];
  if (report.attention.length) {
    parts.push(`### Needs attention\n\n${report.attention.map((f) => `- **\`${f.id}\`** ${f.subject}: ${f.message}`).join("\n")}\n`);
  }
  parts.push(table("Alerts", ["alert", "change", "before", "after"], report.alerts.map((a) => ({ lead: [cell(a.key)], label: cell(a.key), entry: a }))));
  const rules = report.recordingRules.map((r) => ({ lead: [cell(r.key)], label: cell(r.key), entry: r, extra: r.dependents.join("<br>").replace(/\|/g, "\\|") }));
  parts.push(table("Recording rules", ["series", "change", "before", "after", "used by"], rules));
  parts.push(table("Dashboards", ["dashboard", "panel", "change", "before", "after"], dashboardRows(report)));
  if (report.findings.length) {
    const plain = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
    const rows = report.findings.map((f) => `| ${f.severity} | ${cell(f.check)} | ${plain(f.subject)} | ${plain(f.message)} |`);
    parts.push(`### New check findings\n\n| severity | check | subject | message |\n|---|---|---|---|\n${rows.join("\n")}\n`);
  }
  if (report.files.length) {
    parts.push(`### Other files\n\n${report.files.map((f) => `- ${cell(f.key)} ${f.status}`).join("\n")}\n`);
  }
  return truncate(parts.filter(Boolean).join("\n"), limit);
}

/** Cut at a line under the limit, close an open code block, and say so. */
export function truncate(markdown: string, limit = commentLimit): string {
  if (markdown.length <= limit) return markdown;
  const note = `\n\n**Truncated:** this comment shows the first part of the report only; run \`node bin/o11y.js diff --format json\` for all of it.\n`;
  const room = limit - note.length - 8;
  const line = markdown.lastIndexOf("\n", room);
  let cut = markdown.slice(0, line > 0 ? line : room);
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += "\n```";
  return `${cut}${note}`;
}

export function renderJson(report: DiffReport): string {
  return `${JSON.stringify({ summary: summary(report).replace(/\*\*/g, ""), ...report }, null, 2)}\n`;
}
