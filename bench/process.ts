/** Part 1: the real build as a whole process, wall time and peak RSS per run. */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const gnuTime = "/usr/bin/time";
const rssHook = pathToFileURL(path.join(root, "bench", "maxrss.mjs")).href;

export interface ProcessResult {
  label: string;
  command: string;
  wallMs: number[];
  /** Peak RSS of each run, in KiB; null when it could not be read. */
  maxRssKb: Array<number | null>;
  /** User and system CPU time of each run (all its threads), from GNU time; null without it. */
  cpuMs?: Array<number | null>;
  rssVia: "/usr/bin/time -v" | "process.resourceUsage";
  /** Set when a run exited non-zero: its exit status and the last line of its stderr. */
  failure?: string;
}

/** How a measured process runs: in which folder, with which environment, after what (not timed). */
export interface RunSetup {
  cwd?: string;
  env?: Record<string, string>;
  before?: () => void;
}

/** One run of `node <args>`: wall time measured here, peak RSS from GNU time or from a preloaded exit hook. */
function runOnce(
  nodeArgs: string[],
  setup: RunSetup,
): { ms: number; rssKb: number | null; cpuMs: number | null; failure?: string } {
  const viaTime = existsSync(gnuTime);
  const [cmd, args] = viaTime
    ? [gnuTime, ["-v", process.execPath, ...nodeArgs]]
    : [process.execPath, ["--import", rssHook, ...nodeArgs]];
  setup.before?.();
  const start = performance.now();
  const child = spawnSync(cmd, args, {
    cwd: setup.cwd ?? root,
    encoding: "utf8",
    env: { ...process.env, ...setup.env },
  });
  const ms = performance.now() - start;
  const match = /Maximum resident set size \(kbytes\): (\d+)|\[bench-maxrss-kb\] (\d+)/.exec(child.stderr);
  const rssKb = match ? Number(match[1] ?? match[2]) : null;
  // On a shared machine the wall time says how busy it was as much as how much work a run did: CPU time says the work.
  const user = /User time \(seconds\): ([\d.]+)/.exec(child.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(child.stderr);
  const cpuMs = user && system ? (Number(user[1]) + Number(system[1])) * 1000 : null;
  if (child.status === 0) return { ms, rssKb, cpuMs };
  // GNU time reports the child's non-zero status as "Command exited with non-zero status N"; skip its report.
  const lines = child.stderr
    .split("\n")
    .filter(
      (l) => l.trim() && !l.startsWith("\t") && !l.startsWith("Command exited") && !l.startsWith("[bench"),
    );
  return {
    ms,
    rssKb,
    cpuMs,
    failure: `exit ${child.status ?? child.signal}: ${lines.at(-1)?.trim() ?? ""}`,
  };
}

export function measureProcess(
  label: string,
  nodeArgs: string[],
  runs: number,
  warmups = 1,
  setup: RunSetup = {},
): ProcessResult {
  for (let i = 0; i < warmups; i++) runOnce(nodeArgs, setup);
  const samples = Array.from({ length: runs }, () => runOnce(nodeArgs, setup));
  const failure = samples.find((s) => s.failure)?.failure;
  const env = Object.entries(setup.env ?? {})
    .map(([name, value]) => `${name}=${value} `)
    .join("");
  return {
    label,
    command: `${env}node ${nodeArgs.join(" ")}`,
    wallMs: samples.map((s) => s.ms),
    maxRssKb: samples.map((s) => s.rssKb),
    cpuMs: samples.map((s) => s.cpuMs),
    rssVia: existsSync(gnuTime) ? "/usr/bin/time -v" : "process.resourceUsage",
    ...(failure ? { failure } : {}),
  };
}

/** The cached files whose names start with `prefix`: the bundle's (`cli-`) or the type check's (`typecheck-`). */
function removeCached(copy: string, prefix: string): void {
  const dir = path.join(copy, ".o11y-cache");
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir))
    if (name.startsWith(prefix)) rmSync(path.join(dir, name), { force: true });
}

/** A copy of the project (node_modules linked) in a new temporary folder, for runs that must not touch this one. */
export function copyProject(prefix: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), prefix));
  for (const file of projectFiles) cpSync(path.join(root, file), path.join(copy, file), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}

/** Files a copy of the project needs to build (node_modules is linked). */
const projectFiles = [
  "src",
  "bin",
  "schemas",
  "RUNBOOK.md",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
];

/**
 * The build, plus baselines that split its time: bare node startup, loading every module without compiling
 * (started the way bin/o11y.js starts without its cached bundle: the plain-JavaScript dependencies first,
 * then tsx's hooks), the build through tsx (O11Y_CACHE=off), and the build when the cached bundle must be
 * rebuilt first (after an edit; in a copy of the project, whose .o11y-cache/ is removed before each run).
 * The last row is the build as `npm run build` runs it, from the cached bundle (the warm-up run builds it).
 */
export function measureBuild(outDir: string, runs: number): ProcessResult[] {
  // The same start as bin/o11y.js through tsx: its head start for the plain-JavaScript dependencies, then tsx's hooks.
  const preload =
    /const plainDependencies = (\[[^\]]*\]);/.exec(
      readFileSync(path.join(root, "bin", "o11y.js"), "utf8"),
    )?.[1] ?? "[]";
  const loadOnly = [
    'import { register } from "tsx/esm/api";',
    `await Promise.allSettled(${preload.replace(/\/\/.*$/gm, "").replace(/\s+/g, " ")}.map((name) => import(name)));`,
    "register();",
    'await import("./src/cli/main.ts");',
    'await import("./src/project.ts");',
  ].join(" ");
  const copy = mkdtempSync(path.join(tmpdir(), "o11y-bench-copy-"));
  try {
    for (const file of projectFiles)
      cpSync(path.join(root, file), path.join(copy, file), { recursive: true });
    symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
    const build = ["bin/o11y.js", "build", "--out", outDir];
    return [
      measureProcess("node startup", ["-e", "0"], runs),
      measureProcess("load code + definitions (tsx)", ["--input-type=module", "-e", loadOnly], runs),
      measureProcess("o11y build through tsx", build, runs, 1, { env: { O11Y_CACHE: "off" } }),
      measureProcess("o11y build, bundle rebuilt", build, runs, 1, {
        cwd: copy,
        before: () => removeCached(copy, "cli-"),
      }),
      measureProcess("o11y build, type check run", build, runs, 1, {
        cwd: copy,
        before: () => removeCached(copy, "typecheck-"),
      }),
      measureProcess("o11y build", build, runs),
    ];
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
