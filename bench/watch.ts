/**
 * Part 7: `o11y build --watch` on the real project, in a copy of it: the time from a save (the file written) to
 * the line that says the build is done, for an edit of a dashboard (a panel's title: only Grafana's files and the
 * runbook's table change, so promtool, amtool and vmalert answer from their verdict cache) and of an alert (its
 * summary: the rule files change, so promtool, vmalert and that group's promtool tests run again).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "./process.ts";

export const watchTargets = { medianMs: 150 };

/** One kind of edit: the file, and its text with the edit numbered `n`. */
interface Edit {
  label: string;
  file: string;
  from: string;
  to: (n: number) => string;
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
  },
];

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
}

const copied = ["src", "bin", "schemas", "RUNBOOK.md", "package.json", "package-lock.json", "tsconfig.json"];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `saves` saves of each edit, one at a time, each after the previous build's line and a pause. */
export async function measureWatch(saves: number): Promise<WatchBenchResult> {
  const temp = mkdtempSync(path.join(tmpdir(), "o11y-bench-watch-"));
  const copy = path.join(temp, "project");
  for (const name of copied) cpSync(path.join(root, name), path.join(copy, name), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  const args = ["bin/o11y.js", "build", "--watch", "--out", path.join(temp, "build")];
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
        writeFileSync(file, original.replace(edit.from, edit.to(n)));
        const { text, at } = await line;
        // The first save of each edit warms what that edit runs (its tool verdicts, the engine's paths): not counted.
        if (n > 1) row.wallMs.push(at - saved);
        if (!/ built \d+ files /.test(text)) row.failure ??= text;
      }
      writeFileSync(file, original);
      await nextLine();
      rows.push(row);
    }
    return { command: `node ${args.slice(0, 3).join(" ")} --out <tmp>`, startMs: first.at - started, rows };
  } finally {
    child.kill("SIGINT");
    await exited;
    rmSync(temp, { recursive: true, force: true });
  }
}
