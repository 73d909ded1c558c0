/**
 * The runbook's generated alert table: whatever an alert's text holds, the table stays one row per alert, and
 * nothing in it can fail a later build; a table broken by an older build or by hand is written anew from the
 * source. The table is judged by a real GitHub-flavoured Markdown renderer.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import type { Model } from "../../src/engine/model.ts";
import { compile } from "../../src/engine/pipeline.ts";
import {
  generatedBlock,
  parseRunbook,
  tableEnd,
  tableStart,
  withAlertTable,
} from "../../src/engine/runbook.ts";
import { spellHidden } from "../../src/engine/escape.ts";
import { project } from "../../src/project.ts";
import type { ProjectDefinition } from "../../src/engine/define/project.ts";
import { variantAlert } from "../helpers/alerts.ts";
import { hostilePieces, randomStrings } from "../escape/random.ts";

const base = compile(project);
const original = base.model.runbook.text;

/** The summary: a pipe, a line break, a playbook heading, the end marker, and markup of every kind. */
const hostileSummary =
  "5xx | high\n### Alert: x\n<!-- o11y:alert-table:end -->\n`code` *bold* <script>alert(1)</script> \u001b[31m\u202e";

/** The project with PhoenixHigh5xxErrorRate's summary replaced, and optionally the runbook's text. */
function projectWith(summary: string | undefined, runbookText?: string): ProjectDefinition {
  const alertGroups = project.alertGroups.map((group) => ({
    ...group,
    rules: group.rules.map((alert) =>
      summary !== undefined && alert.name === "PhoenixHigh5xxErrorRate" ? variantAlert({ summary }) : alert,
    ),
  }));
  return {
    ...project,
    alertGroups,
    runbook: runbookText === undefined ? project.runbook : { ...project.runbook, text: runbookText },
  };
}

/** The generated block's lines (markers included), or a failure naming what is missing. */
function blockOf(text: string): string[] {
  const lines = text.split("\n");
  const block = generatedBlock(lines);
  if (!("start" in block)) throw new Error(`no generated block: ${block.missing}`);
  return lines.slice(block.start, block.end + 1);
}

/** The table as GitHub shows it: each body row's cells, as text. */
function renderedRows(text: string): string[][] {
  const html = micromark(blockOf(text).join("\n"), {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  });
  expect(html).not.toMatch(/<(h\d|script|!--|pre|blockquote|ul|ol)\b/);
  const body = html.slice(html.indexOf("<tbody>"));
  const cell = (inner: string) =>
    inner
      .replace(/<[^>]*>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&")
      .trim();
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => cell(m[1]!)),
  );
}

/** The model with the first alert's summary replaced, as a build from such a source would see it. */
function withSummary(model: Model, summary: string): Model {
  const [first, ...rest] = model.alerts;
  return { ...model, alerts: [{ ...first!, annotations: { ...first!.annotations, summary } }, ...rest] };
}

const shownOnOneLine = (text: string) =>
  spellHidden(text.replace(/\r\n|[\n\r\u0085\u2028\u2029]/g, " ")).trim();

describe("the generated alert table", () => {
  it("keeps the issue's summary in its one cell, and the next build from the reverted source restores the runbook", () => {
    const hostile = compile(projectWith(hostileSummary));
    expect(hostile.diagnostics).toEqual(base.diagnostics);
    expect(hostile.ok).toBe(true);
    const written = hostile.runbook.content;

    const rows = renderedRows(written);
    expect(rows).toHaveLength(hostile.model.alerts.length);
    for (const row of rows) expect(row).toHaveLength(6);
    const row = rows.find((r) => r[0] === "PhoenixHigh5xxErrorRate")!;
    expect(row[1]).toBe(shownOnOneLine(hostileSummary));
    // The table brings no heading: the runbook's playbooks are the same.
    expect(parseRunbook("RUNBOOK.md", written).sections).toEqual(base.model.runbook.sections);
    expect(written.split("\n").filter((line) => line.trim() === tableEnd)).toHaveLength(1);

    // The same source builds again from what it wrote; the reverted source builds and restores the runbook byte for byte.
    const again = compile(projectWith(hostileSummary, written));
    expect(again.ok).toBe(true);
    expect(again.runbook.content).toBe(written);
    const reverted = compile(projectWith(undefined, written));
    expect(reverted.diagnostics).toEqual(base.diagnostics);
    expect(reverted.runbook.content).toBe(original);
  });

  it("mends a table an older build broke (a heading and an end marker written inside it), from the source alone", () => {
    // What the build wrote from the summary before summaries were escaped: the row split over lines, a
    // playbook heading and the end marker among them, and the rest of the row after.
    const lines = original.split("\n");
    const row = lines.findIndex((line) => line.startsWith("| [PhoenixHigh5xxErrorRate]"));
    expect(row).toBeGreaterThan(0);
    const broken = [
      ...lines.slice(0, row),
      "| [PhoenixHigh5xxErrorRate](#alert-high-5xx-error-rate) | 5xx | high",
      "### Alert: x",
      tableEnd,
      "`code` *bold* <script>alert(1)</script> | `> 5%` | 5m | critical |",
      ...lines.slice(row + 1),
    ].join("\n");
    expect(parseRunbook("RUNBOOK.md", broken).sections.map((s) => s.heading)).not.toContain("Alert: x");

    const result = compile(projectWith(undefined, broken));
    expect(result.diagnostics).toEqual(base.diagnostics);
    expect(result.ok).toBe(true);
    expect(result.runbook.content).toBe(original);
  });

  it("does not count a heading that a hand edit put inside the table as a playbook", () => {
    const edited = original.replace(tableStart, `${tableStart}\n### Alert: Not A Playbook\n## Another`);
    expect(parseRunbook("RUNBOOK.md", edited).sections).toEqual(base.model.runbook.sections);
    const result = compile(projectWith(undefined, edited));
    expect(result.ok).toBe(true);
    expect(result.runbook.content).toBe(original);
  });

  it("takes no marker quoted in a code block for one, before the table or after it", () => {
    const example = ["```markdown", tableStart, "| quoted | table |", tableEnd, "```"].join("\n");
    const quoted = `${example}\n\n${original}\n${example}\n`;
    const result = compile(projectWith(undefined, quoted));
    expect(result.ok).toBe(true);
    expect(result.runbook.content).toBe(quoted);
    const stale = quoted.replace(/\| \[PhoenixHigh5xxErrorRate\].*\n/, "| stale row |\n");
    expect(stale).not.toBe(quoted);
    expect(compile(projectWith(undefined, stale)).runbook.content).toBe(quoted);
  });

  it("takes a start marker of another wording for one, and writes today's", () => {
    const older = original.replace(tableStart, "<!-- o11y:alert-table:start (generated; do not edit) -->");
    expect(older).not.toBe(original);
    const result = compile(projectWith(undefined, older));
    expect(result.ok).toBe(true);
    expect(result.runbook.content).toBe(original);
  });

  it("keeps CRLF line endings", () => {
    const crlf = original.replace(/\n/g, "\r\n");
    const result = compile(projectWith(undefined, crlf));
    expect(result.ok).toBe(true);
    expect(result.runbook.content).toBe(crlf);
  });

  it("says what is missing when the markers are", () => {
    for (const text of [original.replace(tableStart, ""), original.replace(tableEnd, "")]) {
      const result = compile(projectWith(undefined, text));
      expect(result.ok).toBe(false);
      expect(result.diagnostics.map((d) => [d.check, d.source.file, d.message])).toContainEqual([
        "alerts/runbook",
        "RUNBOOK.md",
        "the alert quick-reference markers are missing",
      ]);
      expect(result.runbook.content).toBe(text);
    }
  });

  it("keeps random hostile summaries in their cell, adds no playbook, and is undone by the next build", () => {
    for (const summary of randomStrings(201, 150, hostilePieces, 40)) {
      const model = withSummary(base.model, summary);
      const written = withAlertTable(model)!;
      const rows = renderedRows(written);
      expect({ summary, cells: rows.map((r) => r.length) }).toEqual({
        summary,
        cells: model.alerts.map(() => 6),
      });
      expect({ summary, shown: rows[0]![1] }).toEqual({ summary, shown: shownOnOneLine(summary) });
      expect({ summary, sections: parseRunbook("RUNBOOK.md", written).sections }).toEqual({
        summary,
        sections: base.model.runbook.sections,
      });
      expect(withAlertTable({ ...base.model, runbook: parseRunbook("RUNBOOK.md", written) })).toBe(original);
    }
  });
});
