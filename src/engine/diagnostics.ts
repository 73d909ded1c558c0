import { terminalLines, terminalText } from "./escape.ts";
import { formatLocation, type SourceLocation } from "./source.ts";
import { compareText } from "./text.ts";

export type Severity = "error" | "warning";

/** One problem found anywhere in the pipeline. Every stage reports these instead of throwing. */
export interface Diagnostic {
  /** Check id, e.g. `promql/unknown-metric` or `schema/grafana-dashboard`. */
  check: string;
  severity: Severity;
  /** The definition it concerns, e.g. `dashboard phoenix-metrics › panel 12 "Request rate"`. */
  subject: string;
  source: SourceLocation;
  /** What is wrong. */
  message: string;
  /** How to fix it, when we can say. */
  fix?: string;
  /** 1-based position inside a PromQL expression, when the problem is in one. */
  position?: { line: number; column: number };
  /** Set when an `o11y-disable` comment silenced it: the reason given. */
  suppressed?: string;
}

/**
 * One diagnostic as text for a terminal or a log: `file:line severity subject: message (expr l:c) [check]`, then
 * its fix or the reason it is suppressed. Every part that comes from a definition, a file or a tool is shown with
 * its control characters, escape sequences and bidi overrides spelled out (`\x1b`, `\u202e`), and no line can
 * start a GitHub workflow command; a line break in a message or a fix continues on an indented line.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.position ? ` (expr ${d.position.line}:${d.position.column})` : "";
  const severity = d.suppressed === undefined ? d.severity : `suppressed ${d.severity}`;
  const head = `${terminalText(formatLocation(d.source))} ${severity} ${terminalText(d.subject)}: ${indented(d.message, "    ")}${where} [${terminalText(d.check)}]`;
  if (d.suppressed !== undefined) return `${head}\n    suppressed: ${terminalText(d.suppressed)}`;
  return d.fix ? `${head}\n    fix: ${indented(d.fix, "         ")}` : head;
}

/** Text whose line breaks continue on lines indented by `indent`, each line escaped. */
function indented(text: string, indent: string): string {
  return terminalLines(text).join(`\n${indent}`);
}

/** Stable order so that output is the same whatever order checks ran in. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      compareText(a.source.file, b.source.file) ||
      a.source.line - b.source.line ||
      compareText(a.check, b.check) ||
      compareText(a.message, b.message),
  );
}

export function hasErrors(list: Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error" && d.suppressed === undefined);
}
