/**
 * The real Prometheus tools judge the staged build before it replaces build/: what they reject, the
 * Prometheus and Alertmanager that load build/ would reject too. Each tool is a file of its own here.
 */
import { killChild, startChild, type Child } from "../../child-process.ts";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../../diagnostics.ts";
import type { Artifact } from "../../render/artifact.ts";
import type { SourceLocation } from "../../source.ts";

/** `auto`: run each tool that is installed, and say which is not; `require`: a missing tool is an error; `off`: run none. */
export const toolsModes = ["auto", "require", "off"] as const;
export type ToolsMode = (typeof toolsModes)[number];

export interface ExternalTool {
  /** Check id of what it reports: `tool/<command>`. */
  id: string;
  command: string;
  /** Environment variable that names the executable, instead of looking it up on PATH. */
  envVar: string;
  debianPackage: string;
  /** The build file it is pointed at (a path in build/); the tool runs in that file's folder. */
  entry: string;
  /**
   * For a tool that judges several files: which ones (none: it does not run). It runs in the build's folder, given
   * their paths in build/ (`files`); `entry` then only names them in messages.
   */
  judges?(artifacts: Artifact[]): Artifact[];
  /** What a message about the tool as a whole (missing, could not run) is about, instead of the first file it judges. */
  about?: ToolSubject;
  args(entryName: string, files?: string[]): string[];
  /**
   * It reads its entry once, to its end (Go's os.ReadFile), before the files the entry names: so in the watch a
   * standby may stand in for its run, its entry a pipe (standby.ts). A tool that opened its entry twice at once would
   * read the bytes once in all.
   */
  readsEntryOnce?: true;
  /**
   * Diagnostics from the output of a run that failed; each names the definition behind the file it rejects.
   * `name` is the tool with its version (`promtool 2.42.0+ds`): the version decides what it accepts.
   */
  diagnose(output: string, artifacts: Artifact[], name: string): Diagnostic[];
}

/** The executable to run: `$envVar` if set (it must be one), else the first on PATH; or why there is none. */
export function findExecutable(
  tool: ExternalTool,
  env: NodeJS.ProcessEnv = process.env,
): { file: string } | { missing: string } {
  const named = env[tool.envVar];
  if (named)
    return isExecutable(named)
      ? { file: named }
      : { missing: `${tool.envVar}=${named} is not an executable file` };
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, tool.command);
    if (isExecutable(file)) return { file };
  }
  return { missing: `${tool.command} is not on PATH` };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface ToolRun {
  code: number | null;
  output: string;
  /** Set when the process could not be started or did not finish. */
  error?: string;
  /** Set when a standby ran it (standby.ts): started before its run, it read the same files. Said for tests and the bench. */
  standby?: true;
}

/** A tool that has not finished after this long is hung: it is killed, and its verdict is that it could not judge. */
export const toolTimeoutMs = 60_000;
const maxOutputBytes = 2 ** 24;

/** Tools running now, each the leader of its own process group. */
const running = new Set<Child>();

/** Kills the tool and everything it started (its process group); gone already is fine. */
function killGroup(child: Child): void {
  killChild(child, "SIGKILL", { group: true });
}

/** Set once this process is interrupted: it is ending, and no tool starts any more. */
let interrupted = false;

/**
 * The process is ending: every tool running is killed, and none starts from now on. (Killed, a tool ends, and
 * whatever waited for it might start the next one in the moment before the process is gone.)
 */
export function interruptTools(): void {
  interrupted = true;
  for (const child of running) killGroup(child);
}

/** Interrupted or exiting: the tools go first (in their own groups, they would not get the terminal's signal). */
function stopTools(signal?: NodeJS.Signals): void {
  interruptTools();
  if (signal === undefined) return;
  watchSignals(false);
  // Nothing else handles it: it does what it would have done without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

const stopSignals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const stopOnExit = () => stopTools();

function watchSignals(on: boolean): void {
  for (const signal of stopSignals) {
    if (on) process.on(signal, stopTools);
    else process.off(signal, stopTools);
  }
  if (on) process.on("exit", stopOnExit);
  else process.off("exit", stopOnExit);
}

/** A tool started, whose end can be awaited: `runTool`'s, or one started ahead of its run (standby.ts). */
export interface LaunchedTool {
  /** Set once the process has exited, or could not start. */
  readonly ended: boolean;
  /** Kills it (its process group) with this reason as its verdict's error. */
  fail(why: string): void;
  /** Its end: the exit code and everything it printed since it started. Never rejects. */
  readonly done: Promise<ToolRun>;
}

/**
 * Starts `file` in `cwd`, in a process group of its own, which is killed when this process is interrupted and after
 * the tool exits (whatever it left running); its output is kept from the start. `awaitTool` waits for it.
 */
export function launchTool(file: string, args: string[], cwd: string): LaunchedTool {
  if (interrupted) return endedTool({ code: null, output: "", error: "not run: o11y was interrupted" });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let bytes = 0;
  let failure: string | undefined;
  let child: Child;
  try {
    child = startChild(file, args, { cwd, detached: true });
  } catch (error) {
    return endedTool({ code: null, output: "", error: (error as Error).message });
  }
  if (running.size === 0) watchSignals(true);
  running.add(child);
  let settle!: (run: ToolRun) => void;
  const done = new Promise<ToolRun>((resolve) => (settle = resolve));
  const launched = { ended: false, fail, done };
  function fail(why: string): void {
    // Ended and reaped: its pid may be another process's by now.
    if (finished) return;
    failure ??= why;
    killGroup(child);
  }
  const keep = (into: Buffer[]) => (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxOutputBytes) return fail(`killed: it printed more than ${maxOutputBytes / 2 ** 20} MB`);
    into.push(chunk);
  };
  child.stdout!.on("data", keep(stdout));
  child.stderr!.on("data", keep(stderr));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let grace: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    launched.ended = true;
    clearTimeout(grace);
    running.delete(child);
    if (running.size === 0) watchSignals(false);
    child.stdout!.destroy();
    child.stderr!.destroy();
    const output = `${Buffer.concat(stdout).toString("utf8")}${Buffer.concat(stderr).toString("utf8")}`;
    const code = exit?.code ?? null;
    if (failure) return settle({ code, output, error: failure });
    if (code !== null) return settle({ code, output });
    settle({ code, output, error: exit?.signal ? `killed by ${exit.signal}` : "it did not finish" });
  };
  child.on("error", (error) => {
    failure ??= error.message;
    finish();
  });
  child.on("exit", (code, signal) => {
    exit = { code, signal };
    launched.ended = true;
    // What the tool left running holds its output open: it goes, and what it printed is read for a moment more.
    killGroup(child);
    grace = setTimeout(finish, 1_000);
  });
  child.on("close", finish);
  return launched;
}

function endedTool(run: ToolRun): LaunchedTool {
  return { ended: true, fail: () => {}, done: Promise.resolve(run) };
}

/**
 * A launched tool's verdict: it is killed when it takes longer than `timeoutMs` from now, or when `signal` aborts
 * (its verdict is no longer wanted).
 */
export function awaitTool(
  tool: LaunchedTool,
  timeoutMs = toolTimeoutMs,
  signal?: AbortSignal,
): Promise<ToolRun> {
  const timer = setTimeout(() => tool.fail(`killed after ${timeoutMs / 1000} s`), timeoutMs);
  const onAbort = () => tool.fail("killed: its verdict is no longer wanted");
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return tool.done.finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  });
}

/**
 * Runs `file` in `cwd` and waits for it; never throws. The tool runs in a process group of its own, which is
 * killed whole when it takes longer than `timeoutMs`, when this process is interrupted, when `signal` aborts (its
 * verdict is no longer wanted), and after the tool exits (whatever it left running). Its arguments are the
 * caller's: put `--` before paths that may start with `-`.
 */
export function runTool(
  file: string,
  args: string[],
  cwd: string,
  timeoutMs = toolTimeoutMs,
  signal?: AbortSignal,
): Promise<ToolRun> {
  if (signal?.aborted)
    return Promise.resolve({ code: null, output: "", error: "not run: its verdict is no longer wanted" });
  return awaitTool(launchTool(file, args, cwd), timeoutMs, signal);
}

/** The artifact whose path in build/ is `buildPath`. */
export function artifactAt(artifacts: Artifact[], buildPath: string): Artifact | undefined {
  return artifacts.find((a) => a.path === buildPath);
}

/** What a tool's diagnostic is about: a built file (an Artifact is one), a rule file, an expression. */
export interface ToolSubject {
  subject: string;
  source: SourceLocation;
}

/** One diagnostic for a whole subject, when a tool's complaint names no finer definition. */
export function fileDiagnostic(
  tool: ExternalTool,
  about: ToolSubject,
  message: string,
  fix: string,
): Diagnostic {
  return { check: tool.id, severity: "error", subject: about.subject, source: about.source, message, fix };
}

/** `promtool 2.42.0+ds`: the tool and the version it reports, or only its command when it reports none. */
export async function nameWithVersion(tool: ExternalTool, file: string): Promise<string> {
  const run = await runTool(file, ["--version"], process.cwd());
  const version = /version (\S+)/.exec(run.output)?.[1];
  return version ? `${tool.command} ${version}` : tool.command;
}
