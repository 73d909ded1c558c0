/**
 * The external tools as processes: a hung tool and everything it started are killed, on its timeout and when
 * o11y is interrupted; a tool that exits leaves nothing running; and a path that looks like an option reaches
 * the tool as a file.
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
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { isAlive } from "../../src/engine/emit/owner.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { runTool } from "../../src/engine/validate/tools/tool.ts";
import { lineOf } from "../helpers/project.ts";

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

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a tool's process", () => {
  it("hung, with a hung child: both are killed when its time is up, and its verdict says so", async () => {
    const { file, pids } = fakeTool("hangs");
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
    const { file, pids } = fakeTool("exits", { exits: true });
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
