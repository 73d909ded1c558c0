import type { Diagnostic } from "../engine/diagnostics.ts";
import { formatDiagnostic } from "../engine/diagnostics.ts";

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

/** GitHub Actions workflow commands: the runner turns them into annotations on the PR's diff. */
function github(d: Diagnostic): string {
  const escape = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (s: string) => escape(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const level = d.suppressed !== undefined ? "notice" : d.severity === "error" ? "error" : "warning";
  // The expression's own line and column are in the message; the file line is where the definition starts.
  const line = d.source.line;
  const where = d.position ? ` (expression line ${d.position.line}, column ${d.position.column})` : "";
  const body = `${d.subject}: ${d.message}${where}${d.fix ? `\nfix: ${d.fix}` : ""}${d.suppressed !== undefined ? `\nsuppressed: ${d.suppressed}` : ""}`;
  return `::${level} file=${property(d.source.file)},line=${line},title=${property(d.check)}::${escape(body)}`;
}

export function formatReport(diagnostics: Diagnostic[], format: OutputFormat, color: boolean): string {
  if (format === "json") return `${JSON.stringify({ diagnostics }, null, 2)}\n`;
  if (format === "github") return diagnostics.map((d) => `${github(d)}\n`).join("");
  return diagnostics.map((d) => `${text(d, color)}\n`).join("");
}

export function summaryLine(diagnostics: Diagnostic[]): string {
  const count = (predicate: (d: Diagnostic) => boolean) => diagnostics.filter(predicate).length;
  const errors = count((d) => d.severity === "error" && d.suppressed === undefined);
  const warnings = count((d) => d.severity === "warning" && d.suppressed === undefined);
  const suppressed = count((d) => d.suppressed !== undefined);
  return `${errors} error(s), ${warnings} warning(s)${suppressed ? `, ${suppressed} suppressed` : ""}`;
}
