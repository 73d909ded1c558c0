/**
 * The entry of the watch's engine bundle (see bundles.ts): what one build of `o11y build --watch` or
 * `o11y check --watch` runs once the definitions are evaluated, with the very engine modules they were evaluated
 * against. It does what `build` and `check` do after loading the project, and only prints diagnostics: the summary
 * line is the watch's.
 */
import path from "node:path";
import { takeInterpolatedThresholds } from "../../engine/define/alerting.ts";
import { loadedProject, type ProjectDefinition } from "../../engine/define/project.ts";
import { takeUnknownMembers } from "../../engine/define/validate.ts";
import { hasErrors } from "../../engine/diagnostics.ts";
import { keepParses } from "../../engine/promql/parse.ts";
import { forgetSourceTexts } from "../../engine/query-source.ts";
import { projectRoot, toProjectPath } from "../../engine/source.ts";
import type { ToolsMode } from "../../engine/validate/tools/index.ts";
import { buildProject } from "../build.ts";
import { checkProject, reportable } from "../check.ts";
import { formatNote, formatReport, summaryLine, useColor } from "../format.ts";

export interface RunOptions {
  kind: "build" | "check";
  /** The project module, relative to the project root (as `--project` gives it). */
  project: string;
  out: string;
  tools: ToolsMode;
  /** Aborted on Ctrl-C: a build in progress discards what it staged. */
  signal: AbortSignal;
}

export interface RunOutcome {
  /** 0: built or clean; 1: errors; 2: the output folder is refused; 130: interrupted. */
  code: number;
  summary: string;
  /** The runbook whose alert table a build keeps (absolute), with its text as the build left it. */
  runbook?: { file: string; text: string };
  /** Ends once the tree the build replaced is removed: the next build waits for it. */
  retired?: Promise<void>;
}

const note = (text: string) => process.stderr.write(`${formatNote(text)}\n`);

// Builds follow each other in this process: an expression whose text did not change is not parsed again.
keepParses();

/**
 * Before the definitions are evaluated again: what the engine keeps between two definitions (thresholds written
 * into PromQL, unknown catalog members read) is dropped, in case the previous evaluation stopped half-way, and the
 * source texts that place queries' problems are read again.
 */
export function beforeEvaluation(): void {
  takeInterpolatedThresholds();
  takeUnknownMembers();
  forgetSourceTexts();
}

/** The build (or check) of the evaluated project module's `project`. */
export async function runOnce(module: { project?: unknown }, options: RunOptions): Promise<RunOutcome> {
  const file = toProjectPath(path.resolve(projectRoot, options.project));
  if (typeof module.project !== "object" || module.project === null)
    return {
      code: 2,
      summary: `--project ${options.project} does not export \`project\`: export the ProjectDefinition as \`export const project = ...\``,
    };
  // The type check runs beside the watch (typecheckSources), not before each build.
  const project = loadedProject(module.project as ProjectDefinition, { file, line: 1 }, []);
  if (options.kind === "build") {
    const outcome = await buildProject(project, {
      out: options.out,
      tools: options.tools,
      signal: options.signal,
      retireLater: true,
    });
    const summary = outcome.runbookUpdated
      ? `${outcome.summary}; updated the alert table in ${toProjectPath(outcome.runbook!.file)}`
      : outcome.summary;
    return {
      code: outcome.code,
      summary,
      ...(outcome.runbook ? { runbook: outcome.runbook } : {}),
      ...(outcome.retired ? { retired: outcome.retired } : {}),
    };
  }
  const diagnostics = reportable(await checkProject(project, options.tools, note));
  if (options.signal.aborted) return { code: 130, summary: "check interrupted" };
  process.stdout.write(formatReport(diagnostics, "text", useColor(process.stdout)));
  return { code: hasErrors(diagnostics) ? 1 : 0, summary: `check: ${summaryLine(diagnostics)}` };
}
