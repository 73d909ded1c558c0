/**
 * Any text in the fields RUNBOOK.md's generated table shows keeps the table whole and reads back from it (see
 * runbook-table-case.ts).
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { runbookTableCase, tableTexts } from "./runbook-table-case.ts";

describe("text in RUNBOOK.md's generated table", () => {
  it(
    "keeps one row per alert and six cells per row, each cell showing its text, and builds again the same",
    () => {
      checkProperty("runbook table: definition texts", fc.property(tableTexts, runbookTableCase), {
        fallback: 50,
      });
    },
    fuzzTimeout,
  );
});
