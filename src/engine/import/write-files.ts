/** Writing what `o11y import` generated into the project: all the files, or none. */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ImportError } from "./report.ts";

/**
 * Writes every file or none: each is written beside its target and synced, then all are renamed in place; if any
 * step fails, the files already renamed get their previous content back (or are removed if they were new).
 */
export function writeAll(root: string, files: { path: string; content: string }[]): void {
  const staged: { temp: string; target: string; previous?: string }[] = [];
  try {
    for (const file of files) {
      const target = path.join(root, file.path);
      const temp = `${target}.o11y-import-${randomBytes(4).toString("hex")}.tmp`;
      const entry: { temp: string; target: string; previous?: string } = { temp, target };
      if (existsSync(target)) entry.previous = readFileSync(target, "utf8");
      staged.push(entry);
      writeFileSync(temp, file.content, { flag: "wx" });
    }
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new ImportError([
      {
        message: `cannot write the imported files: ${(error as Error).message}`,
        fix: "check that src/ is writable.",
      },
    ]);
  }
  const done: typeof staged = [];
  try {
    for (const entry of staged) {
      renameSync(entry.temp, entry.target);
      done.push(entry);
    }
  } catch (error) {
    for (const entry of done) {
      if (entry.previous === undefined) rmSync(entry.target, { force: true });
      else writeFileSync(entry.target, entry.previous);
    }
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new ImportError([
      {
        message: `cannot write the imported files: ${(error as Error).message}; none was changed`,
        fix: "check that src/ is writable.",
      },
    ]);
  }
}
