/**
 * The real Prometheus tools judge the staged build before it replaces build/: what they reject, the
 * Prometheus and Alertmanager that load build/ would reject too. Each tool is a file of its own here.
 */
import { execFile } from "node:child_process";
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
  args(entryName: string): string[];
  /**
   * Diagnostics from the output of a run that failed; each names the definition behind the file it rejects.
   * `name` is the tool with its version (`promtool 2.42.0+ds`): the version decides what it accepts.
   */
  diagnose(output: string, artifacts: Artifact[], name: string): Diagnostic[];
}

/** The executable to run: `$envVar` if set (it must be one), else the first on PATH; or why there is none. */
export function findExecutable(tool: ExternalTool, env: NodeJS.ProcessEnv = process.env): { file: string } | { missing: string } {
  const named = env[tool.envVar];
  if (named) return isExecutable(named) ? { file: named } : { missing: `${tool.envVar}=${named} is not an executable file` };
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
}

/** Runs `file` in `cwd` and waits for it; never throws. */
export function runTool(file: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: timeoutMs, encoding: "utf8", maxBuffer: 2 ** 24 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!error) return resolve({ code: 0, output });
      const code = typeof error.code === "number" ? error.code : null;
      if (code !== null && !error.killed) return resolve({ code, output });
      resolve({ code, output, error: error.killed ? `killed after ${timeoutMs / 1000} s` : error.message });
    });
  });
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
export function fileDiagnostic(tool: ExternalTool, about: ToolSubject, message: string, fix: string): Diagnostic {
  return { check: tool.id, severity: "error", subject: about.subject, source: about.source, message, fix };
}

/** `promtool 2.42.0+ds`: the tool and the version it reports, or only its command when it reports none. */
export async function nameWithVersion(tool: ExternalTool, file: string): Promise<string> {
  const run = await runTool(file, ["--version"], process.cwd());
  const version = /version (\S+)/.exec(run.output)?.[1];
  return version ? `${tool.command} ${version}` : tool.command;
}
