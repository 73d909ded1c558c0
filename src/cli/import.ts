import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ProjectDefinition } from "../engine/define/project.ts";
import { terminalLines } from "../engine/escape.ts";
import { loadKeptOutputs } from "../engine/kept-outputs.ts";
import { keepParses } from "../engine/promql/parse.ts";
import { WriterThread } from "../engine/import/writer-thread.ts";
import type { ImportSummary } from "../engine/import/report.ts";
import { projectRoot } from "../engine/source.ts";
import { loadProject } from "./load-project.ts";
import { readRuleFileText, UnreadableRuleFile } from "./read-rule-file.ts";

export interface ImportOptions {
  project: string;
  name?: string;
  allowPanelType?: string[];
  dryRun?: boolean;
}

/** Input files larger than this are refused before they are read. */
const maxInputBytes = 32 * 1024 * 1024;

/** Reads the input: a regular file, or standard input for `-`; undefined (and says why) when it cannot. */
function readInput(file: string): string | undefined {
  try {
    if (file === "-") return readFileSync(0, "utf8");
    const stat = statSync(file);
    if (!stat.isFile())
      return fail(
        `${file} is not a file`,
        "name an exported dashboard's JSON file, or - for standard input.",
      );
    if (stat.size > maxInputBytes)
      return fail(`${file} is larger than 32 MiB`, "export the dashboard alone, not a backup of many.");
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      `cannot read ${file}${code === "ENOENT" ? ": there is no such file" : `: ${(error as Error).message}`}`,
      "name an exported dashboard's JSON file, or - for standard input.",
    );
  }
}

/** Reads a rule file as `o11y check` does (a regular file, at most 32 MiB, UTF-8 or UTF-16 with its mark), or standard input. */
function readRules(file: string): string | undefined {
  const fix = "name a Prometheus rule file (YAML with groups:) or a PrometheusRule, or - for standard input.";
  try {
    if (file === "-") return readFileSync(0, "utf8");
    return readRuleFileText(file);
  } catch (error) {
    if (error instanceof UnreadableRuleFile) return fail(`cannot read ${file}: ${error.why}`, error.fix);
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      `cannot read ${file}${code === "ENOENT" ? ": there is no such file" : code === "EISDIR" ? ": it is a folder" : `: ${(error as Error).message}`}`,
      fix,
    );
  }
}

function fail(message: string, fix: string): undefined {
  process.stderr.write(`o11y import: ${terminalLines(message).join("\n")}\n    fix: ${fix}\n`);
  return undefined;
}

/**
 * One import, start to end: the project loaded, `run` given the input, its report printed; exit 0 when written, 1
 * when the input cannot be imported (every problem said, nothing written).
 */
async function runImport(
  file: string,
  text: string,
  options: { project: string; dryRun?: boolean },
  run: (input: {
    file: string;
    text: string;
    root: string;
    project: ProjectDefinition;
  }) => Promise<ImportSummary>,
): Promise<number> {
  const project = await loadProject(options.project, { typecheck: "off" });
  // The debt pass compiles the whole project: the files the last build kept (kept-outputs.ts) are neither written
  // nor validated again, only the imported definitions' are. Read, not saved: what a dry run or an import adds is
  // the next build's to keep.
  loadKeptOutputs(projectRoot);
  // The imported queries are parsed to infer their metrics, then again by the debt pass's checks: once is enough.
  keepParses();
  const { ImportError, formatSummary } = await import("../engine/import/report.ts");
  try {
    const summary = await run({
      file: file === "-" ? "<stdin>" : path.basename(file),
      text,
      root: projectRoot,
      project,
    });
    process.stdout.write(terminalLines(formatSummary(summary)).join("\n"));
    if (options.dryRun) process.stdout.write("\n(dry run: nothing was written)\n");
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    for (const problem of error.problems) fail(problem.message, problem.fix);
    process.stderr.write(
      `\nimport failed: ${error.problems.length} problem(s); no file in src/ was created or changed.\n`,
    );
    return 1;
  }
}

/** `o11y import dashboard <file|->`: exit 0 when written, 1 when the input cannot be imported (nothing written), 2 on bad usage. */
export async function importDashboardCommand(file: string, options: ImportOptions): Promise<number> {
  const text = readInput(file);
  if (text === undefined) return 2;
  // Started first: ts-morph and prettier load in it while the project loads and the dashboard is checked here.
  const writerThread = new WriterThread(projectRoot);
  try {
    return await runImport(file, text, options, async (input) => {
      // Loaded only by this command: the import modules (and ts-morph and prettier, which they load when they write).
      const { importDashboard } = await import("../engine/import/import-dashboard.ts");
      return importDashboard({
        ...input,
        name: options.name,
        allowPanelTypes: options.allowPanelType,
        dryRun: options.dryRun,
        writerThread,
      });
    });
  } finally {
    writerThread.close();
  }
}

export interface ImportRulesOptions {
  project: string;
  prefix?: string;
  dryRun?: boolean;
}

/** `o11y import rules <file|->`: exit 0 when written, 1 when the input cannot be imported (nothing written), 2 on bad usage. */
export async function importRulesCommand(file: string, options: ImportRulesOptions): Promise<number> {
  const text = readRules(file);
  if (text === undefined) return 2;
  return runImport(file, text, options, async (input) => {
    const { importRules } = await import("../engine/import/import-rules.ts");
    return importRules({ ...input, prefix: options.prefix, dryRun: options.dryRun });
  });
}
