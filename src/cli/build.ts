import { readFileSync } from "node:fs";
import path from "node:path";
import { formatDiagnostic, sortDiagnostics } from "../engine/diagnostics.ts";
import {
  ArtifactPathError,
  OutFolderRefused,
  openStage,
  replaceFile,
  stage,
  type StagedBuild,
  type Staging,
} from "../engine/emit/emit.ts";
import { refuseOutFolder } from "../engine/emit/out-folder.ts";
import { recoverFolder } from "../engine/emit/swap.ts";
import type { ProjectDefinition } from "../engine/define/project.ts";
import { compile, type CompileResult } from "../engine/pipeline.ts";
import type { Artifact } from "../engine/render/artifact.ts";
import { projectRoot, toProjectPath } from "../engine/source.ts";
import type { TypecheckMode } from "../engine/typecheck/typecheck.ts";
import {
  judgeableAlone,
  judgeWithTools,
  readByTools,
  type ToolsMode,
  type ToolsVerdict,
} from "../engine/validate/tools/index.ts";
import { formatNote } from "./format.ts";
import { loadKept, loadProject, saveKept } from "./load-project.ts";

export interface BuildOptions {
  out: string;
  project: string;
  /** Default auto. */
  tools?: ToolsMode;
  /** Default on. */
  typecheck?: TypecheckMode;
  /** Build again on every save (src/cli/watch/). */
  watch?: boolean;
}

/** How one build ended: its exit code, and the line that says so (the caller prints it). */
export interface BuildOutcome {
  kind: "built" | "failed" | "refused" | "interrupted";
  code: number;
  summary: string;
  /**
   * The runbook (absolute) whose alert table a build keeps, when the project got that far, with its text as the build
   * left it: what it wrote, else what it read.
   */
  runbook?: { file: string; text: string };
  /** Set when the build rewrote the runbook's alert table (in `runbook`). */
  runbookUpdated?: boolean;
  /** With `retireLater`: ends once the tree the build replaced is removed. */
  retired?: Promise<void>;
}

export interface BuildProjectOptions {
  /** As given (`build`), for messages. */
  out: string;
  tools: ToolsMode;
  /**
   * Set when the caller handles SIGINT and SIGTERM itself (the watch): aborted, the build discards what it staged
   * and ends as "interrupted", saying nothing more. Without it, the build does this on either signal, then the
   * signal does what it would have done.
   */
  signal?: AbortSignal;
  /**
   * Remove the tree the build replaces without blocking (the outcome's `retired`), so that the summary comes as soon
   * as build/ holds the new one. The caller waits for it before another build of the same folder.
   */
  retireLater?: boolean;
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
  const refused = refusedOutFolder(options);
  if (refused) return refuse(refused);
  const project = await loadProject(options.project, { typecheck: options.typecheck ?? "on" });
  loadKept();
  const outcome = await buildProject(project, { out: options.out, tools: options.tools ?? "auto" });
  if (outcome.runbookUpdated)
    process.stdout.write(`updated the alert table in ${toProjectPath(outcome.runbook!.file)}\n`);
  if (outcome.kind === "built") process.stdout.write(`${outcome.summary}\n`);
  else process.stderr.write(outcome.kind === "refused" ? `${outcome.summary}\n` : `\n${outcome.summary}\n`);
  saveKept();
  return outcome.code;
}

/** Why `--out` may not be built into (see out-folder.ts), or undefined when it may. */
export function refusedOutFolder(options: { out: string; project: string }): string | undefined {
  const sources = [path.join(projectRoot, "src"), path.dirname(path.resolve(projectRoot, options.project))];
  return refuseOutFolder(options.out, projectRoot, sources);
}

/**
 * The build of a loaded project into `options.out`: diagnostics and notes go to stderr as they come, the outcome's
 * summary is left to the caller.
 */
export async function buildProject(
  project: ProjectDefinition,
  options: BuildProjectOptions,
): Promise<BuildOutcome> {
  const out = path.resolve(projectRoot, options.out);
  const note = (text: string) => process.stderr.write(`${formatNote(text)}\n`);
  let early: EarlyJudgement | undefined;
  let result: CompileResult;
  try {
    result = compile(project, {
      rulesRendered: (files) => (early = judgeEarly(out, files, options.tools, note)),
    });
  } catch (error) {
    early?.cancel();
    throw error;
  }
  const failed = (diagnostics: typeof result.diagnostics): BuildOutcome => {
    const errors = diagnostics.filter((d) => d.severity === "error" && d.suppressed === undefined).length;
    return {
      kind: "failed",
      code: 1,
      summary: `build failed: ${errors} error(s); nothing was written and ${options.out}/ is unchanged.`,
    };
  };
  for (const diagnostic of result.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  if (!result.ok) {
    early?.cancel();
    return failed(result.diagnostics);
  }
  // The early verdict is the build's when the files the tools read are the build's own (compile gave the very objects).
  if (early && !judgesBuild(early, result.artifacts)) {
    early.cancel();
    early = undefined;
  }

  const cannotWrite = (error: unknown): BuildOutcome => {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kind: "failed",
      code: 1,
      summary: `build failed: cannot write ${options.out}/ (${reason}). Pass --out a folder whose parent is writable; ${options.out}/ is unchanged.`,
    };
  };
  const interrupted: BuildOutcome = {
    kind: "interrupted",
    code: 130,
    summary: `build interrupted; ${options.out}/ is unchanged.`,
  };
  let staged: StagedBuild;
  try {
    staged = early
      ? early.staging.finish(result.artifacts)
      : stage(out, result.artifacts, { recordIn: projectRoot, note });
  } catch (error) {
    early?.cancel();
    if (!(error instanceof ArtifactPathError)) return cannotWrite(error);
    for (const diagnostic of sortDiagnostics(error.diagnostics))
      process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    return failed(error.diagnostics);
  }
  // To disk while the tools judge the files: a power cut after the swap must not find them empty.
  const flushed = staged.flush();
  flushed.catch(() => {});
  // Interrupted while the tools run: the staged copy goes, then the signal does what it would have done.
  const onSignal = (signal: NodeJS.Signals) => {
    staged.discard();
    process.kill(process.pid, signal);
  };
  const onAbort = () => staged.discard();
  if (options.signal) options.signal.addEventListener("abort", onAbort, { once: true });
  else process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  const verdict = await (early?.verdict ?? judgeWithTools(staged.dir, result.artifacts, options.tools))
    .catch((error: unknown) => {
      staged.discard();
      throw error;
    })
    .finally(() => {
      if (options.signal) options.signal.removeEventListener("abort", onAbort);
      else process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    });
  if (options.signal?.aborted) {
    staged.discard();
    return interrupted;
  }
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
  if (options.signal?.aborted) {
    staged.discard();
    return interrupted;
  }
  let retired: Promise<void> | undefined;
  try {
    if (options.retireLater) retired = staged.commitThenRetire();
    else staged.commit();
  } catch (error) {
    if (error instanceof OutFolderRefused)
      return { kind: "refused", code: 2, summary: refusal(error.message) };
    return cannotWrite(error);
  }
  const runbookPath = path.resolve(projectRoot, result.runbook.file);
  const onDisk = readFileSync(runbookPath, "utf8");
  const stale = onDisk !== result.runbook.content;
  // Saved since this build read it (during the watch's build, say): rewritten, that save would be lost. Its text is
  // the next build's to give a table (the watch builds again on that save).
  const runbookUpdated = stale && onDisk === result.model.runbook.text;
  if (runbookUpdated) replaceFile(runbookPath, result.runbook.content);
  else if (stale)
    note(
      `${toProjectPath(runbookPath)} was saved during the build, so its alert table was left as it is: build again to update it`,
    );
  const warnings = result.diagnostics.filter((d) => d.severity !== "error").length;
  const judged = verdict.accepted?.length ? `, accepted by ${inWords(verdict.accepted)}` : "";
  return {
    kind: "built",
    runbook: { file: runbookPath, text: runbookUpdated ? result.runbook.content : result.model.runbook.text },
    runbookUpdated,
    ...(retired ? { retired } : {}),
    code: 0,
    summary: `built ${result.artifacts.length} files into ${options.out}/${judged}${warnings ? ` (${warnings} warning(s))` : ""}`,
  };
}

/**
 * The tools judging the files they read (compile's `rulesRendered`), staged first, while the rest of the build is
 * checked and rendered: a save of an alert waits for promtool from the moment its rule file is known.
 */
interface EarlyJudgement {
  staging: Staging;
  files: Artifact[];
  verdict: Promise<ToolsVerdict>;
  /** Kills the tools and removes the staged folder: the build failed, or is judged otherwise. */
  cancel(): void;
}

/** The tools started over `files` in a new staged folder, or undefined when the build judges them after staging. */
function judgeEarly(
  out: string,
  files: Artifact[],
  mode: ToolsMode,
  note: (text: string) => void,
): EarlyJudgement | undefined {
  if (mode === "off" || !judgeableAlone(files)) return undefined;
  let staging: Staging;
  try {
    staging = openStage(out, { recordIn: projectRoot, note });
    staging.write(files);
    // To disk while the rest is rendered: the build syncs every file before the swap.
    staging.syncWritten();
  } catch {
    // A path that leaves the build, a folder that cannot be written: the build says so once it has all the files.
    return undefined;
  }
  const stop = new AbortController();
  const verdict = judgeWithTools(staging.dir, files, mode, process.env, undefined, stop.signal);
  verdict.catch(() => {});
  return {
    staging,
    files,
    verdict,
    cancel() {
      stop.abort();
      staging.discard();
    },
  };
}

/** Whether the early verdict is the build's: every file the tools read is one it judged, and all it staged are the build's. */
function judgesBuild(early: EarlyJudgement, artifacts: Artifact[]): boolean {
  const judged = new Set(early.files);
  const built = new Set(artifacts);
  return (
    early.files.every((file) => built.has(file)) &&
    artifacts.filter(readByTools).every((file) => judged.has(file))
  );
}

/** An output folder a build must not replace: one line, exit 2, nothing written. */
function refuse(reason: string): number {
  process.stderr.write(`${refusal(reason)}\n`);
  return 2;
}

export const refusal = (reason: string) => `o11y build: ${reason}.`;

/** `a`, `a and b`, `a, b and c`. */
function inWords(names: string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
