/**
 * npm run bench [-- --sizes 100,1000 --runs 5 --json --strict --links --profile]
 *
 * 1. The real build as a whole process (`node bin/o11y.js build`), wall time and peak RSS.
 * 2. compile() + emit() of N synthetic dashboards of 20 panels, against a floor of JSON.stringify + write of the
 *    same final JSON plus lezer-promql's parse of every panel query (the build must parse them all); the plain
 *    floor is printed beside it. See bench/README.md.
 * 3. `o11y check` over generated rule files of 1,000 to 10,000 rules.
 * 4. `o11y diff --base HEAD`, the pull-request path when the base's build/ is committed.
 * 5. Time per output (Kubernetes, Mimir, VictoriaMetrics), and vmalert's -dryRun.
 * 7. `o11y build --watch`: from a save to the build's line, for a dashboard edit and an alert edit.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { checkTargets, measureCheck, type CheckBenchRow } from "./check.ts";
import { measureDiff, type DiffBenchResult } from "./diff.ts";
import { importTargets, measureImport, type ImportBenchRow } from "./import.ts";
import { measureOutputs, type OutputBenchResult } from "./outputs.ts";
import { measureBuild, type ProcessResult } from "./process.ts";
import { summarizeProfile, type ProfileSummary } from "./profile.ts";
import { measureScale, type ScaleSample } from "./scale.ts";
import { panelsPerDashboard } from "./synthetic.ts";
import { measureWatch, watchTargets, type WatchBenchResult } from "./watch.ts";

/** Functions whose inclusive time the profile reports: the pipeline's stages, the kit's stack capture, the floor. */
const profiledStages = [
  "syntheticProject",
  "callerLocation",
  "compile",
  "compileModel",
  "checkModel",
  "renderGrafana",
  "renderPrometheus",
  "renderAlertmanager",
  "renderOutputs",
  "validateArtifacts",
  "manifestArtifact",
  "emit",
  "floor",
];

/**
 * floorRatio: compile + emit against the floor plus one parse of every panel query (issue 12, point 7);
 * startRatio: the whole build against `node -e 0` in the same run (issue 15, point 2).
 */
const targets = { buildMs: 500, startRatio: 5, floorRatio: 3, ratioAt: 1000, growth: 1.5 };

const { values: opts } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000,5000" },
    runs: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
    links: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "check-sizes": { type: "string", default: "1000,5000,10000" },
  },
});
const checkSizes = opts["check-sizes"].split(",").map(Number);
const sizes = opts.sizes.split(",").map(Number);
const runs = Number(opts.runs);
if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !(runs > 0))
  throw new Error("--sizes takes positive integers, e.g. 100,1000; --runs a count");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The value 90% of the samples are at or below. */
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.9) - 1]!;
const mb = (kb: number | null) => (kb === null ? "?" : `${(kb / 1024).toFixed(0)} MB`);
const ms = (x: number) => `${x < 100 ? x.toFixed(1) : x.toFixed(0)} ms`;
const progress = (text: string) => opts.json || process.stderr.write(`${text}\n`);

interface Check {
  name: string;
  pass: boolean | null;
  detail: string;
}

const tmp = mkdtempSync(path.join(tmpdir(), "o11y-bench-"));
let exitCode = 0;
try {
  // 1. Whole process.
  progress(`whole build: ${runs} runs after 1 warm-up ...`);
  const build = measureBuild(path.join(tmp, "build"), runs);
  const buildRow = build.at(-1)!;
  const buildMedian = median(buildRow.wallMs);

  // 2. Scale, one child per size.
  const scale = sizes.map((n) => {
    progress(`scale: N=${n} ...`);
    return derive(measureScale(n, { links: opts.links }));
  });

  // --profile: a CPU profile of N=1000.
  let profile: (ProfileSummary & { n: number }) | undefined;
  if (opts.profile) {
    const n = targets.ratioAt;
    progress(`profile: N=${n} with --cpu-prof ...`);
    const dir = path.join(tmp, "profile");
    measureScale(n, { links: opts.links, reps: 1, cpuProfDir: dir });
    // tsx's loader hooks run on a worker thread with its own profile; the main thread's has thread id 0.
    const files = readdirSync(dir).sort();
    const main = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0]!;
    profile = { n, ...summarizeProfile(path.join(dir, main), profiledStages) };
  }

  progress(`check: ${checkSizes.join(", ")} rules ...`);
  const check = measureCheck(checkSizes);
  progress("diff --base HEAD ...");
  const diff = measureDiff(runs);
  progress("import dashboard and rules ...");
  const imported = measureImport(runs);
  progress("outputs ...");
  const outputs = measureOutputs(runs);
  const saves = Math.max(10, runs * 2);
  progress(`build --watch: ${saves} saves of each edit ...`);
  const watching = await measureWatch(saves);

  const checks = [
    ...judge(buildMedian, buildRow.failure, scale),
    judgeStart(build),
    ...judgeWatch(watching),
    ...judgeCheckAndDiff(check, diff),
    judgeImport(imported),
  ];
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ environment: environment(), targets, build, scale, check, diff, imported, outputs, watching, checks, profile }, null, 2)}\n`,
    );
  } else {
    printReport(build, scale, profile, check, diff, outputs);
    printImport(imported);
    printWatch(watching);
    printTargets(checks, profile);
  }
  if (opts.strict && checks.some((c) => c.pass === false)) exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = exitCode;

function derive(s: ScaleSample) {
  const totalMs = s.compileMs + s.emitMs;
  const floorMs = s.floorStringifyMs + s.floorWriteMs;
  const stackMs = Math.max(0, s.defineWithStackMs - s.defineNoStackMs);
  return {
    ...s,
    totalMs,
    perDashboardMs: totalMs / s.n,
    floorMs,
    floorRatio: totalMs / floorMs,
    /** Against the floor plus parsing every panel query once: the least any build that checks its PromQL does. */
    parseFloorRatio: totalMs / (floorMs + s.parseQueriesMs),
    /** CPU only: compile() against JSON.stringify alone; steadier than the ratio when the disk is noisy. */
    cpuRatio: s.compileMs / s.floorStringifyMs,
    stackCaptureMs: stackMs,
    stackCaptureUsPerCall: (stackMs * 1000) / s.helperCalls,
  };
}
type ScaleRow = ReturnType<typeof derive>;

function judge(buildMedian: number, buildFailure: string | undefined, scale: ScaleRow[]): Check[] {
  const at = scale.find((s) => s.n === targets.ratioAt);
  const [small, large] = [scale[0]!, scale.at(-1)!].sort((a, b) => a.n - b.n) as [ScaleRow, ScaleRow];
  const growth = large.perDashboardMs / small.perDashboardMs;
  return [
    buildFailure
      ? {
          name: `build median < ${targets.buildMs} ms`,
          pass: false,
          detail: `the build failed (${buildFailure})`,
        }
      : {
          name: `build median < ${targets.buildMs} ms`,
          pass: buildMedian < targets.buildMs,
          detail: ms(buildMedian),
        },
    at
      ? {
          name: `N=${targets.ratioAt} within ${targets.floorRatio}x (floor + parse of every panel query)`,
          pass: at.parseFloorRatio <= targets.floorRatio,
          detail: `${at.parseFloorRatio.toFixed(1)}x (${at.floorRatio.toFixed(1)}x the plain floor)`,
        }
      : {
          name: `N=${targets.ratioAt} within ${targets.floorRatio}x (floor + parse of every panel query)`,
          pass: null,
          detail: `not measured (--sizes)`,
        },
    small.n === large.n
      ? { name: "linear growth", pass: null, detail: "needs two sizes" }
      : {
          name: `linear growth (per-dashboard at N=${large.n} <= ${targets.growth}x N=${small.n})`,
          pass: growth <= targets.growth,
          detail: `${growth.toFixed(2)}x`,
        },
  ];
}

function judgeCheckAndDiff(check: CheckBenchRow[], diff: DiffBenchResult): Check[] {
  const at = check.find((c) => c.rules === checkTargets.rules);
  const [small, large] = [check[0]!, check.at(-1)!];
  const growth = large.msPerThousand / small.msPerThousand;
  return [
    at
      ? {
          name: `check of ${checkTargets.rules} rules < ${checkTargets.ms} ms`,
          pass: at.wallMs < checkTargets.ms,
          detail: `${ms(at.wallMs)} (${ms(at.withPromtoolMs)} with --tools auto)`,
        }
      : {
          name: `check of ${checkTargets.rules} rules < ${checkTargets.ms} ms`,
          pass: null,
          detail: "not measured (--check-sizes)",
        },
    small.rules === large.rules
      ? { name: "check grows linearly", pass: null, detail: "needs two sizes" }
      : // The process start is a fixed cost: growth may only fall as the file grows.
        {
          name: `check grows linearly (per 1000 rules at ${large.rules} <= ${checkTargets.growth}x at ${small.rules})`,
          pass: growth <= checkTargets.growth,
          detail: `${growth.toFixed(2)}x`,
        },
    { name: `diff --base HEAD < ${diff.targetMs} ms`, pass: diff.withinTarget, detail: ms(diff.medianMs) },
  ];
}

function environment() {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "?",
  };
}

/** Columns padded to width; all but the first right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map(
      (r) =>
        "  " +
        r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("   "),
    )
    .join("\n");
}

function printReport(
  build: ProcessResult[],
  scale: ScaleRow[],
  profile: (ProfileSummary & { n: number }) | undefined,
  check: CheckBenchRow[],
  diff: DiffBenchResult,
  outputs: OutputBenchResult,
) {
  const env = environment();
  const out: string[] = [];
  out.push(`o11y bench   node ${env.node}, ${env.platform}, ${env.cpus} x ${env.cpu}`, "");
  out.push(`1. Whole process: ${runs} runs after 1 warm-up (peak RSS via ${build[0]!.rssVia})`);
  out.push(
    table([
      ["command", "median", "max", "peak RSS (max)"],
      ...build.map((b) => [
        b.label,
        ms(median(b.wallMs)),
        ms(Math.max(...b.wallMs)),
        mb(Math.max(...b.maxRssKb.map((k) => k ?? 0)) || null),
      ]),
    ]),
  );
  out.push(`  ${build.at(-1)!.command.replace(/--out \S+/, "--out <tmp>")}`);
  for (const b of build)
    if (b.failure) out.push(`  ${b.label} FAILED, its times are of a failed run: ${b.failure}`);
  out.push("");

  out.push(
    `2. At scale: N dashboards x ${panelsPerDashboard} panels, compile() + emit() in-process, one child process per size`,
  );
  if (!scale[0]!.links)
    out.push(
      "   (the dashboard/links check is left out: it demands N x (N-1) links; --links keeps it and links the mesh)",
    );
  out.push(
    table([
      [
        "N",
        "reps",
        "define",
        "compile",
        "emit",
        "compile+emit",
        "per dash",
        "floor (stringify + write)",
        "ratio",
        "compile / stringify",
      ],
      ...scale.map((s) => [
        String(s.n),
        String(s.reps),
        ms(s.defineMs),
        ms(s.compileMs),
        ms(s.emitMs),
        ms(s.totalMs),
        `${s.perDashboardMs.toFixed(2)} ms`,
        `${ms(s.floorMs)} (${s.floorStringifyMs.toFixed(0)} + ${s.floorWriteMs.toFixed(0)})`,
        `${s.floorRatio.toFixed(1)}x`,
        `${s.cpuRatio.toFixed(1)}x`,
      ]),
    ]),
  );
  out.push(
    "  floor = JSON.stringify(dashboard, null, 2) + writeFileSync of the same final JSON, one file each",
  );
  out.push(
    "  ratio = (compile + emit) / floor; compile / stringify is the CPU-only part, steadier when the disk is noisy",
  );
  out.push("");
  out.push(
    table([
      ["N", "panel queries", "lezer parse alone", "floor + parse", "ratio to floor + parse"],
      ...scale.map((s) => [
        String(s.n),
        String(s.queries),
        ms(s.parseQueriesMs),
        ms(s.floorMs + s.parseQueriesMs),
        `${s.parseFloorRatio.toFixed(1)}x`,
      ]),
    ]),
  );
  out.push(
    "  parse = lezer-promql's parse of every panel query, variables substituted, nothing else: the target's yardstick",
  );
  out.push("");
  out.push(
    table([
      ["N", "peak RSS", "heap after emit", "files", "dashboard JSON"],
      ...scale.map((s) => [
        String(s.n),
        mb(s.maxRssKb),
        `${s.heapUsedMb.toFixed(0)} MB`,
        String(s.files),
        `${(s.dashboardBytes / 2 ** 20).toFixed(1)} MB`,
      ]),
    ]),
  );
  out.push("");
  out.push("  Stack capture in the kit helpers (define time with Error.stackTraceLimit = 0 vs normal):");
  out.push(
    table([
      ["N", "helper calls", "define", "define, no stacks", "stack capture", "per call", "share of define"],
      ...scale.map((s) => [
        String(s.n),
        String(s.helperCalls),
        ms(s.defineWithStackMs),
        ms(s.defineNoStackMs),
        ms(s.stackCaptureMs),
        `${s.stackCaptureUsPerCall.toFixed(1)} us`,
        `${((100 * s.stackCaptureMs) / s.defineWithStackMs).toFixed(0)}%`,
      ]),
    ]),
  );
  out.push("");

  out.push("3. o11y check over generated rule files, whole process, median of 3 after 1 warm-up");
  out.push(
    table([
      ["rules", "wall", "per 1000 rules", "findings", "with promtool (--tools auto)"],
      ...check.map((c) => [
        String(c.rules),
        ms(c.wallMs),
        ms(c.msPerThousand),
        String(c.diagnostics),
        ms(c.withPromtoolMs),
      ]),
    ]),
  );
  out.push(
    "  --tools auto: promtool check rules judges the file too, in its own process meanwhile (by default it does not, for rule files)",
  );
  out.push("");
  out.push(
    `4. ${diff.command}: median ${ms(diff.medianMs)} over ${diff.wallMs.length} runs (${diff.wallMs.join(", ")} ms)`,
  );
  out.push(`  ${diff.output}`);
  out.push("");

  if (profile) {
    out.push(
      `5. CPU profile, N=${profile.n}, one child process (warm-up and floor included): ${ms(profile.totalMs)} sampled`,
    );
    out.push(
      table([
        ["inclusive time of", "total", "%"],
        ...profile.stages.map((f) => [
          f.name,
          ms(f.totalMs),
          `${((100 * f.totalMs) / profile.totalMs).toFixed(1)}%`,
        ]),
      ]),
    );
    out.push("");
    out.push(
      table([
        ["self time by function", "self", "%"],
        ...profile.functions.map((f) => [
          f.name,
          ms(f.selfMs),
          `${((100 * f.selfMs) / profile.totalMs).toFixed(1)}%`,
        ]),
      ]),
    );
    out.push("");
    out.push(
      table([
        ["self time by file / package", "self", "%"],
        ...profile.files.map((f) => [
          f.name,
          ms(f.selfMs),
          `${((100 * f.selfMs) / profile.totalMs).toFixed(1)}%`,
        ]),
      ]),
    );
    out.push("");
  }

  out.push("5. Time per output (in-process: render + schema validation + invariant, median)");
  out.push(
    table([
      ["output", "files", "bytes", "time"],
      ...outputs.rows.map((r) => [r.output, String(r.files), String(r.bytes), ms(r.ms)]),
    ]),
  );
  out.push(
    outputs.vmalertMs === undefined
      ? "  vmalert -dryRun: not installed"
      : `  vmalert -dryRun over the VictoriaMetrics rule files: ${ms(outputs.vmalertMs)} wall (beside promtool and amtool in the gate)`,
  );
  out.push("");
  process.stdout.write(`${out.join("\n")}\n`);
}

function printTargets(checks: Check[], profile: ProfileSummary | undefined) {
  const out = ["Targets:"];
  for (const c of checks)
    out.push(`  ${c.pass === null ? "n/a " : c.pass ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`);
  if (!profile && checks[1]?.pass === false) out.push(`  (run with --profile to see where the time goes)`);
  process.stdout.write(`${out.join("\n")}\n`);
}

/** The warm build as a whole process against bare `node -e 0`, both measured in this run. */
function judgeStart(build: ProcessResult[]): Check {
  const node = build.find((b) => b.label === "node startup")!;
  const whole = build.at(-1)!;
  const name = `build within ${targets.startRatio}x node -e 0`;
  if (whole.failure) return { name, pass: false, detail: `the build failed (${whole.failure})` };
  const ratio = median(whole.wallMs) / median(node.wallMs);
  return {
    name,
    pass: ratio <= targets.startRatio,
    detail: `${ratio.toFixed(1)}x (${ms(median(whole.wallMs))} / ${ms(median(node.wallMs))})`,
  };
}

function judgeWatch(watching: WatchBenchResult): Check[] {
  return watching.rows.map((row) => {
    const name = `build --watch, save to line (${row.label}) median < ${watchTargets.medianMs} ms`;
    if (row.failure) return { name, pass: false, detail: `a build failed: ${row.failure}` };
    return {
      name,
      pass: median(row.wallMs) < watchTargets.medianMs,
      detail: `${ms(median(row.wallMs))}, p90 ${ms(p90(row.wallMs))}`,
    };
  });
}

function printWatch(watching: WatchBenchResult) {
  const out = [
    "",
    `7. ${watching.command}: from a save (the file written) to the build's line; first build ${ms(watching.startMs)} after the start`,
    table([
      ["edit", "file", "saves", "median", "p90", "max"],
      ...watching.rows.map((r) => [
        r.label,
        r.file,
        String(r.wallMs.length),
        ms(median(r.wallMs)),
        ms(p90(r.wallMs)),
        ms(Math.max(...r.wallMs)),
      ]),
    ]),
  ];
  if (watching.floor.length > 0)
    out.push(
      "",
      "   the alert's floor: the tools its save runs, over the same build's files, each alone (promtool started at its run, as\n   o11y build runs it, and started before it, as the watch runs it) and all three at once",
      table([
        ["tool", "runs", "median", "min"],
        ...watching.floor.map((r) => [
          r.label,
          String(r.wallMs.length),
          ms(median(r.wallMs)),
          ms(Math.min(...r.wallMs)),
        ]),
      ]),
    );
  out.push("");
  process.stdout.write(`${out.join("\n")}\n`);
}

function judgeImport(imported: ImportBenchRow[]): Check {
  const name = `import of a ${importTargets.panels}-panel dashboard < ${importTargets.ms} ms`;
  const row = imported.find((r) => r.kind === "dashboard" && r.panels === importTargets.panels && !r.cold);
  if (!row) return { name, pass: null, detail: "no dashboard of that size" };
  if (row.failure) return { name, pass: false, detail: `the import failed (${row.failure})` };
  const wall = median(row.wallMs);
  const cpu = row.cpuMs?.every((c) => c !== null) ? `, ${ms(median(row.cpuMs as number[]))} CPU` : "";
  return { name, pass: wall < importTargets.ms, detail: `${ms(wall)} for ${row.panels} panels${cpu}` };
}

function printImport(imported: ImportBenchRow[]) {
  const cpu = (r: ImportBenchRow) =>
    r.cpuMs?.every((c) => c !== null) ? ms(median(r.cpuMs as number[])) : "n/a";
  const out = [
    `6. o11y import dashboard and rules --dry-run, whole process: ${runs} runs after 1 warm-up`,
    table([
      ["input", "size", "median", "max", "CPU (median)"],
      ...imported.map((r) => [
        r.fixture,
        r.kind === "dashboard" ? `${r.size} panels` : `${r.size} rules`,
        ms(median(r.wallMs)),
        ms(Math.max(...r.wallMs)),
        cpu(r),
      ]),
    ]),
  ];
  for (const r of imported) if (r.failure) out.push(`  ${r.fixture} FAILED: ${r.failure}`);
  process.stdout.write(`${out.join("\n")}\n`);
}
