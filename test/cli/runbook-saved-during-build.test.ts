/**
 * A build rewrites the runbook's alert table only in the text it read: a save of the runbook while the build runs
 * (the watch builds while the user edits) is never overwritten; the table waits for the next build.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildProject } from "../../src/cli/build.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { project } from "../fixtures/watch/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-runbook-saved-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const fixture = readFileSync(path.join(projectRoot, "test/fixtures/watch/RUNBOOK.md"), "utf8");
/** The fixture's runbook with its table emptied: a build has a table to write. */
const stale = fixture.replace(
  /(<!-- o11y:alert-table:start[^\n]*\n)[\s\S]*?(<!-- o11y:alert-table:end)/,
  "$1$2",
);
const saved = `${stale}\nA line the user saved while the build ran.\n`;

describe("the runbook's alert table", () => {
  it.each([
    { case: "nobody saved the runbook during the build", during: undefined, updated: true },
    { case: "the runbook was saved during the build", during: saved, updated: false },
  ])("$case", async ({ during, updated }) => {
    expect(stale).not.toBe(fixture);
    const dir = mkdtempSync(path.join(temp, "case-"));
    const runbook = path.join(dir, "RUNBOOK.md");
    writeFileSync(runbook, stale);
    const notes = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const building = buildProject(
        { ...project, runbook: { file: path.relative(projectRoot, runbook) } },
        { out: path.join(dir, "build"), tools: "off" },
      );
      // The build has read the runbook (compile runs before its first await) and not yet written it.
      if (during !== undefined) writeFileSync(runbook, during);
      const outcome = await building;
      expect(outcome.kind).toBe("built");
      expect(outcome.runbookUpdated ?? false).toBe(updated);
      const text = readFileSync(runbook, "utf8");
      if (updated) expect(text).toBe(fixture);
      else {
        expect(text).toBe(saved);
        expect(notes.mock.calls.map(([chunk]) => String(chunk)).join("")).toContain(
          "was saved during the build, so its alert table was left as it is: build again to update it",
        );
      }
    } finally {
      notes.mockRestore();
    }
  });
});
