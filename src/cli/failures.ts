/**
 * What the CLI prints instead of a stack: a project that cannot be evaluated, as diagnostics in the command's
 * own format; anything else, which is a bug in o11y, as one line that says so.
 */
import { sortDiagnostics, type Diagnostic } from "../engine/diagnostics.ts";
import { formatReport, useColor, writeSummary, type OutputFormat } from "./format.ts";

/** The command that is running, and how it prints. */
export interface RunningCommand {
  name: "build" | "check" | "diff" | "import" | "preview" | undefined;
  format?: OutputFormat;
  out?: string;
}

/** A project module that could not be evaluated: its diagnostics, as the command prints diagnostics; exit 1 (2 for diff). */
export function reportLoadFailure(
  diagnostics: Diagnostic[],
  running: RunningCommand,
  thrown?: unknown,
): number {
  if (process.env.O11Y_DEBUG === "1" && thrown instanceof Error && thrown.stack)
    process.stderr.write(`${thrown.stack}\n\n`);
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === "error").length;
  if (running.name === "check" && running.format !== undefined) {
    process.stdout.write(formatReport(sorted, running.format, useColor(process.stdout)));
    writeSummary(sorted, running.format, "check");
    return 1;
  }
  process.stderr.write(formatReport(sorted, "text", useColor(process.stderr)));
  if (running.name === "diff") {
    process.stderr.write(
      `o11y diff: the working tree does not build (${errors} error(s)): run \`node bin/o11y.js check\`\n`,
    );
    return 2;
  }
  if (running.name === "build")
    process.stderr.write(
      `\nbuild failed: ${errors} error(s); nothing was written and ${running.out ?? "build"}/ is unchanged.\n`,
    );
  return 1;
}

/** An error in o11y itself: one line and a hint; the stack only with O11Y_DEBUG=1. */
export function reportInternalError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`o11y: internal error: ${message.split("\n")[0]}\n`);
  if (process.env.O11Y_DEBUG === "1" && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  else
    process.stderr.write(
      "    this is a bug in o11y, not in your definitions: please report it with the command you ran (O11Y_DEBUG=1 prints the stack).\n",
    );
  return 1;
}
