/** A diff report as a pull-request comment (Markdown) or for machines (JSON). */
import type { Change, DiffReport, Entry } from "./diff.ts";
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

function summaryOf(changes: Change[], side: "before" | "after"): string {
  return changes.map((c) => `${c.field} ${c[side] ?? ""}`.trim()).join(", ");
}

interface Section {
  title: string;
  head: string[];
  entries: Array<Entry & { prefix?: string[]; extra?: string }>;
}

/** Rows for entries; expression changes go below the table as diff blocks. */
function table(section: Section): string {
  if (!section.entries.length) return "";
  const rows: string[] = [];
  const diffs: string[] = [];
  const line = (cells: string[]) => rows.push(`| ${cells.join(" | ")} |`);
  for (const entry of section.entries) {
    const name = [...(entry.prefix ?? []), cell(entry.key) + (entry.title !== undefined && !entry.prefix ? ` ${cell(entry.title)}` : "")];
    const extra = entry.extra === undefined ? [] : [entry.extra];
    if (entry.status !== "changed") {
      const side = entry.status === "added" ? "after" : "before";
      const details = cell(summaryOf(entry.changes, side), 300);
      line([...name, `**${entry.status}**`, side === "before" ? details : "", side === "after" ? details : "", ...extra]);
      continue;
    }
    entry.changes.forEach((change, index) => {
      const first = index === 0;
      const lead = first ? name : name.map(() => "");
      const before = change.lines ? "(diff below)" : cell(change.before);
      line([...lead, change.field, before, change.lines ? "" : cell(change.after), ...(first ? extra : extra.map(() => ""))]);
      if (change.lines) {
        const body = change.lines.map((l) => `${l.op} ${l.line}`).join("\n");
        diffs.push(`${[...(entry.prefix ?? []), cell(entry.key)].filter(Boolean).join(" › ")} › ${change.field}:\n\n\`\`\`diff\n${body}\n\`\`\``);
      }
    });
  }
  const header = `| ${section.head.join(" | ")} |\n|${section.head.map(() => "---").join("|")}|`;
  return `### ${section.title}\n\n${header}\n${rows.join("\n")}\n${diffs.length ? `\n${diffs.join("\n\n")}\n` : ""}`;
}

export function renderMarkdown(report: DiffReport, limit = commentLimit): string {
  if (isEmpty(report)) return `${commentMarker} ${summary(report)}\n`;
  const parts = [`${commentMarker}\n## o11y diff\n\n${summary(report)}\n`];
  if (report.attention.length) {
    parts.push(`### Needs attention\n\n${report.attention.map((f) => `- **\`${f.id}\`** ${f.subject}: ${f.message}`).join("\n")}\n`);
  }
  parts.push(table({ title: "Alerts", head: ["alert", "change", "before", "after"], entries: report.alerts }));
  parts.push(
    table({
      title: "Recording rules",
      head: ["series", "change", "before", "after", "used by"],
      entries: report.recordingRules.map((r) => ({ ...r, extra: r.dependents.join("<br>") })),
    }),
  );
  parts.push(
    table({
      title: "Dashboards",
      head: ["dashboard", "panel", "change", "before", "after"],
      entries: report.dashboards.flatMap((d) => [
        ...(d.status !== "changed" || d.changes.length ? [{ ...d, key: d.key, prefix: [cell(d.key)], title: undefined }].map((e) => ({ ...e, key: "" })) : []),
        ...d.panels.map((p) => ({ ...p, key: `${p.key} ${p.title ?? ""}`.trim(), title: undefined, prefix: [cell(d.key)] })),
      ]),
    }),
  );
  if (report.findings.length) {
    const rows = report.findings.map((f) => `| ${f.severity} | ${cell(f.check)} | ${f.subject.replace(/\|/g, "\\|")} | ${f.message.replace(/\|/g, "\\|")} |`);
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
  let cut = markdown.slice(0, markdown.lastIndexOf("\n", limit - note.length - 8));
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += "\n```";
  return `${cut}${note}`;
}

export function renderJson(report: DiffReport): string {
  return `${JSON.stringify({ summary: summary(report).replace(/\*\*/g, ""), ...report }, null, 2)}\n`;
}
