/**
 * `npm run fuzz`: the files of test/fuzz on two workers, the slowest first.
 *
 * Two workers, not vitest's default of one fewer than the cores (one here): on two cores, two properties at
 * once is twice the work in the same time. No more than two: more workers share the cores, and each property
 * then costs more CPU (2,000 cases of every property: 95 s of CPU on two workers, 114 s on eight). The
 * slowest first, whatever vitest remembers of the last run (`npm test` runs them with a few cases each, in
 * another order): with 10,000 cases, the longest property started last would leave a core idle for a minute
 * or more at the end.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import base from "../../vitest.config.ts";

/** The fuzz files by their CPU time with 10,000 cases, the longest first; a file not listed runs after them. */
const slowestFirst = [
  "round-trip.test.ts",
  "compile-values.test.ts",
  "compile.test.ts",
  "check.test.ts",
  "check-process.test.ts",
  "runbook-table.test.ts",
  "round-trip-documents.test.ts",
  "stack-frames.test.ts",
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = slowestFirst.indexOf(path.basename(file.moduleId));
      return index < 0 ? slowestFirst.length : index;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

// The project's configuration with these files only (not merged: merging would add them to its `include`).
export default defineConfig({
  ...base,
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    ...base.test,
    include: ["test/fuzz/**/*.test.ts"],
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
  },
});
