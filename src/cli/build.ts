import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatDiagnostic, sortDiagnostics } from "../engine/diagnostics.ts";
import { stage, type StagedBuild } from "../engine/emit/emit.ts";
import { compile } from "../engine/pipeline.ts";
import { projectRoot } from "../engine/source.ts";
import type { TypecheckMode } from "../engine/typecheck/typecheck.ts";
import { judgeWithTools, type ToolsMode } from "../engine/validate/tools/index.ts";
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
  const project = await loadProject(options.project, { typecheck: options.typecheck ?? "on" });
  const result = compile(project);
  const failed = (diagnostics: typeof result.diagnostics) => {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    process.stderr.write(`\nbuild failed: ${errors} error(s); nothing was written and ${options.out}/ is unchanged.\n`);
    return 1;
  };
  for (const diagnostic of result.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  if (!result.ok) return failed(result.diagnostics);

  const cannotWrite = (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\nbuild failed: cannot write ${options.out}/ (${reason}). Pass --out a folder whose parent is writable; ${options.out}/ is unchanged.\n`);
    return 1;
  };
  let staged: StagedBuild;
  try {
    staged = stage(path.resolve(projectRoot, options.out), result.artifacts);
  } catch (error) {
    return cannotWrite(error);
  }
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
  for (const note of verdict.notes) process.stderr.write(`note: ${note}\n`);
  if (verdict.diagnostics.length > 0) {
    staged.discard();
    for (const diagnostic of sortDiagnostics(verdict.diagnostics)) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    return failed(verdict.diagnostics);
  }
  try {
    staged.commit();
  } catch (error) {
    return cannotWrite(error);
  }
  const runbookPath = path.resolve(projectRoot, result.runbook.file);
  if (readFileSync(runbookPath, "utf8") !== result.runbook.content) {
    writeFileSync(runbookPath, result.runbook.content, "utf8");
    process.stdout.write(`updated the alert table in ${result.runbook.file}\n`);
  }
  const warnings = result.diagnostics.filter((d) => d.severity !== "error").length;
  const judged = verdict.accepted?.length ? `, accepted by ${verdict.accepted.join(" and ")}` : "";
  process.stdout.write(`built ${result.artifacts.length} files into ${options.out}/${judged}${warnings ? ` (${warnings} warning(s))` : ""}\n`);
  return 0;
}
