/**
 * One size of the scale benchmark, in its own process so that its peak RSS is its own:
 *   node --expose-gc --import tsx bench/scale-child.ts <N> [--reps R] [--links]
 * Prints one JSON line (a ScaleSample) on stdout.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { allChecks } from "../src/engine/check/checks/index.ts";
import { formatDiagnostic } from "../src/engine/diagnostics.ts";
import { emit } from "../src/engine/emit/emit.ts";
import { compile } from "../src/engine/pipeline.ts";
import { helperCallsPerDashboard, syntheticProject } from "./synthetic.ts";

export interface ScaleSample {
  n: number;
  reps: number;
  links: boolean;
  /** Medians over the reps, in ms. */
  defineMs: number;
  compileMs: number;
  emitMs: number;
  /** JSON.stringify(dashboard, null, 2) of the same final JSON, plus writing those bytes. */
  floorMs: number;
  files: number;
  dashboardBytes: number;
  /** Peak RSS of the process up to the end of the first measured emit (floor excluded), KiB. */
  maxRssKb: number;
  /** Heap in use right after emit, the compile result still alive, MiB. */
  heapUsedMb: number;
  /** Defining the dashboards with stack traces off (Error.stackTraceLimit = 0), ms: the rest of defineMs is stack capture. */
  defineNoStackMs: number;
  defineWithStackMs: number;
  helperCalls: number;
}

const args = process.argv.slice(2);
const n = Number(args[0]);
const links = args.includes("--links");
const repsArg = args.indexOf("--reps");
const reps = repsArg >= 0 ? Number(args[repsArg + 1]) : n <= 100 ? 5 : n <= 1000 ? 3 : 1;
if (!Number.isInteger(n) || n <= 0) throw new Error("usage: scale-child.ts <N> [--reps R] [--links]");

// Without the full link mesh, the dashboard/links check would fail every synthetic dashboard; see README.md.
if (!links) allChecks.splice(allChecks.findIndex((c) => c.id === "dashboard/links"), 1);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = <T>(fn: () => T): [T, number] => {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
};

function once(size: number, dir: string) {
  const [project, defineMs] = time(() => syntheticProject(size, { links }));
  const [result, compileMs] = time(() => compile(project));
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    throw new Error(`synthetic project has ${errors.length} error(s):\n${errors.slice(0, 5).map(formatDiagnostic).join("\n")}`);
  }
  const outDir = path.join(dir, "build");
  rmSync(outDir, { recursive: true, force: true });
  const [, emitMs] = time(() => emit(outDir, result.artifacts));
  const maxRssKb = process.resourceUsage().maxRSS;
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;

  const dashboards = result.artifacts.filter((a) => a.schema === "grafana-dashboard");
  const docs = dashboards.map((a) => ({ name: path.basename(a.path), doc: JSON.parse(a.content) as unknown }));
  const floorDir = path.join(dir, "floor");
  rmSync(floorDir, { recursive: true, force: true });
  mkdirSync(floorDir);
  let dashboardBytes = 0;
  const [, floorMs] = time(() => {
    for (const { name, doc } of docs) {
      const text = JSON.stringify(doc, null, 2);
      dashboardBytes += text.length;
      writeFileSync(path.join(floorDir, name), text);
    }
  });
  return { defineMs, compileMs, emitMs, floorMs, files: result.artifacts.length, dashboardBytes, maxRssKb, heapUsedMb };
}

const dir = mkdtempSync(path.join(tmpdir(), "o11y-bench-scale-"));
try {
  once(Math.min(n, 50), dir); // warm-up: JIT and module state, so small N is not charged for it
  const runs = [];
  for (let i = 0; i < reps; i++) {
    gc();
    runs.push(once(n, dir));
  }
  // Stack capture cost: define the same dashboards with and without stack traces.
  gc();
  const [, defineWithStackMs] = time(() => syntheticProject(n, { links }));
  gc();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const [, defineNoStackMs] = time(() => syntheticProject(n, { links }));
  Error.stackTraceLimit = limit;

  const sample: ScaleSample = {
    n,
    reps,
    links,
    defineMs: median(runs.map((r) => r.defineMs)),
    compileMs: median(runs.map((r) => r.compileMs)),
    emitMs: median(runs.map((r) => r.emitMs)),
    floorMs: median(runs.map((r) => r.floorMs)),
    files: runs[0]!.files,
    dashboardBytes: runs[0]!.dashboardBytes,
    maxRssKb: runs[0]!.maxRssKb,
    heapUsedMb: runs[0]!.heapUsedMb,
    defineNoStackMs,
    defineWithStackMs,
    helperCalls: n * helperCallsPerDashboard,
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
