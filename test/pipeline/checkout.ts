/**
 * A copy of the project in a temporary folder (node_modules linked), for tests that kill builds: what a killed
 * run leaves is recorded in its checkout's .o11y-cache/, so that the next command there recovers it, and no
 * other test's command in the real checkout does (or says so).
 */
import { spawn } from "node:child_process";
import { cpSync, symlinkSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/engine/source.ts";

const copied = [
  "bin",
  "src",
  "schemas",
  "test/fixtures",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "RUNBOOK.md",
];

export interface Checkout {
  root: string;
  /** Starts `o11y <args>` there; stderr is collected as it comes. */
  start(args: string[], env?: Record<string, string>): Running;
  /** Runs `o11y <args>` there to its end. */
  run(args: string[], env?: Record<string, string>): Promise<{ code: number | null; stderr: string }>;
}

export interface Running {
  kill(signal: NodeJS.Signals): void;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves once stderr says that the run stopped at `step` (O11Y_TEST_PAUSE_AT). */
  pausedAt(step: string): Promise<void>;
}

export function checkout(root: string): Checkout {
  for (const name of copied) cpSync(path.join(projectRoot, name), path.join(root, name), { recursive: true });
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(root, "node_modules"), "dir");
  const start = (args: string[], env: Record<string, string> = {}): Running => {
    const child = spawn(process.execPath, [path.join(root, "bin/o11y.js"), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return {
      kill: (signal) => child.kill(signal),
      stderr: () => stderr,
      exited,
      async pausedAt(step) {
        const deadline = Date.now() + 60_000;
        while (!stderr.includes(`paused at ${step}`)) {
          if (Date.now() > deadline || child.exitCode !== null)
            throw new Error(`o11y ${args.join(" ")} did not stop at ${step}:\n${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
    };
  };
  return {
    root,
    start,
    async run(args, env) {
      const running = start(args, env);
      return { code: await running.exited, stderr: running.stderr() };
    },
  };
}
