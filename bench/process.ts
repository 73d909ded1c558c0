/** Part 1: the real build as a whole process, wall time and peak RSS per run. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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
  rssVia: "/usr/bin/time -v" | "process.resourceUsage";
  /** Set when a run exited non-zero: its exit status and the last line of its stderr. */
  failure?: string;
}

/** One run of `node <args>`: wall time measured here, peak RSS from GNU time or from a preloaded exit hook. */
function runOnce(nodeArgs: string[]): { ms: number; rssKb: number | null; failure?: string } {
  const viaTime = existsSync(gnuTime);
  const [cmd, args] = viaTime ? [gnuTime, ["-v", process.execPath, ...nodeArgs]] : [process.execPath, ["--import", rssHook, ...nodeArgs]];
  const start = performance.now();
  const child = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  const ms = performance.now() - start;
  const match = /Maximum resident set size \(kbytes\): (\d+)|\[bench-maxrss-kb\] (\d+)/.exec(child.stderr);
  const rssKb = match ? Number(match[1] ?? match[2]) : null;
  if (child.status === 0) return { ms, rssKb };
  // GNU time reports the child's non-zero status as "Command exited with non-zero status N"; skip its report.
  const lines = child.stderr.split("\n").filter((l) => l.trim() && !l.startsWith("\t") && !l.startsWith("Command exited") && !l.startsWith("[bench"));
  return { ms, rssKb, failure: `exit ${child.status ?? child.signal}: ${lines.at(-1)?.trim() ?? ""}` };
}

export function measureProcess(label: string, nodeArgs: string[], runs: number, warmups = 1): ProcessResult {
  for (let i = 0; i < warmups; i++) runOnce(nodeArgs);
  const samples = Array.from({ length: runs }, () => runOnce(nodeArgs));
  const failure = samples.find((s) => s.failure)?.failure;
  return {
    label,
    command: `node ${nodeArgs.join(" ")}`,
    wallMs: samples.map((s) => s.ms),
    maxRssKb: samples.map((s) => s.rssKb),
    rssVia: existsSync(gnuTime) ? "/usr/bin/time -v" : "process.resourceUsage",
    ...(failure ? { failure } : {}),
  };
}

/** The build, plus two baselines that split its time: bare node startup, and loading every module without compiling. */
export function measureBuild(outDir: string, runs: number): ProcessResult[] {
  // The same start as bin/o11y.js: its head start for the plain-JavaScript dependencies, then tsx's hooks.
  const preload = /const plainDependencies = (\[[^\]]*\]);/.exec(readFileSync(path.join(root, "bin", "o11y.js"), "utf8"))?.[1] ?? "[]";
  const loadOnly = [
    'import { register } from "tsx/esm/api";',
    `await Promise.allSettled(${preload.replace(/\/\/.*$/gm, "").replace(/\s+/g, " ")}.map((name) => import(name)));`,
    "register();",
    'await import("./src/cli/main.ts");',
    'await import("./src/project.ts");',
  ].join(" ");
  return [
    measureProcess("node startup", ["-e", "0"], runs),
    measureProcess("load code + definitions", ["--input-type=module", "-e", loadOnly], runs),
    measureProcess("o11y build", ["bin/o11y.js", "build", "--out", outDir], runs),
  ];
}
