/**
 * The external tools as processes, started directly or through the watch's helper: a hung tool and everything it
 * started are killed, on its timeout, when its verdict is no longer wanted, and when o11y is interrupted (or the
 * helper stops); a tool that exits leaves nothing running; and a path that looks like an option reaches the tool as a
 * file.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildHelper, stopChildHelper } from "../../src/engine/child-process.ts";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { isAlive } from "../../src/engine/emit/owner.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { runTool } from "../../src/engine/validate/tools/tool.ts";
import { lineOf } from "../helpers/project.ts";
import { until } from "../helpers/until.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-tool-process-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/**
 * A tool that writes its pid, starts a child that sleeps (and writes its pid), then sleeps itself; or, with
 * `exits`, prints and exits, leaving the child running with its output open.
 */
function fakeTool(name: string, { exits = false } = {}): { file: string; pids: string } {
  const file = path.join(temp, name);
  const pids = path.join(temp, `${name}.pids`);
  const tail = exits ? 'echo "judged"\nexit 0' : "sleep 300";
  writeFileSync(file, `#!/bin/sh\necho $$ >> "${pids}"\nsleep 300 &\necho $! >> "${pids}"\n${tail}\n`);
  chmodSync(file, 0o755);
  return { file, pids };
}

const readPids = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number) : [];

/** Waits until every pid is gone (a zombie counts as gone); the pids still alive after `ms`. */
async function survivors(pids: number[], ms = 3_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = pids.filter((pid) => isAlive({ pid, start: 0 }));
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A live process's parent, from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

// Started by this process, and through the helper the watch starts them from (src/engine/child-process.ts).
describe.each([
  { how: "started directly", helper: false },
  { how: "started by the helper", helper: true },
])("a tool's process, $how", ({ helper }) => {
  beforeAll(() => {
    if (helper) startChildHelper();
  });
  afterAll(async () => {
    if (helper) await stopChildHelper();
  });

  it("hung, with a hung child: both are killed when its time is up, and its verdict says so", async () => {
    const { file, pids } = fakeTool(`hangs-${helper}`);
    const started = Date.now();
    const run = await runTool(file, [], temp, 700);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.error).toBe("killed after 0.7 s");
    expect(run.code).toBeNull();
    const both = readPids(pids);
    expect(both).toHaveLength(2);
    expect(await survivors(both)).toEqual([]);
  });

  it("exits, leaving a child that holds its output: read at once, and the child is killed", async () => {
    const { file, pids } = fakeTool(`exits-${helper}`, { exits: true });
    const started = Date.now();
    const run = await runTool(file, [], temp, 60_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run).toEqual({ code: 0, output: "judged\n" });
    expect(await survivors(readPids(pids))).toEqual([]);
  });

  it("that cannot start: a verdict, not a throw", async () => {
    const run = await runTool(path.join(temp, "no-such-tool"), [], temp, 1_000);
    expect(run.code).toBeNull();
    expect(run.error).toMatch(/ENOENT/);
  });

  it("whose verdict is no longer wanted (the build failed meanwhile): it and its child are killed", async () => {
    const { file, pids } = fakeTool(`unwanted-${helper}`);
    const stop = new AbortController();
    const running = runTool(file, [], temp, 60_000, stop.signal);
    await until(() => readPids(pids).length >= 2, "the fake tool and its child");
    // Through the helper, this process never forks: the tool is the helper's child.
    expect(parentOf(readPids(pids)[0]!) === process.pid).toBe(!helper);
    stop.abort();
    const run = await running;
    expect(run.error).toBe("killed: its verdict is no longer wanted");
    expect(await survivors(readPids(pids))).toEqual([]);
  });

  it("prints what it prints, byte for byte, and its exit code", async () => {
    const file = path.join(temp, `prints-${helper}`);
    writeFileSync(file, `#!/bin/sh\nprintf 'out \\342\\234\\223\\n'\nprintf 'err\\n' >&2\nexit 3\n`);
    chmodSync(file, 0o755);
    expect(await runTool(file, [], temp, 10_000)).toEqual({ code: 3, output: "out \u2713\nerr\n" });
  });
});

describe("the helper", () => {
  it("stopped while a tool runs: the tool and its child are killed, and the run ends with an error", async () => {
    startChildHelper();
    const { file, pids } = fakeTool("helper-stopped");
    const running = runTool(file, [], temp, 60_000);
    await until(() => readPids(pids).length >= 2, "the fake tool and its child");
    await stopChildHelper();
    const run = await running;
    expect(run.code).toBeNull();
    expect(run.error).toBeDefined();
    expect(await survivors(readPids(pids))).toEqual([]);
  });
});

describe("a tool's process", () => {
  it("hung while o11y build waits for it: SIGTERM kills the tool and its child, and nothing is written", async () => {
    const { file, pids } = fakeTool("hung-promtool");
    const out = path.join(temp, "interrupted", "build");
    const child = spawn(process.execPath, [path.join(projectRoot, "bin/o11y.js"), "build", "--out", out], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: "1", O11Y_PROMTOOL: file },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    // promtool runs more than once at a time (check config, and the unit tests): each run and its child must go.
    await until(() => readPids(pids).length >= 2, "the fake promtool and its child");
    child.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    expect(await survivors(readPids(pids))).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  });
});

describe("a path that reads like an option", () => {
  it("a rule file named --help is checked as a file by o11y and by promtool", () => {
    const dir = mkdtempSync(path.join(temp, "dashes-"));
    const fixture = path.join(projectRoot, "test/fixtures/prometheus3-rules.yaml");
    copyFileSync(fixture, path.join(dir, "--help"));
    const result = spawnSync(
      process.execPath,
      [path.join(projectRoot, "bin/o11y.js"), "check", "--format", "json", "--tools", "auto", "--", "--help"],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    expect(result.status, result.stderr).toBe(1);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
    const text = readFileSync(fixture, "utf8");
    // promtool's verdict on the Prometheus 3 syntax only it rejects: it read the file.
    expect(diagnostics.map((d) => [d.source.file, d.source.line, d.check])).toContainEqual([
      "--help",
      lineOf(text, `expr: '{"up"`),
      "tool/promtool",
    ]);
    expect(diagnostics.map((d) => d.check)).toContain("promql/syntax");
  });
});
