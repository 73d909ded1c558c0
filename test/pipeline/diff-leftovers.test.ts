/**
 * `o11y diff` killed while it builds the base in a temporary git worktree: the next diff removes that worktree
 * (git alone would keep it, its folder being there) and its folder; a worktree of a diff still running stays.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { currentOwner } from "../../src/engine/emit/owner.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { newRepo, removeTemps } from "../diff/repo.ts";

afterAll(removeTemps);

describe("a killed o11y diff", () => {
  it(
    "leaves a worktree that the next diff removes, and only the dead run's",
    { timeout: 240_000 },
    async () => {
      const repo = newRepo({ withBuild: false });
      // The diff builds its base in a worktree; that build stops once staged, and the diff with it is killed.
      const diff = spawn(process.execPath, [path.join(repo.dir, "bin/o11y.js"), "diff", "--base", "HEAD"], {
        cwd: repo.dir,
        env: { ...process.env, NO_COLOR: "1", O11Y_TEST_PAUSE_AT: "staged" },
        stdio: "ignore",
        detached: true,
      });
      const exited = new Promise((resolve) => diff.on("exit", resolve));
      const worktrees = () =>
        repo
          .git("worktree", "list", "--porcelain")
          .split("\n")
          .filter((line) => line.startsWith("worktree "))
          .map((line) => line.slice(9));
      const deadline = Date.now() + 120_000;
      while (!(worktrees().length === 2 && stagedBeside(worktrees()[1]!))) {
        if (Date.now() > deadline) throw new Error("the diff did not reach its base build");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The diff and the base build it started, at once.
      process.kill(-diff.pid!, "SIGKILL");
      await exited;
      const left = worktrees()[1]!;
      expect(path.basename(path.dirname(left))).toMatch(/^o11y-diff-\d+-\d+-[0-9a-f]+-/);
      expect(existsSync(left)).toBe(true);

      // A worktree of a diff that is alive (this test, as far as its name says) must stay.
      const { pid, start } = currentOwner();
      const liveFolder = path.join(tmpdir(), `o11y-diff-${pid}-${start}-0123abcd-live01`);
      mkdirSync(liveFolder);
      repo.git("worktree", "add", "-q", "--detach", path.join(liveFolder, "worktree"), "HEAD");
      try {
        const next = repo.o11y("diff", "--base", "HEAD");
        expect(next.code, next.stderr).toBe(0);
        expect(worktrees()).toEqual([repo.dir, path.join(liveFolder, "worktree")]);
        expect(existsSync(path.dirname(left))).toBe(false);
        expect(existsSync(path.join(liveFolder, "worktree"))).toBe(true);
        // Its node_modules was this checkout's, linked: removing the worktree did not reach through the link.
        expect(existsSync(path.join(projectRoot, "node_modules", "vitest", "package.json"))).toBe(true);
      } finally {
        repo.git("worktree", "remove", "--force", path.join(liveFolder, "worktree"));
        rmSync(liveFolder, { recursive: true, force: true });
      }
    },
  );
});

/** The base build of the worktree `tree` has written its staged folder, beside the worktree (it pauses there). */
function stagedBeside(tree: string): boolean {
  try {
    return readdirSync(path.dirname(tree)).some((name) => name.includes(".staged."));
  } catch {
    return false;
  }
}
