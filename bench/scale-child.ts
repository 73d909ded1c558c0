/**
 * One size of the scale benchmark, in its own process so that its peak RSS is its own:
 *   node --import tsx bench/scale-child.ts <N> [--reps R] [--links]
 * Prints one JSON line (a ScaleSample) on stdout.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { allChecks } from "../src/engine/check/checks/index.ts";
import { formatDiagnostic } from "../src/engine/diagnostics.ts";
import { emit } from "../src/engine/emit/emit.ts";
import { compile } from "../src/engine/pipeline.ts";
import { substituteVariables } from "../src/engine/promql/grafana-variables.ts";
import { helperCallsPerDashboard, syntheticProject } from "./synthetic.ts";

export interface ScaleSample {
  n: number;
  reps: number;
  links: boolean;
  /** Medians over the reps, in ms. */
  defineMs: number;
  compileMs: number;
  emitMs: number;
  /** The floor: JSON.stringify(dashboard, null, 2) of the same final JSON, then writing those bytes, one file each. */
  floorStringifyMs: number;
  floorWriteMs: number;
  /**
   * What the target adds to the floor: lezer-promql's parse of every panel query (variables substituted), nothing
   * else. No build that parses every query can be faster than floor + this; N=1000 must be within 3x of it.
   */
  parseQueriesMs: number;
  queries: number;
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
const reps = repsArg >= 0 ? Number(args[repsArg + 1]) : n <= 100 ? 7 : n <= 1000 ? 3 : 1;
if (!Number.isInteger(n) || n <= 0) throw new Error("usage: scale-child.ts <N> [--reps R] [--links]");

// Without the full link mesh, the dashboard/links check would fail every synthetic dashboard; see bench/README.md.
const linksCheck = allChecks.findIndex((c) => c.id === "dashboard/links");
if (!links && linksCheck >= 0) allChecks.splice(linksCheck, 1);

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
    throw new Error(
      `synthetic project has ${errors.length} error(s):\n${errors.slice(0, 5).map(formatDiagnostic).join("\n")}`,
    );
  }
  const outDir = path.join(dir, "build");
  rmSync(outDir, { recursive: true, force: true });
  const [, emitMs] = time(() => emit(outDir, result.artifacts));
  const maxRssKb = process.resourceUsage().maxRSS;
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;

  const docs = result.artifacts
    .filter((a) => a.schema === "grafana-dashboard")
    .map((a) => ({ name: path.basename(a.path), doc: JSON.parse(a.content) as unknown }));
  const { stringifyMs, writeMs, dashboardBytes } = floor(docs, path.join(dir, "floor"));
  const queries = result.model.dashboards.flatMap((d) =>
    d.panels.flatMap((p) => p.targets.map((t) => substituteVariables(t.expr))),
  );
  const [, parseQueriesMs] = time(() => queries.forEach((q) => parser.parse(q)));
  return {
    defineMs,
    compileMs,
    emitMs,
    stringifyMs,
    writeMs,
    parseQueriesMs,
    queries: queries.length,
    files: result.artifacts.length,
    dashboardBytes,
    maxRssKb,
    heapUsedMb,
  };
}

/** The least any build must do: serialize each final dashboard JSON and write it to its own file. */
function floor(docs: Array<{ name: string; doc: unknown }>, floorDir: string) {
  rmSync(floorDir, { recursive: true, force: true });
  mkdirSync(floorDir);
  let stringifyMs = 0;
  let writeMs = 0;
  let dashboardBytes = 0;
  for (const { name, doc } of docs) {
    const [text, serialized] = time(() => JSON.stringify(doc, null, 2));
    const [, written] = time(() => writeFileSync(path.join(floorDir, name), text));
    stringifyMs += serialized;
    writeMs += written;
    dashboardBytes += text.length;
  }
  return { stringifyMs, writeMs, dashboardBytes };
}

const dir = mkdtempSync(path.join(tmpdir(), "o11y-bench-scale-"));
try {
  // Warm-up, so that small N is not charged for JIT compilation. No forced gc() between runs: a full GC
  // right before compile() made it ~1.6x slower at N=100 (V8 shrinks the young generation again).
  for (let i = 0; i < 2; i++) once(Math.min(n, 100), dir);
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(once(n, dir));
  // Stack capture cost: define the same dashboards with and without stack traces.
  const [, defineWithStackMs] = time(() => syntheticProject(n, { links }));
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
    floorStringifyMs: median(runs.map((r) => r.stringifyMs)),
    floorWriteMs: median(runs.map((r) => r.writeMs)),
    parseQueriesMs: median(runs.map((r) => r.parseQueriesMs)),
    queries: runs[0]!.queries,
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
