/**
 * A diff report as a pull-request comment (Markdown), for machines (JSON), or as GitHub workflow commands
 * (annotations). Every string the pull request controls goes through markdown.ts.
 */
import type { Diagnostic } from "../diagnostics.ts";
import type { SourceLocation } from "../source.ts";
import type { AlertDelivery, DashboardEntry, Delivery, DiffReport, Entry, RuleEntry } from "./diff.ts";
import { describeDelivery, isEmpty } from "./diff.ts";
import { code, escapeText, fencedBlock, withoutWorkflowCommands } from "./markdown.ts";
import { githubCommandData, githubCommandProperty, markdownLinkDestination } from "../escape.ts";

/** A workflow finds its own comment by this, to update it instead of adding another. */
export const commentMarker = "<!-- o11y-diff -->";
/** GitHub rejects a comment body over 65,536 characters. */
export const commentLimit = 65_536;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function counts(entries: Entry[], noun: string): string | undefined {
  if (!entries.length) return undefined;
  const by = (s: Entry["status"]) => entries.filter((e) => e.status === s).length;
  const parts = (["changed", "renamed", "added", "removed"] as const)
    .filter((s) => by(s))
    .map((s) => `${by(s)} ${s}`);
  return `${plural(entries.length, noun)} (${parts.join(", ")})`;
}

function routingCount(report: DiffReport): string | undefined {
  const changed = report.routing.alerts.filter((a) => a.status === "changed").length;
  if (changed) return `routing of ${plural(changed, "alert")}`;
  return report.routing.changes.length ? "Alertmanager routing" : undefined;
}

/** One line; `**` marks the flags in Markdown (dropped for JSON). Names of refs are escaped by the caller. */
export function summary(report: DiffReport): string {
  if (isEmpty(report))
    return `No changes to alerts, recording rules or dashboards between ${report.base} and ${report.head}.`;
  const parts = [
    counts(report.alerts, "alert"),
    routingCount(report),
    counts(report.recordingRules, "recording rule"),
    counts(report.dashboards, "dashboard"),
    counts(report.files, "other file"),
    report.findings.length ? plural(report.findings.length, "new check finding") : undefined,
  ].filter(Boolean);
  const flags = report.attention.length ? `; **${plural(report.attention.length, "flag")} for review**` : "";
  return `${report.base} → ${report.head}: ${parts.join(", ")}${flags}.`;
}

/** The part of a long one-line change that differs, with a little context: the table's summary of an expression diff. */
function excerpt(before: string, after: string, context = 16): [string, string] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  )
    end++;
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
  /** Names it in the heading of its expression diffs (Markdown, escaped). */
  label: string;
  entry: Entry;
}

/** Rows for entries (an added or removed one's fields each on its row); expression changes go below as diff blocks. */
function table(title: string, head: string[], items: Row[], after = ""): string {
  if (!items.length && !after) return "";
  const rows: string[] = [];
  const diffs: string[] = [];
  const line = (cells: string[]) => rows.push(`| ${cells.join(" | ")} |`);
  for (const { lead, label, entry } of items) {
    if (!entry.changes.length) {
      line([...lead, `**${entry.status}**`, "", ""]);
      continue;
    }
    entry.changes.forEach((change, index) => {
      const first = index === 0;
      const [before, after] = change.lines
        ? excerpt(change.before ?? "", change.after ?? "")
        : [change.before, change.after];
      const field = `${first && entry.status !== "changed" ? `**${entry.status}** ` : ""}${escapeText(change.field)}${change.direction ? ` (${change.direction})` : ""}`;
      line([...(first ? lead : lead.map(() => "")), field, code(before), code(after)]);
      if (change.lines)
        diffs.push(
          `${label} › ${escapeText(change.field)}:\n\n${fencedBlock(
            "diff",
            change.lines.map((l) => `${l.op} ${l.line}`),
          )}`,
        );
    });
  }
  const header = `| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|`;
  const body = items.length ? `${header}\n${rows.join("\n")}\n` : "";
  return `### ${title}\n\n${body}${after}${diffs.length ? `\n${diffs.join("\n\n")}\n` : ""}`;
}

// ---------------------------------------------------------------- routing

export const arrow = (before: string | undefined, after: string | undefined) =>
  before === after ? (after ?? "") : `${before ?? "—"} → ${after ?? "—"}`;
const notice = (value: string | undefined) => (value === undefined ? "never" : `~${value}`);

function receiverCell(d: Delivery | undefined): string | undefined {
  return d && escapeText(describeDelivery(d));
}

export function repeatCell(d: Delivery | undefined): string | undefined {
  return d && [...new Set(d.outcomes.flatMap((o) => o.routes.map((r) => r.repeatInterval)))].join(" or ");
}

export function groupCell(d: Delivery | undefined): string | undefined {
  return (
    d &&
    [
      ...new Set(
        d.outcomes.flatMap((o) => o.routes.map((r) => (r.groupBy === "all" ? "..." : r.groupBy.join(", ")))),
      ),
    ].join(" or ")
  );
}

export function firstNoticeCell(d: Delivery | undefined): string | undefined {
  if (!d) return undefined;
  return d.firstPage && d.firstPage !== d.firstNotice
    ? `${notice(d.firstNotice)} (page ${notice(d.firstPage)})`
    : notice(d.firstNotice);
}

function routingSection(report: DiffReport): string {
  const { alerts, changes } = report.routing;
  if (!alerts.length && !changes.length) return "";
  const parts = ["### Routing and time to first notice\n"];
  if (alerts.length) {
    const status = (a: AlertDelivery) =>
      a.status === "added" || a.status === "removed" ? ` **${a.status}**` : "";
    const rows = alerts.map((a) => {
      const cells = [
        `${code(a.alert)}${status(a)}`,
        arrow(receiverCell(a.before), receiverCell(a.after)),
        arrow(a.before?.pages, a.after?.pages),
        arrow(firstNoticeCell(a.before), firstNoticeCell(a.after)),
        arrow(repeatCell(a.before), repeatCell(a.after)),
        escapeText(arrow(groupCell(a.before), groupCell(a.after))),
      ];
      return `| ${cells.join(" | ")} |`;
    });
    parts.push(
      `| alert | receiver | pages | first notice | repeat | group by |\n|---|---|---|---|---|---|\n${rows.join("\n")}\n`,
    );
    const inhibited = alerts.filter((a) => a.changed.includes("inhibition"));
    for (const a of inhibited) {
      parts.push(
        `${code(a.alert)} inhibition: ${escapeText((a.before?.inhibitedBy ?? []).join("; ") || "none")} → ${escapeText((a.after?.inhibitedBy ?? []).join("; ") || "none")}\n`,
      );
    }
    parts.push(
      "First notice: `for` plus the route's `group_wait` (a new group; about one evaluation interval more at worst).\n",
    );
  }
  if (changes.length) {
    const rows = changes.map(
      (c) => `| ${escapeText(c.field)} | ${code(c.before, 300)} | ${code(c.after, 300)} |`,
    );
    parts.push(
      `Alertmanager configuration:\n\n| what | before | after |\n|---|---|---|\n${rows.join("\n")}\n`,
    );
  }
  return parts.join("\n");
}

// ---------------------------------------------------------------- recording rules

function dependentLine(d: RuleEntry["dependents"][number]): string {
  const via = d.via.length ? ` (through ${d.via.map((v) => code(v)).join(" › ")})` : "";
  const labels = [
    d.labelsDropped?.length ? `drops ${d.labelsDropped.map((l) => code(l)).join(", ")}` : "",
    d.labelsAdded?.length ? `gains ${d.labelsAdded.map((l) => code(l)).join(", ")}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const uses = d.uses?.length ? `: ${d.uses.map(escapeText).join("; ")}` : "";
  return `  - ${escapeText(d.subject)}${via}${labels ? ` — ${labels}` : ""}${uses}`;
}

function consequences(rules: RuleEntry[]): string {
  const blocks = rules
    .filter((r) => r.dependents.length || r.output)
    .map((r) => {
      const output = [
        r.output?.windows
          ? `window ${code(r.output.windows.before.join(", ") || "none")} → ${code(r.output.windows.after.join(", ") || "none")}`
          : "",
        r.output?.labels?.dropped.length
          ? `labels dropped: ${r.output.labels.dropped.map((l) => code(l)).join(", ")}`
          : "",
        r.output?.labels?.added.length
          ? `labels added: ${r.output.labels.added.map((l) => code(l)).join(", ")}`
          : "",
      ].filter(Boolean);
      const head = `- ${code(r.key)}${output.length ? `: ${output.join("; ")}` : ""}${r.dependents.length ? `; read by ${plural(r.dependents.length, "dependent")}:` : ""}`;
      return [head, ...r.dependents.map(dependentLine)].join("\n");
    });
  return blocks.length ? `\nWhat reads them, at any depth:\n\n${blocks.join("\n")}\n` : "";
}

// ---------------------------------------------------------------- dashboards

function dashboardRows(dashboards: DashboardEntry[]): Row[] {
  return dashboards.flatMap((d) => {
    const renamed = d.status === "renamed" ? ` (renamed from ${code(d.previousKey)})` : "";
    const name = `${code(d.key)} ${escapeText(d.title ?? "")}${renamed}`.trim();
    // A renamed dashboard's first row is its uid, before and after.
    const entry: Entry =
      d.status === "renamed"
        ? {
            status: "changed",
            key: d.key,
            changes: [{ field: "uid", before: d.previousKey, after: d.key }, ...d.changes],
          }
        : d;
    const own: Row[] =
      d.status !== "changed" || d.changes.length ? [{ lead: [name, ""], label: code(d.key), entry }] : [];
    const panels = d.panels.map((p, i) => {
      const id = p.status === "renamed" ? `${p.key} (was ${p.previousKey})` : p.key;
      const opened = p.openedBy?.length ? `<br>opened by ${p.openedBy.map((a) => code(a)).join(", ")}` : "";
      return {
        lead: [own.length || i ? "" : name, `${escapeText(id)} ${code(p.title)}${opened}`],
        label: `${code(d.key)} › panel ${escapeText(p.key)}`,
        entry: p,
      };
    });
    return [...own, ...panels];
  });
}

/** Panels of one dashboard that only moved, in one line, grouped by how they moved: `3 panels moved (201, 202 down 4)`. */
export function movedSummary(d: DashboardEntry): string {
  const shift = (m: DashboardEntry["moved"][number]) => {
    const read = (s: string) =>
      Object.fromEntries([...s.matchAll(/(\w)=(-?\d+)/g)].map((x) => [x[1]!, Number(x[2])]));
    const [b, a] = [read(m.before), read(m.after)];
    const parts = [
      a.y! !== b.y! ? `${a.y! > b.y! ? "down" : "up"} ${Math.abs(a.y! - b.y!)}` : "",
      a.x! !== b.x! ? `${a.x! > b.x! ? "right" : "left"} ${Math.abs(a.x! - b.x!)}` : "",
      a.w !== b.w || a.h !== b.h ? `resized to w=${a.w} h=${a.h}` : "",
    ];
    return parts.filter(Boolean).join(", ");
  };
  const groups = new Map<string, string[]>();
  for (const m of d.moved) groups.set(shift(m), [...(groups.get(shift(m)) ?? []), m.key]);
  const text = [...groups].map(([how, keys]) => `${keys.join(", ")} ${how}`).join("; ");
  return `${plural(d.moved.length, "panel")} moved (${text})`;
}

/** Panels that only moved, in one line per dashboard. */
function layoutLines(dashboards: DashboardEntry[]): string {
  const lines = dashboards
    .filter((d) => d.moved.length)
    .map((d) => `- ${code(d.key)} layout only: ${escapeText(movedSummary(d))}`);
  return lines.length ? `\n${lines.join("\n")}\n` : "";
}

/** The pictures of the changed dashboards: each linked by its path, or, when they are elsewhere (a CI run), that place. */
function picturesSection(report: DiffReport): string {
  const pictures = report.pictures;
  if (!pictures?.dashboards.length) return "";
  const file = (name: string | undefined) => {
    if (name === undefined) return "—";
    if (pictures.link !== undefined) return code(name);
    const target = `${pictures.folder.replace(/\/+$/, "")}/${name}`;
    return `[${escapeText(name)}](${markdownLinkDestination(target)})`;
  };
  const where =
    pictures.link === undefined
      ? `in ${code(pictures.folder)}`
      : `in [this run's artifacts](${markdownLinkDestination(pictures.link)})`;
  const rows = pictures.dashboards.map(
    (d) => `| ${code(d.uid)} ${escapeText(d.title)} | ${file(d.before)} | ${file(d.after)} |`,
  );
  return `### Pictures\n\nEach changed dashboard before and after, as \`o11y preview\` draws it (the layout), ${where}:\n\n| dashboard | before | after |\n|---|---|---|\n${rows.join("\n")}\n`;
}

// ---------------------------------------------------------------- the comment

function findingRow(f: Diagnostic): string {
  return `| ${f.severity} | ${code(f.check)} | ${escapeText(f.subject)} | ${escapeText(f.message)} |`;
}

export function renderMarkdown(report: DiffReport, limit = commentLimit): string {
  const labelled = { ...report, base: escapeText(report.base), head: escapeText(report.head) };
  if (isEmpty(report)) return withoutWorkflowCommands(`${commentMarker} ${summary(labelled)}\n`);
  const parts = [`${commentMarker}\n## o11y diff\n\n${summary(labelled)}\n`];
  if (report.attention.length) {
    parts.push(
      `### Needs attention\n\n${report.attention.map((f) => `- **\`${f.id}\`** ${escapeText(f.subject)}: ${escapeText(f.message)}`).join("\n")}\n`,
    );
  }
  parts.push(routingSection(report));
  parts.push(
    table(
      "Alerts",
      ["alert", "change", "before", "after"],
      report.alerts.map((a) => ({ lead: [code(a.key)], label: code(a.key), entry: a })),
    ),
  );
  const rules = report.recordingRules.map((r) => ({ lead: [code(r.key)], label: code(r.key), entry: r }));
  parts.push(
    table(
      "Recording rules",
      ["series", "change", "before", "after"],
      rules,
      consequences(report.recordingRules),
    ),
  );
  const dashboards = dashboardRows(report.dashboards);
  parts.push(
    table(
      "Dashboards",
      ["dashboard", "panel", "change", "before", "after"],
      dashboards,
      layoutLines(report.dashboards),
    ),
  );
  parts.push(picturesSection(report));
  if (report.findings.length) {
    parts.push(
      `### New check findings\n\n| severity | check | subject | message |\n|---|---|---|---|\n${report.findings.map(findingRow).join("\n")}\n`,
    );
  }
  if (report.files.length) {
    const rows = report.files.flatMap((f) =>
      f.changes.length
        ? f.changes.map(
            (c, i) =>
              `| ${i ? "" : code(f.key)} | ${escapeText(c.field)} | ${code(c.before, 300)} | ${code(c.after, 300)} |`,
          )
        : [`| ${code(f.key)} | **${f.status}** | | |`],
    );
    parts.push(
      `### Other files\n\n| file | change | before | after |\n|---|---|---|---|\n${rows.join("\n")}\n`,
    );
  }
  return withoutWorkflowCommands(truncate(parts.filter(Boolean).join("\n"), limit));
}

/** Cut at a line under the limit, close an open code block, and say so. */
export function truncate(markdown: string, limit = commentLimit): string {
  if (markdown.length <= limit) return markdown;
  const note = `\n\n**Truncated:** this comment shows the first part of the report only; run \`node bin/o11y.js diff --format json\` for all of it.\n`;
  const room = limit - note.length - 16;
  const line = markdown.lastIndexOf("\n", room);
  let cut = markdown.slice(0, line > 0 ? line : room);
  const fences = [...cut.matchAll(/^(`{3,})/gm)];
  // Fences open and close in pairs; an odd count leaves the last one open.
  if (fences.length % 2 === 1) cut += `\n${fences.at(-1)![1]}`;
  return `${cut}${note}`;
}

export function renderJson(report: DiffReport): string {
  return `${JSON.stringify({ summary: summary(report).replace(/\*\*/g, ""), ...report }, null, 2)}\n`;
}

/**
 * GitHub Actions workflow commands: each flag a warning annotation (at the definition's file and line, when
 * the head has it), each new check finding at its own, and the summary as a notice.
 */
export function renderGithub(report: DiffReport, sources: Map<string, SourceLocation> = new Map()): string {
  const where = (source: SourceLocation | undefined) =>
    source ? `file=${githubCommandProperty(source.file)},line=${source.line},` : "";
  const lines = report.attention.map(
    (f) =>
      `::warning ${where(sources.get(f.subject))}title=${githubCommandProperty(`o11y diff: ${f.id}`)}::${githubCommandData(`${f.subject}: ${f.message}`)}`,
  );
  for (const d of report.findings) {
    const level = d.severity === "error" ? "error" : "warning";
    lines.push(
      `::${level} ${where(d.source)}title=${githubCommandProperty(d.check)}::${githubCommandData(`${d.subject}: ${d.message}${d.fix ? `\nfix: ${d.fix}` : ""}`)}`,
    );
  }
  lines.push(`::notice title=o11y diff::${githubCommandData(summary(report).replace(/\*\*/g, ""))}`);
  return `${lines.join("\n")}\n`;
}
