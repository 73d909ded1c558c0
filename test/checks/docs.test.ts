/**
 * Every check has its page, and the index lists it with its summary and severity: the docs are what a user
 * reads when a build fails, so a check without them is not done.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allChecks } from "../../src/engine/check/checks/index.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { pathCheck } from "../../src/engine/emit/emit.ts";
import { externalTools } from "../../src/engine/validate/tools/index.ts";

const docs = path.join(projectRoot, "docs", "checks");
const index = readFileSync(path.join(docs, "README.md"), "utf8");
/** Checks, the external tools' ids and the last gate before writing (emit/path), with the severity (and a check's kind) each page must state. */
const documented = [
  ...allChecks.map((c) => ({
    id: c.id,
    severity: c.severity,
    summary: c.summary,
    kind: c.kind as string | undefined,
  })),
  ...externalTools.map((t) => ({
    id: t.id,
    severity: "error" as const,
    summary: undefined,
    kind: undefined,
  })),
  { id: pathCheck, severity: "error" as const, summary: undefined, kind: undefined },
];

describe("docs/checks", () => {
  it.each(documented)(
    "$id has a page with its id, severity and kind, and an index row",
    ({ id, severity, summary, kind }) => {
      const page = path.join(docs, `${id}.md`);
      expect(existsSync(page), `docs/checks/${id}.md`).toBe(true);
      const text = readFileSync(page, "utf8");
      expect(text.split("\n")[0]).toBe(`# ${id}`);
      expect(text).toContain(`**Severity:** ${severity}`);
      // Which rule files it runs on: a user reading why a foreign file failed needs to know whether it is a defect or our house style.
      if (kind) expect(text).toContain(`**Kind:** ${kind}`);
      for (const section of [
        "## What it catches",
        "## Why it matters on call",
        "## How to fix it",
        "## Message",
      ])
        expect(text).toContain(section);
      const row = index.split("\n").find((line) => line.startsWith(`| [\`${id}\`](${id}.md) |`));
      expect(row, `a row for ${id} in docs/checks/README.md`).toBeDefined();
      expect(row).toContain(`| ${severity} |`);
      if (kind) expect(row).toContain(`| ${kind} | ${severity} |`);
      if (summary) expect(row).toContain(`| ${summary} |`);
    },
  );

  it("has no page for a check that does not exist", () => {
    const ids = new Set(documented.map((d) => d.id));
    const pages = readdirSync(docs, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((dir) =>
        readdirSync(path.join(docs, dir.name)).map((file) => `${dir.name}/${file.replace(/\.md$/, "")}`),
      );
    expect(pages.filter((page) => !ids.has(page))).toEqual([]);
  });
});
