/** Part 1: the real build as a whole process, wall time and peak RSS per run. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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
}

/** One run of `node <args>`: wall time measured here, peak RSS from GNU time or from a preloaded exit hook. */
function runOnce(nodeArgs: string[]): { ms: number; rssKb: number | null } {
  const viaTime = existsSync(gnuTime);
  const [cmd, args] = viaTime ? [gnuTime, ["-v", process.execPath, ...nodeArgs]] : [process.execPath, ["--import", rssHook, ...nodeArgs]];
  const start = performance.now();
  const child = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  const ms = performance.now() - start;
  if (child.status !== 0) throw new Error(`node ${nodeArgs.join(" ")} failed (${child.status ?? child.signal}):\n${child.stderr}`);
  const match = /Maximum resident set size \(kbytes\): (\d+)|\[bench-maxrss-kb\] (\d+)/.exec(child.stderr);
  return { ms, rssKb: match ? Number(match[1] ?? match[2]) : null };
}

export function measureProcess(label: string, nodeArgs: string[], runs: number, warmups = 1): ProcessResult {
  for (let i = 0; i < warmups; i++) runOnce(nodeArgs);
  const samples = Array.from({ length: runs }, () => runOnce(nodeArgs));
  return {
    label,
    command: `node ${nodeArgs.join(" ")}`,
    wallMs: samples.map((s) => s.ms),
    maxRssKb: samples.map((s) => s.rssKb),
    rssVia: existsSync(gnuTime) ? "/usr/bin/time -v" : "process.resourceUsage",
  };
}

/** The build, plus two baselines that split its time: bare node startup, and loading every module without compiling. */
export function measureBuild(outDir: string, runs: number): ProcessResult[] {
  const loadOnly = [
    'import { register } from "tsx/esm/api";',
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
