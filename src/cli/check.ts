import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { artifactChecks } from "../engine/check/checks/index.ts";
import { checkContext, checkExpressions, checkModel } from "../engine/check/run.ts";
import { promtoolOnExpression, promtoolOnRuleFiles, startPromtoolOnRuleFiles } from "../engine/check/promtool-verdicts.ts";
import { modelForRuleFile, readRuleFile, unreadableRuleFile } from "../engine/check/rule-file.ts";
import { compileModel } from "../engine/compile/compile.ts";
import { checkDefinitions } from "../engine/define/project.ts";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../engine/diagnostics.ts";
import { artifactPathProblems, stage } from "../engine/emit/emit.ts";
import { recordPending, temporaryFolderPrefix } from "../engine/emit/pending.ts";
import { compile, type CompileResult } from "../engine/pipeline.ts";
import { redactDiagnostic } from "../engine/secrets.ts";
import { projectRoot } from "../engine/source.ts";
import type { TypecheckMode } from "../engine/typecheck/typecheck.ts";
import { judgeWithTools, type ToolsMode } from "../engine/validate/tools/index.ts";
import { loadProject } from "./load-project.ts";
import { readRuleFileText } from "./read-rule-file.ts";
import { formatNote, formatReport, summaryLine, useColor, type OutputFormat } from "./format.ts";

export interface CheckOptions {
  project: string;
  expr?: string;
  dashboard?: boolean;
  format: OutputFormat;
  /** Default auto, but off for rule files: rules a team already runs load in its Prometheus today, and promtool over
   * thousands of them costs more than all our checks (ask with --tools auto). */
  tools?: ToolsMode;
  /** Default on, for the project's definitions; --expr and rule files use the catalog only. */
  typecheck?: TypecheckMode;
}

/**
 * What `o11y build` would also have promtool and amtool say, judged in a temporary folder (recorded, so that
 * the next run removes it if this one is killed). Paths that would leave the build are errors here too.
 */
async function judgedLikeBuild(result: CompileResult, mode: ToolsMode, note: (text: string) => void): Promise<Diagnostic[]> {
  if (!result.ok) return [];
  const paths = artifactPathProblems(result.artifacts);
  if (mode === "off" || paths.length) return paths;
  const dir = mkdtempSync(path.join(tmpdir(), temporaryFolderPrefix("check")));
  const release = recordPending(projectRoot, { temporary: dir });
  try {
    const staged = stage(path.join(dir, "build"), result.artifacts);
    const verdict = await judgeWithTools(staged.dir, result.artifacts, mode);
    verdict.notes.forEach(note);
    return verdict.diagnostics;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    release();
  }
}

/** `o11y check`: every definition; `--expr`: one expression; file arguments: foreign Prometheus rule files. */
export async function checkCommand(files: string[], options: CheckOptions): Promise<number> {
  const tools = options.tools ?? (files.length > 0 && options.expr === undefined ? "off" : "auto");
  const definitionsOnly = files.length === 0 && options.expr === undefined;
  const project = await loadProject(options.project, { typecheck: definitionsOnly ? (options.typecheck ?? "on") : "off" });
  let diagnostics: Diagnostic[];
  const note = (text: string) => process.stderr.write(`${formatNote(text)}\n`);
  if (options.expr !== undefined) {
    const model = compileModel(checkDefinitions(project).project);
    const kind = options.dashboard ? "dashboard-query" : "expression";
    diagnostics = checkExpressions([{ expr: options.expr, subject: "expression", source: { file: "--expr", line: 1 }, kind }], checkContext(model));
    // A panel query holds Grafana variables, which promtool cannot read.
    if (!options.dashboard) diagnostics.push(...(await promtoolOnExpression(options.expr, tools, diagnostics, note)));
  } else if (files.length > 0) {
    const texts = files.map((file) => {
      try {
        return { file, text: readRuleFileText(path.resolve(file)) };
      } catch (error) {
        return { file, error };
      }
    });
    // promtool reads the files in its own process while ours are checked here.
    const promtool = startPromtoolOnRuleFiles(texts.flatMap((t) => (t.text === undefined ? [] : [t.file])), tools);
    const model = compileModel(checkDefinitions(project).project);
    const read = texts.map(({ file, text, error }) => ({
      file,
      ruleFile: text === undefined ? unreadableRuleFile(file, error) : readRuleFile(file, text, model.settings.evaluationInterval),
    }));
    diagnostics = read.flatMap(({ file, ruleFile }) => {
      if (ruleFile.diagnostics.length) return ruleFile.diagnostics;
      // The catalog's and the project's own recording rules still count; our conventions for links do not.
      return checkModel(modelForRuleFile(model, ruleFile), artifactChecks).filter((d) => d.source.file === file);
    });
    // A file that is not YAML has said all it can.
    const readable = read.filter(({ ruleFile }) => ruleFile.diagnostics.length === 0);
    diagnostics.push(...(await promtoolOnRuleFiles(promtool, readable, diagnostics, note)));
  } else {
    const result = compile(project);
    diagnostics = [...result.diagnostics, ...(await judgedLikeBuild(result, tools, note))];
  }
  // Every format shows them: nothing secret-looking in any (src/engine/secrets.ts).
  const sorted = sortDiagnostics(diagnostics).map(redactDiagnostic);
  process.stdout.write(formatReport(sorted, options.format, useColor(process.stdout)));
  if (options.format === "text") process.stderr.write(`${summaryLine(sorted)}\n`);
  return hasErrors(sorted) ? 1 : 0;
}
