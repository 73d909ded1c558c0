import type { Diagnostic } from "../engine/diagnostics.ts";
import { code, escapeText, withoutWorkflowCommands } from "../engine/diff/markdown.ts";
import { formatLocation } from "../engine/source.ts";
import { formatDiagnostic } from "../engine/diagnostics.ts";
import {
  githubCommandData,
  githubCommandProperty,
  jsonForTerminal,
  spellHidden,
  terminalLines,
  terminalText,
} from "../engine/escape.ts";

/**
 * What `--format` takes, the same for `check` and `diff`: text for a terminal, Markdown for a pull-request comment,
 * JSON for machines, github for GitHub Actions (an annotation per finding, then a notice with the summary).
 */
export const outputFormats = ["text", "markdown", "json", "github"] as const;
export type OutputFormat = (typeof outputFormats)[number];

const colors = { error: "\u001b[31m", warning: "\u001b[33m", dim: "\u001b[2m", reset: "\u001b[0m" };

/** Color only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
}

function text(d: Diagnostic, color: boolean): string {
  const line = formatDiagnostic(d);
  if (!color) return line;
  const tint = d.suppressed !== undefined ? colors.dim : colors[d.severity];
  return `${tint}${line.replace(/\n/g, `${colors.reset}\n${colors.dim}`)}${colors.reset}`;
}

/**
 * GitHub Actions workflow commands: the runner turns them into annotations on the PR's diff. Properties and
 * message are escaped as the runner decodes them, so each diagnostic is exactly one command line; the message's
 * own text is escaped as on a terminal (the runner writes it to the log).
 */
function github(d: Diagnostic): string {
  const level = d.suppressed !== undefined ? "notice" : d.severity === "error" ? "error" : "warning";
  // The expression's own line and column are in the message; the file line is where the definition starts.
  const line = d.source.line;
  const where = d.position ? ` (expression line ${d.position.line}, column ${d.position.column})` : "";
  const lines = [
    `${terminalText(d.subject)}: ${terminalLines(d.message).join("\n")}${where}`,
    ...(d.suppressed !== undefined
      ? [`suppressed: ${terminalText(d.suppressed)}`]
      : d.fix
        ? [`fix: ${terminalLines(d.fix).join("\n")}`]
        : []),
  ];
  const property = (text: string) => githubCommandProperty(spellHidden(text));
  const column = d.source.column === undefined ? "" : `,col=${d.source.column}`;
  return `::${level} file=${property(d.source.file)},line=${line}${column},title=${property(d.check)}::${githubCommandData(lines.join("\n"))}`;
}

/** A Markdown report for a pull-request comment: the summary, then one row per diagnostic, every string escaped. */
function markdown(diagnostics: Diagnostic[]): string {
  const head = `## o11y check\n\n${summaryLine(diagnostics)}\n`;
  if (!diagnostics.length) return head;
  const rows = diagnostics.map((d) => {
    const severity = d.suppressed === undefined ? d.severity : `suppressed ${d.severity}`;
    const where = d.position ? ` (expr ${d.position.line}:${d.position.column})` : "";
    const note =
      d.suppressed !== undefined
        ? `<br>suppressed: ${escapeText(d.suppressed)}`
        : d.fix
          ? `<br>fix: ${escapeText(d.fix)}`
          : "";
    return `| ${severity} | ${code(formatLocation(d.source))} | ${escapeText(d.subject)} | ${escapeText(d.message)}${escapeText(where)}${note} | ${code(d.check)} |`;
  });
  return withoutWorkflowCommands(
    `${head}\n| severity | where | subject | message | check |\n|---|---|---|---|---|\n${rows.join("\n")}\n`,
  );
}

/**
 * The report in each format. No line of any of them can start a workflow command but the ones `github` writes:
 * text escapes every part (see formatDiagnostic), JSON's lines start with its own punctuation and its strings
 * escape what a terminal would act on.
 */
export function formatReport(diagnostics: Diagnostic[], format: OutputFormat, color: boolean): string {
  if (format === "json") return `${jsonForTerminal(JSON.stringify({ diagnostics }, null, 2))}\n`;
  if (format === "github") return diagnostics.map((d) => `${github(d)}\n`).join("");
  if (format === "markdown") return markdown(diagnostics);
  return diagnostics.map((d) => `${text(d, color)}\n`).join("");
}

/** A `note:` line: what the user should know that is not a problem, escaped like a diagnostic. */
export function formatNote(note: string): string {
  return `note: ${terminalLines(note).join("\n    ")}`;
}

/**
 * What a command prints after its report: in github format the summary as a notice (as `o11y diff` does), in text
 * the summary line on stderr; the other formats carry it themselves (Markdown) or need none (JSON).
 */
export function writeSummary(diagnostics: Diagnostic[], format: OutputFormat, command: string): void {
  if (format === "github")
    process.stdout.write(`::notice title=o11y ${command}::${githubCommandData(summaryLine(diagnostics))}\n`);
  else if (format === "text") process.stderr.write(`${summaryLine(diagnostics)}\n`);
}

export function summaryLine(diagnostics: Diagnostic[]): string {
  const count = (predicate: (d: Diagnostic) => boolean) => diagnostics.filter(predicate).length;
  const errors = count((d) => d.severity === "error" && d.suppressed === undefined);
  const warnings = count((d) => d.severity === "warning" && d.suppressed === undefined);
  const suppressed = count((d) => d.suppressed !== undefined);
  return `${errors} error(s), ${warnings} warning(s)${suppressed ? `, ${suppressed} suppressed` : ""}`;
}
