/**
 * Part 7: `o11y build --watch` on the real project, in a copy of it: the time from a save (the file written) to
 * the line that says the build is done, for an edit of a dashboard (a panel's title: only Grafana's files and the
 * runbook's table change, so promtool, amtool and vmalert answer from their verdict cache) and of an alert (its
 * summary: the rule files change, so promtool, vmalert and that group's promtool tests run again). Then the floor
 * of the alert's save: the tools it must run, timed alone over the same files.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promtool } from "../src/engine/validate/tools/promtool.ts";
import {
  disableStandbys,
  enableStandbys,
  refillStandbys,
  runStaged,
} from "../src/engine/validate/tools/standby.ts";
import { findExecutable } from "../src/engine/validate/tools/tool.ts";
import { vmalert } from "../src/engine/validate/tools/vmalert.ts";
import { root } from "./process.ts";

export const watchTargets = { medianMs: 150 };

/** One kind of edit: the file, and its text with the edit named `n`. */
interface Edit {
  label: string;
  file: string;
  from: string;
  to: (n: string) => string;
  /** The promtool test file of the group it changes, in build/: the floor is timed over it. */
  tests?: string;
}

const edits: Edit[] = [
  {
    label: "dashboard panel title",
    file: "src/dashboards/phoenix-metrics.ts",
    from: 'title: "Request rate",',
    to: (n) => `title: "Request rate ${n}",`,
  },
  {
    label: "alert summary",
    file: "src/alerts/scrape.ts",
    from: 'summary: "Prometheus cannot scrape a Global Sovereign metrics endpoint.",',
    to: (n) => `summary: "Prometheus cannot scrape a Global Sovereign metrics endpoint (${n}).",`,
    tests: "prometheus/tests/alerts/scrape.test.yaml",
  },
];

/** The wall time of one tool run over the build's files, each time. */
export interface ToolFloorRow {
  label: string;
  wallMs: number[];
}

export interface WatchBenchRow {
  label: string;
  file: string;
  /** From writing the file to the build's line, each save. */
  wallMs: number[];
  /** A save whose build did not say "built". */
  failure?: string;
}

export interface WatchBenchResult {
  command: string;
  /** The first build, from the start of the process. */
  startMs: number;
  rows: WatchBenchRow[];
  /**
   * What the alert's save runs that no build can do without: each tool alone over the build's files, and all of
   * them at once, as the build runs them (empty without promtool or vmalert).
   */
  floor: ToolFloorRow[];
}

const copied = ["src", "bin", "schemas", "RUNBOOK.md", "package.json", "package-lock.json", "tsconfig.json"];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `saves` saves of each edit, one at a time, each after the previous build's line and a pause. */
export async function measureWatch(saves: number): Promise<WatchBenchResult> {
  const temp = mkdtempSync(path.join(tmpdir(), "o11y-bench-watch-"));
  const copy = path.join(temp, "project");
  for (const name of copied) cpSync(path.join(root, name), path.join(copy, name), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  const out = path.join(temp, "build");
  const args = ["bin/o11y.js", "build", "--watch", "--out", out];
  // The tools' verdicts are kept under node_modules/, which the copy shares: an edit of an earlier run must not be
  // answered from them.
  const run = randomBytes(4).toString("hex");
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: copy, stdio: ["ignore", "pipe", "pipe"] });
  const waiting: Array<(line: { text: string; at: number }) => void> = [];
  let partial = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const at = performance.now();
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop()!;
    // Type-check lines are not a build's.
    for (const text of lines) if (!/ type check: /.test(text)) waiting.shift()?.({ text, at });
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const nextLine = () =>
    Promise.race([
      new Promise<{ text: string; at: number }>((resolve) => waiting.push(resolve)),
      exited.then(() => {
        throw new Error(`the watch exited: ${stderr.trim().split("\n").at(-1) ?? ""}`);
      }),
    ]);
  try {
    const first = await nextLine();
    const rows: WatchBenchRow[] = [];
    for (const edit of edits) {
      const file = path.join(copy, edit.file);
      const original = readFileSync(file, "utf8");
      if (!original.includes(edit.from)) throw new Error(`${edit.file} no longer holds ${edit.from}`);
      const row: WatchBenchRow = { label: edit.label, file: edit.file, wallMs: [] };
      for (let n = 1; n <= saves + 1; n++) {
        await pause(300);
        const line = nextLine();
        const saved = performance.now();
        writeFileSync(file, original.replace(edit.from, edit.to(`${run}-${n}`)));
        const { text, at } = await line;
        // The first save of each edit warms what that edit runs (its tool verdicts, the engine's paths): not counted.
        if (n > 1) row.wallMs.push(at - saved);
        if (!/ built \d+ files /.test(text)) row.failure ??= text;
      }
      writeFileSync(file, original);
      await nextLine();
      rows.push(row);
    }
    const tests = edits.find((edit) => edit.tests)?.tests;
    const floor = tests ? await measureToolFloor(copy, out, tests, saves) : [];
    return {
      command: `node ${args.slice(0, 3).join(" ")} --out <tmp>`,
      startMs: first.at - started,
      rows,
      floor,
    };
  } finally {
    child.kill("SIGINT");
    await exited;
    rmSync(temp, { recursive: true, force: true });
  }
}

/** One run of `file` with `args` in `cwd`, to its exit: its wall time (ms). */
function timed(file: string, args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${file} ${args.join(" ")}: exit ${code}`)),
    );
  });
}

/**
 * The tools an alert's save makes the build run, over the build in `out`: the group's promtool tests (`tests`),
 * promtool check config and vmalert -dryRun, with the build's own arguments, `runs` times each, alone, then all three
 * at once. A save of that alert cannot print its line sooner than they finish. Each promtool run is timed twice: started
 * at its run, as `o11y build` runs it, and started before it (a standby, src/engine/validate/tools/standby.ts), as the
 * watch runs it; all three at once are the watch's.
 */
async function measureToolFloor(
  project: string,
  out: string,
  tests: string,
  runs: number,
): Promise<ToolFloorRow[]> {
  const promtoolFile = findExecutable(promtool);
  const vmalertFile = findExecutable(vmalert);
  if ("missing" in promtoolFile || "missing" in vmalertFile) return [];
  const ruleFiles = (dir: string) =>
    readdirSync(path.join(out, dir), { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".yaml"))
      .map((name) => path.posix.join(dir, name.split(path.sep).join("/")))
      .sort();
  const promtoolRuns = [
    {
      label: `promtool test rules ${path.posix.basename(tests)}`,
      args: ["test", "rules", path.posix.basename(tests)],
      relativeDir: path.posix.dirname(tests),
      entry: path.posix.basename(tests),
    },
    {
      label: "promtool check config",
      args: promtool.args("prometheus.yml"),
      relativeDir: "prometheus",
      entry: "prometheus.yml",
    },
  ];
  const vmalertRun = () =>
    timed(vmalertFile.file, vmalert.args(vmalert.entry, ruleFiles("victoriametrics/rules")), out);
  const cold = promtoolRuns.map((run) => ({
    label: run.label,
    run: () => timed(promtoolFile.file, run.args, path.join(out, run.relativeDir)),
  }));
  const standby = (run: (typeof promtoolRuns)[number]) => async () => {
    const started = performance.now();
    const done = await runStaged(promtoolFile.file, run.args, out, run.relativeDir, run.entry, true);
    if (done.code !== 0 || !done.standby) throw new Error(`${run.label}: ${done.error ?? done.output}`);
    return performance.now() - started;
  };
  const warm = promtoolRuns.map((run) => ({ label: `${run.label}, started before`, run: standby(run) }));
  const rows: ToolFloorRow[] = [...cold, ...warm, { label: "vmalert -dryRun" }].map(({ label }) => ({
    label,
    wallMs: [],
  }));
  const together: ToolFloorRow = { label: "all three at once, as the watch runs them", wallMs: [] };
  // The standbys started, and given the time the watch gives them between saves to be ready.
  const started = () => refillStandbys().then(() => pause(300));
  enableStandbys(project);
  try {
    // Each run is wanted once: then a standby waits for it.
    for (const run of promtoolRuns)
      await runStaged(promtoolFile.file, run.args, out, run.relativeDir, run.entry, true);
    for (let n = 0; n < runs; n++) {
      for (const [i, tool] of cold.entries()) rows[i]!.wallMs.push(await tool.run());
      for (const [i, tool] of warm.entries()) {
        await started();
        rows[cold.length + i]!.wallMs.push(await tool.run());
      }
      rows.at(-1)!.wallMs.push(await vmalertRun());
      await started();
      const at = performance.now();
      await Promise.all([...warm.map((tool) => tool.run()), vmalertRun()]);
      together.wallMs.push(performance.now() - at);
    }
  } finally {
    await disableStandbys();
  }
  return [...rows, together];
}
