/**
 * Once o11y is interrupted, no external tool starts: the ones running are killed, and a run asked for afterwards (the
 * next of a queue, started as the killed one ends) is refused. A file of its own: the interruption is for good, in
 * this process.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { interruptTools, runTool } from "../../src/engine/validate/tools/tool.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-tool-interrupted-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A tool that writes its pid to `started`, then hangs. */
function hungTool(name: string): { file: string; started: string } {
  const file = path.join(temp, name);
  const started = path.join(temp, `${name}.started`);
  writeFileSync(file, `#!/bin/sh\necho $$ > "${started}"\nsleep 300\n`);
  chmodSync(file, 0o755);
  return { file, started };
}

it("kills the tools running, and starts none after", async () => {
  const first = hungTool("first");
  const running = runTool(first.file, [], temp, 60_000);
  const deadline = Date.now() + 30_000;
  while (!existsSync(first.started) || readFileSync(first.started, "utf8") === "") {
    if (Date.now() > deadline) throw new Error("the first tool never started");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const started = Date.now();
  interruptTools();
  const run = await running;
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(run.code).toBeNull();
  expect(run.error).toBe("killed by SIGKILL");

  const next = hungTool("next");
  expect(await runTool(next.file, [], temp, 60_000)).toEqual({
    code: null,
    output: "",
    error: "not run: o11y was interrupted",
  });
  expect(existsSync(next.started)).toBe(false);
});
