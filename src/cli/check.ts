import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../engine/check/config.ts";
import {
  fetchFromPrometheus,
  PrometheusUnavailable,
  selectorsOf,
  type PrometheusSource,
} from "../engine/check/metric-source.ts";
import { exprFlagFile } from "../engine/check/check.ts";
import { checkContext, checkExpressions, checkRuleFiles } from "../engine/check/run.ts";
import {
  promtoolOnExpression,
  promtoolOnRuleFiles,
  startPromtoolOnRuleFiles,
} from "../engine/check/promtool-verdicts.ts";
import { readRuleFile, unreadableRuleFile, type RuleFile } from "../engine/check/rule-file.ts";
import { compileModel } from "../engine/compile/compile.ts";
import { checkDefinitions, type ProjectDefinition } from "../engine/define/project.ts";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../engine/diagnostics.ts";
import { terminalText } from "../engine/escape.ts";
import { artifactPathProblems, stage } from "../engine/emit/emit.ts";
import { recordPending, temporaryFolderPrefix } from "../engine/emit/pending.ts";
import { compile, type CompileResult } from "../engine/pipeline.ts";
import { redactDiagnostic } from "../engine/secrets.ts";
import { projectRoot } from "../engine/source.ts";
import type { TypecheckMode } from "../engine/typecheck/typecheck.ts";
import { judgeWithTools, type ToolsMode } from "../engine/validate/tools/index.ts";
import { loadKept, loadProject, saveKept } from "./load-project.ts";
import { readRuleFileText } from "./read-rule-file.ts";
import { formatNote, formatReport, useColor, writeSummary, type OutputFormat } from "./format.ts";

export interface CheckOptions {
  project: string;
  expr?: string;
  dashboard?: boolean;
  format: OutputFormat;
  /** Default auto, but off for rule files: rules a team already runs load in its Prometheus today, and promtool over
   * thousands of them costs more than all our checks (ask with --tools auto). */
  tools?: ToolsMode;
  /** The configuration for rule files from elsewhere; default .o11y.yaml in the working directory, if there is one. */
  config?: string;
  /** A Prometheus whose metadata types the rule files' series, and whose series the selectors must match. */
  prometheus?: string;
  /** Default on, for the project's definitions; --expr and rule files use the catalog only. */
  typecheck?: TypecheckMode;
  /** Check the definitions again on every save (src/cli/watch/). */
  watch?: boolean;
}

/**
 * What `o11y build` would also have promtool and amtool say, judged in a temporary folder (recorded, so that
 * the next run removes it if this one is killed). Paths that would leave the build are errors here too.
 */
async function judgedLikeBuild(
  result: CompileResult,
  mode: ToolsMode,
  note: (text: string) => void,
): Promise<Diagnostic[]> {
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
  // Both are about rule files from elsewhere: the project's definitions are always held to every check, offline.
  for (const [flag, value] of [
    ["--prometheus", options.prometheus],
    ["--config", options.config],
  ] as const) {
    if (value !== undefined && (files.length === 0 || options.expr !== undefined)) {
      process.stderr.write(
        `${terminalText(`o11y: ${flag} applies to rule files: give their paths (o11y check ${flag} ${value} rules.yaml ...)`)}\n`,
      );
      return 2;
    }
  }
  const tools = options.tools ?? (files.length > 0 && options.expr === undefined ? "off" : "auto");
  const definitionsOnly = files.length === 0 && options.expr === undefined;
  const project = await loadProject(options.project, {
    typecheck: definitionsOnly ? (options.typecheck ?? "on") : "off",
  });
  let diagnostics: Diagnostic[];
  const note = (text: string) => process.stderr.write(`${formatNote(text)}\n`);
  if (options.expr !== undefined) {
    const model = compileModel(checkDefinitions(project).project);
    const kind = options.dashboard ? "dashboard-query" : "expression";
    diagnostics = checkExpressions(
      [{ expr: options.expr, subject: "expression", source: { file: exprFlagFile, line: 1 }, kind }],
      checkContext(model),
    );
    // A panel query holds Grafana variables, which promtool cannot read.
    if (!options.dashboard)
      diagnostics.push(...(await promtoolOnExpression(options.expr, tools, diagnostics, note)));
  } else if (files.length > 0) {
    const loaded = loadConfig(options.config);
    if (!loaded.config) {
      // A configuration that says something we cannot follow: nothing is checked against a guess.
      process.stdout.write(
        formatReport(sortDiagnostics(loaded.diagnostics), options.format, useColor(process.stdout)),
      );
      process.stderr.write(
        `${terminalText(`o11y: the configuration ${options.config ?? ".o11y.yaml"} cannot be used; nothing was checked`)}\n`,
      );
      return 2;
    }
    const config = loaded.config;
    const texts = files.map((file) => {
      try {
        return { file, text: readRuleFileText(path.resolve(file)) };
      } catch (error) {
        return { file, error };
      }
    });
    // promtool reads the files in its own process while ours are checked here.
    const promtool = startPromtoolOnRuleFiles(
      texts.flatMap((t) => (t.text === undefined ? [] : [t.file])),
      tools,
    );
    const model = compileModel(checkDefinitions(project).project);
    const read = texts.map(({ file, text, error }) => ({
      file,
      ruleFile:
        text === undefined
          ? unreadableRuleFile(file, error)
          : readRuleFile(file, text, model.settings.evaluationInterval),
    }));
    // A file that is not YAML has said all it can.
    const readable = read.filter(({ ruleFile }) => ruleFile.diagnostics.length === 0);
    diagnostics = read.flatMap(({ ruleFile }) => ruleFile.diagnostics);
    const live =
      options.prometheus === undefined
        ? undefined
        : await askPrometheus(
            options.prometheus,
            readable.map((r) => r.ruleFile),
            note,
          );
    if (live === "unavailable") {
      await promtool.catch(() => undefined);
      return 2;
    }
    const source = live ? { types: live, live } : {};
    diagnostics.push(
      ...checkRuleFiles(
        model,
        readable.map(({ file, ruleFile }) => {
          const settings = config.settingsFor(file);
          return { file, ruleFile, ...settings, options: { ...settings.options, ...source } };
        }),
      ),
    );
    diagnostics.push(...(await promtoolOnRuleFiles(promtool, readable, diagnostics, note)));
  } else {
    loadKept();
    diagnostics = await checkProject(project, tools, note);
    saveKept();
  }
  const sorted = reportable(diagnostics);
  process.stdout.write(formatReport(sorted, options.format, useColor(process.stdout)));
  writeSummary(sorted, options.format, "check");
  return hasErrors(sorted) ? 1 : 0;
}

/** The project's definitions, as `build` would judge them, tools included: every problem, nothing written. */
export async function checkProject(
  project: ProjectDefinition,
  tools: ToolsMode,
  note: (text: string) => void,
): Promise<Diagnostic[]> {
  const result = compile(project);
  return [...result.diagnostics, ...(await judgedLikeBuild(result, tools, note))];
}

/** Sorted, and redacted: every format shows them, so nothing secret-looking in any (src/engine/secrets.ts). */
export function reportable(diagnostics: Diagnostic[]): Diagnostic[] {
  return sortDiagnostics(diagnostics).map(redactDiagnostic);
}

/** What the server says of the files' series, fetched before the checks run; "unavailable" once it has said why not. */
async function askPrometheus(
  url: string,
  ruleFiles: RuleFile[],
  note: (text: string) => void,
): Promise<PrometheusSource | "unavailable"> {
  const expressions = ruleFiles.flatMap((ruleFile) =>
    [...ruleFile.alerts, ...ruleFile.recordingRules].map((rule) => rule.expr),
  );
  try {
    const live = await fetchFromPrometheus(url, selectorsOf(expressions));
    const { metadata, names, selectors } = live.requests;
    note(
      `asked ${live.url} ${metadata + names + selectors} request(s): ${metadata} for metric metadata, ${names} for metric names, ${selectors} for the selectors`,
    );
    return live;
  } catch (error) {
    if (!(error instanceof PrometheusUnavailable)) throw error;
    process.stderr.write(
      `${terminalText(`o11y: ${error.message}`)}\n    fix: pass the URL of a running Prometheus (http://host:9090), or leave --prometheus out to check offline.\n`,
    );
    return "unavailable";
  }
}
