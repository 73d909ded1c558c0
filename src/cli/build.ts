import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatDiagnostic } from "../engine/diagnostics.ts";
import { emit } from "../engine/emit/emit.ts";
import { compile } from "../engine/pipeline.ts";
import { projectRoot } from "../engine/source.ts";
import { loadProject } from "./load-project.ts";

export async function buildCommand(options: { out: string; project: string }): Promise<number> {
  const project = await loadProject(options.project);
  const result = compile(project);
  for (const diagnostic of result.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (!result.ok) {
    process.stderr.write(`\nbuild failed: ${errors} error(s); nothing was written and ${options.out}/ is unchanged.\n`);
    return 1;
  }
  emit(path.resolve(projectRoot, options.out), result.artifacts);
  const runbookPath = path.resolve(projectRoot, result.runbook.file);
  if (readFileSync(runbookPath, "utf8") !== result.runbook.content) {
    writeFileSync(runbookPath, result.runbook.content, "utf8");
    process.stdout.write(`updated the alert table in ${result.runbook.file}\n`);
  }
  const warnings = result.diagnostics.length - errors;
  process.stdout.write(`built ${result.artifacts.length} files into ${options.out}/${warnings ? ` (${warnings} warning(s))` : ""}\n`);
  return 0;
}
