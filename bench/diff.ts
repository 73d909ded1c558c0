/**
 * `o11y diff --base HEAD` as a whole process: the path a pull request takes when the base's build/ is
 * committed and fresh (target: within 2 s). Standalone: `node --import tsx bench/diff.ts [--runs N]`.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const targetMs = 2000;

export interface DiffBenchResult {
  command: string;
  wallMs: number[];
  medianMs: number;
  targetMs: number;
  withinTarget: boolean;
  /** The report's first line, to show what was compared. */
  output: string;
}

function once(): { ms: number; output: string } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ["bin/o11y.js", "diff", "--base", "HEAD"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const ms = performance.now() - start;
  if (child.status !== 0)
    throw new Error(`o11y diff exited ${child.status ?? child.signal}: ${child.stderr.trim()}`);
  return { ms, output: child.stdout.split("\n")[0]! };
}

export function measureDiff(count = runs): DiffBenchResult {
  once(); // warm-up: tsx's transform cache
  const samples = Array.from({ length: count }, once);
  const wallMs = samples.map((s) => Math.round(s.ms));
  const medianMs = [...wallMs].sort((a, b) => a - b)[Math.floor(wallMs.length / 2)]!;
  return {
    command: "node bin/o11y.js diff --base HEAD",
    wallMs,
    medianMs,
    targetMs,
    withinTarget: medianMs <= targetMs,
    output: samples[0]!.output,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = measureDiff();
  process.stdout.write(
    `${result.command}: median ${result.medianMs} ms over ${result.wallMs.length} runs (${result.wallMs.join(", ")} ms); target ${result.targetMs} ms: ${result.withinTarget ? "met" : "MISSED"}\n  ${result.output}\n`,
  );
  process.exitCode = result.withinTarget ? 0 : 1;
}
