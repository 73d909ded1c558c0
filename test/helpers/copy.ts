/** Copies of the project (node_modules linked), for tests that edit sources and run the CLI in them. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";

const copied = ["src", "bin", "schemas", "RUNBOOK.md", "package.json", "package-lock.json", "tsconfig.json"];

/** A maker of fresh copies under one temporary folder, removed after the test file. */
export function projectCopies(prefix: string): () => string {
  const temp = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  let copies = 0;
  return () => {
    const dir = path.join(temp, `project-${++copies}`);
    for (const entry of copied)
      cpSync(path.join(projectRoot, entry), path.join(dir, entry), { recursive: true });
    symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
  };
}

/** The copy's own CLI, in the copy. */
export function o11yIn(dir: string, args: string[], env: Record<string, string> = {}) {
  const { O11Y_DEBUG: _debug, ...rest } = process.env;
  const result = spawnSync(process.execPath, [path.join(dir, "bin/o11y.js"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...rest, NO_COLOR: "1", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Replaces `from` (which must be there) in a file of the copy; returns the line `from` started on. */
export function editIn(dir: string, file: string, from: string, to: string): number {
  const full = path.join(dir, file);
  const text = readFileSync(full, "utf8");
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
  return text.slice(0, text.indexOf(from)).split("\n").length;
}

/** A line of a stack trace. */
export const stackLine = /^\s+at .+:\d+/m;
