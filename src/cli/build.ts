import { readFileSync } from "node:fs";
import path from "node:path";
import { formatDiagnostic, sortDiagnostics } from "../engine/diagnostics.ts";
import {
  ArtifactPathError,
  OutFolderRefused,
  replaceFile,
  stage,
  type StagedBuild,
} from "../engine/emit/emit.ts";
import { refuseOutFolder } from "../engine/emit/out-folder.ts";
import { recoverFolder } from "../engine/emit/swap.ts";
import { compile } from "../engine/pipeline.ts";
import { projectRoot } from "../engine/source.ts";
import type { TypecheckMode } from "../engine/typecheck/typecheck.ts";
import { judgeWithTools, type ToolsMode } from "../engine/validate/tools/index.ts";
import { formatNote } from "./format.ts";
import { loadProject } from "./load-project.ts";

export interface BuildOptions {
  out: string;
  project: string;
  /** Default auto. */
  tools?: ToolsMode;
  /** Default on. */
  typecheck?: TypecheckMode;
}

/**
 * compile, then write the files beside build/ and let promtool and amtool judge them there; only a build they
 * accept replaces build/.
 */
export async function buildCommand(options: BuildOptions): Promise<number> {
  const out = path.resolve(projectRoot, options.out);
  const note = (text: string) => process.stderr.write(`${formatNote(text)}\n`);
  // A build of this folder killed earlier is finished or undone first (the default folder's, main did).
  recoverFolder(path.dirname(out), note);
  const sources = [path.join(projectRoot, "src"), path.dirname(path.resolve(projectRoot, options.project))];
  const refused = refuseOutFolder(options.out, projectRoot, sources);
  if (refused) return refuse(refused);
  const project = await loadProject(options.project, { typecheck: options.typecheck ?? "on" });
  const result = compile(project);
  const failed = (diagnostics: typeof result.diagnostics) => {
    const errors = diagnostics.filter((d) => d.severity === "error" && d.suppressed === undefined).length;
    process.stderr.write(
      `\nbuild failed: ${errors} error(s); nothing was written and ${options.out}/ is unchanged.\n`,
    );
    return 1;
  };
  for (const diagnostic of result.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  if (!result.ok) return failed(result.diagnostics);

  const cannotWrite = (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `\nbuild failed: cannot write ${options.out}/ (${reason}). Pass --out a folder whose parent is writable; ${options.out}/ is unchanged.\n`,
    );
    return 1;
  };
  let staged: StagedBuild;
  try {
    staged = stage(out, result.artifacts, { recordIn: projectRoot, note });
  } catch (error) {
    if (!(error instanceof ArtifactPathError)) return cannotWrite(error);
    for (const diagnostic of sortDiagnostics(error.diagnostics))
      process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    return failed(error.diagnostics);
  }
  // To disk while the tools judge the files: a power cut after the swap must not find them empty.
  const flushed = staged.flush();
  flushed.catch(() => {});
  // Interrupted while the tools run: the staged copy goes, then the signal does what it would have done.
  const interrupted = (signal: NodeJS.Signals) => {
    staged.discard();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  const verdict = await judgeWithTools(staged.dir, result.artifacts, options.tools ?? "auto")
    .catch((error: unknown) => {
      staged.discard();
      throw error;
    })
    .finally(() => process.off("SIGINT", interrupted).off("SIGTERM", interrupted));
  for (const note of verdict.notes) process.stderr.write(`${formatNote(note)}\n`);
  if (verdict.diagnostics.length > 0) {
    staged.discard();
    for (const diagnostic of sortDiagnostics(verdict.diagnostics))
      process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    return failed(verdict.diagnostics);
  }
  try {
    await flushed;
  } catch (error) {
    staged.discard();
    return cannotWrite(error);
  }
  try {
    staged.commit();
  } catch (error) {
    if (error instanceof OutFolderRefused) return refuse(error.message);
    return cannotWrite(error);
  }
  const runbookPath = path.resolve(projectRoot, result.runbook.file);
  if (readFileSync(runbookPath, "utf8") !== result.runbook.content) {
    replaceFile(runbookPath, result.runbook.content);
    process.stdout.write(`updated the alert table in ${result.runbook.file}\n`);
  }
  const warnings = result.diagnostics.filter((d) => d.severity !== "error").length;
  const judged = verdict.accepted?.length ? `, accepted by ${inWords(verdict.accepted)}` : "";
  process.stdout.write(
    `built ${result.artifacts.length} files into ${options.out}/${judged}${warnings ? ` (${warnings} warning(s))` : ""}\n`,
  );
  return 0;
}

/** An output folder a build must not replace: one line, exit 2, nothing written. */
function refuse(reason: string): number {
  process.stderr.write(`o11y build: ${reason}.\n`);
  return 2;
}

/** `a`, `a and b`, `a, b and c`. */
function inWords(names: string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
