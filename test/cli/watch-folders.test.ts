/**
 * The watch's folder watches (src/cli/watch/folders.ts) once closed: a folder asked for afterwards (the build that
 * was running when Ctrl-C came names the folders of its inputs) is not watched, so nothing keeps the process alive
 * and `o11y build --watch` exits. Each case runs in a process of its own, which must end by itself, or not.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-watch-folders-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const folders = pathToFileURL(path.join(projectRoot, "src/cli/watch/folders.ts")).href;

const cases = [
  {
    name: "closed, then a folder asked for: the process ends",
    steps: "w.close(); w.folder(dir);",
    ends: true,
  },
  { name: "closed, then a tree asked for: the process ends", steps: "w.close(); w.tree(dir);", ends: true },
  { name: "watching, then closed: the process ends", steps: "w.tree(dir); w.close();", ends: true },
  // The control: a watch left open keeps the process alive, so the cases above can fail.
  { name: "watching and never closed: the process stays", steps: "w.folder(dir);", ends: false },
];

describe("folder watches after close", () => {
  it.each(cases)("$name", ({ steps, ends }) => {
    const script = [
      `import { FolderWatches } from ${JSON.stringify(folders)};`,
      `const dir = ${JSON.stringify(temp)};`,
      "const w = new FolderWatches(() => {}, (error) => { throw error; });",
      steps,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: projectRoot,
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.stderr).toBe("");
    if (ends) expect([run.status, run.signal]).toEqual([0, null]);
    else expect(run.signal).toBe("SIGTERM");
  });
});
