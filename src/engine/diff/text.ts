/**
 * A diff report as plain text for a terminal (`o11y diff --format text`): the same sections as the Markdown
 * comment, as indented lines. Every string the pull request controls is shown escaped as on a terminal
 * (escape.ts): control characters spelt out, no line that the Actions runner would read as a workflow command.
 */
import { formatDiagnostic } from "../diagnostics.ts";
import { terminalText } from "../escape.ts";
import type { Change } from "./compare.ts";
import type { DiffReport, Entry, RuleEntry } from "./diff.ts";
import { describeDelivery, isEmpty } from "./diff.ts";
import { arrow, firstNoticeCell, groupCell, movedSummary, repeatCell, summary } from "./render.ts";

const show = (text: string | undefined) => terminalText(text ?? "");

/** One field's change, then the expression's line diff below it, if it has one. */
function changeLines(change: Change, indent: string): string[] {
  const field = `${change.field}${change.direction ? ` (${change.direction})` : ""}`;
  if (change.lines)
    return [`${indent}${show(field)}:`, ...change.lines.map((l) => `${indent}  ${l.op} ${show(l.line)}`)];
  if (change.before === undefined) return [`${indent}${show(field)}: ${show(change.after)}`];
  if (change.after === undefined) return [`${indent}${show(field)}: ${show(change.before)} (removed)`];
  return [`${indent}${show(field)}: ${show(change.before)} → ${show(change.after)}`];
}

function entryLines(name: string, entry: Entry, indent = "  "): string[] {
  const renamed = entry.previousKey !== undefined ? ` (was ${show(entry.previousKey)})` : "";
  return [
    `${indent}${name}${renamed}: ${entry.status}`,
    ...entry.changes.flatMap((c) => changeLines(c, `${indent}  `)),
  ];
}

function dependentLines(rule: RuleEntry): string[] {
  const output = [
    rule.output?.windows
      ? `window ${rule.output.windows.before.join(", ") || "none"} → ${rule.output.windows.after.join(", ") || "none"}`
      : "",
    rule.output?.labels?.dropped.length ? `labels dropped: ${rule.output.labels.dropped.join(", ")}` : "",
    rule.output?.labels?.added.length ? `labels added: ${rule.output.labels.added.join(", ")}` : "",
  ].filter(Boolean);
  if (!output.length && !rule.dependents.length) return [];
  return [
    `    what it writes: ${show(output.join("; ") || "the same windows and labels")}; read by ${rule.dependents.length}`,
    ...rule.dependents.map((d) => {
      const via = d.via.length ? ` (through ${d.via.join(" › ")})` : "";
      const labels = [
        d.labelsDropped?.length ? `drops ${d.labelsDropped.join(", ")}` : "",
        d.labelsAdded?.length ? `gains ${d.labelsAdded.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join(", ");
      const uses = d.uses?.length ? `: ${d.uses.join("; ")}` : "";
      return `      ${show(`${d.subject}${via}${labels ? ` — ${labels}` : ""}${uses}`)}`;
    }),
  ];
}

function section(title: string, lines: string[]): string[] {
  return lines.length ? ["", `${title}:`, ...lines] : [];
}

export function renderText(report: DiffReport): string {
  const head = summary({ ...report, base: show(report.base), head: show(report.head) }).replace(/\*\*/g, "");
  if (isEmpty(report)) return `${head}\n`;
  const lines = [head];
  lines.push(
    ...section(
      "Needs attention",
      report.attention.map((f) => `  [${f.id}] ${show(f.subject)}: ${show(f.message)}`),
    ),
  );
  const routing = report.routing.alerts.flatMap((a) => {
    const status = a.status === "added" || a.status === "removed" ? ` (${a.status})` : "";
    const receiver = (d: typeof a.before) => d && describeDelivery(d);
    const parts = [
      `receiver ${arrow(receiver(a.before), receiver(a.after))}`,
      `pages ${arrow(a.before?.pages, a.after?.pages)}`,
      `first notice ${arrow(firstNoticeCell(a.before), firstNoticeCell(a.after))}`,
      `repeat ${arrow(repeatCell(a.before), repeatCell(a.after))}`,
      `group by ${arrow(groupCell(a.before), groupCell(a.after))}`,
    ];
    const inhibition = a.changed.includes("inhibition")
      ? [
          `    inhibition: ${show((a.before?.inhibitedBy ?? []).join("; ") || "none")} → ${show((a.after?.inhibitedBy ?? []).join("; ") || "none")}`,
        ]
      : [];
    return [`  alert ${show(a.alert)}${status}: ${show(parts.join("; "))}`, ...inhibition];
  });
  const alertmanager = report.routing.changes.flatMap((c) => changeLines(c, "    "));
  lines.push(
    ...section("Routing and time to first notice", [
      ...routing,
      ...(alertmanager.length ? ["  Alertmanager configuration:", ...alertmanager] : []),
    ]),
  );
  lines.push(
    ...section(
      "Alerts",
      report.alerts.flatMap((a) => entryLines(`alert ${show(a.key)}`, a)),
    ),
  );
  lines.push(
    ...section(
      "Recording rules",
      report.recordingRules.flatMap((r) => [...entryLines(show(r.key), r), ...dependentLines(r)]),
    ),
  );
  lines.push(
    ...section(
      "Dashboards",
      report.dashboards.flatMap((d) => {
        const name = `${show(d.key)}${d.title ? ` ${show(d.title)}` : ""}`;
        const own = d.status !== "changed" || d.changes.length ? entryLines(name, d) : [];
        const panels = d.panels.flatMap((p) => {
          const opened = p.openedBy?.length ? ` (opened by ${p.openedBy.join(", ")})` : "";
          return entryLines(
            `${show(d.key)} › panel ${show(p.key)} ${show(`"${p.title ?? ""}"${opened}`)}`,
            p,
          );
        });
        const moved = d.moved.length ? [`  ${show(d.key)} layout only: ${show(movedSummary(d))}`] : [];
        return [...own, ...panels, ...moved];
      }),
    ),
  );
  const pictures = report.pictures;
  lines.push(
    ...section(
      `Pictures (in ${show(pictures?.link ?? pictures?.folder)})`,
      (pictures?.dashboards ?? []).map(
        (d) => `  ${show(d.uid)}: before ${show(d.before ?? "none")}, after ${show(d.after ?? "none")}`,
      ),
    ),
  );
  lines.push(
    ...section(
      "New check findings",
      report.findings.flatMap((f) =>
        formatDiagnostic(f)
          .split("\n")
          .map((l) => `  ${l}`),
      ),
    ),
  );
  lines.push(
    ...section(
      "Other files",
      report.files.flatMap((f) => entryLines(show(f.key), f)),
    ),
  );
  return `${lines.join("\n")}\n`;
}
