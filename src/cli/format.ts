import type { Diagnostic } from "../engine/diagnostics.ts";
import { formatDiagnostic } from "../engine/diagnostics.ts";
import {
  githubCommandData,
  githubCommandProperty,
  jsonForTerminal,
  spellHidden,
  terminalLines,
  terminalText,
} from "../engine/escape.ts";

export type OutputFormat = "text" | "json" | "github";

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
  return `::${level} file=${property(d.source.file)},line=${line},title=${property(d.check)}::${githubCommandData(lines.join("\n"))}`;
}

/**
 * The report in each format. No line of any of them can start a workflow command but the ones `github` writes:
 * text escapes every part (see formatDiagnostic), JSON's lines start with its own punctuation and its strings
 * escape what a terminal would act on.
 */
export function formatReport(diagnostics: Diagnostic[], format: OutputFormat, color: boolean): string {
  if (format === "json") return `${jsonForTerminal(JSON.stringify({ diagnostics }, null, 2))}\n`;
  if (format === "github") return diagnostics.map((d) => `${github(d)}\n`).join("");
  return diagnostics.map((d) => `${text(d, color)}\n`).join("");
}

/** A `note:` line: what the user should know that is not a problem, escaped like a diagnostic. */
export function formatNote(note: string): string {
  return `note: ${terminalLines(note).join("\n    ")}`;
}

export function summaryLine(diagnostics: Diagnostic[]): string {
  const count = (predicate: (d: Diagnostic) => boolean) => diagnostics.filter(predicate).length;
  const errors = count((d) => d.severity === "error" && d.suppressed === undefined);
  const warnings = count((d) => d.severity === "warning" && d.suppressed === undefined);
  const suppressed = count((d) => d.suppressed !== undefined);
  return `${errors} error(s), ${warnings} warning(s)${suppressed ? `, ${suppressed} suppressed` : ""}`;
}
