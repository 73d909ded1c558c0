/**
 * Random and mutated definitions through `compile()`: whatever an author writes, no exception escapes,
 * every problem is a diagnostic that points at a file and line, and a build either emits a complete set of
 * valid artifacts or nothing at all (see compile-case.ts).
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { compileCase, compileSpec, definitionMutations, judgeCompile } from "./compile-case.ts";
import { validSpec } from "./project-spec.ts";

describe("compile, over random and mutated definitions", () => {
  it("the valid starting point compiles, so the mutations start from green", () => {
    const result = compileSpec(validSpec());
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
    const verdict = judgeCompile(result);
    if (verdict) throw new Error(verdict);
  });

  it(
    "never throws; every diagnostic has a file and line; all valid artifacts or none",
    () => {
      checkProperty("compile: mutated definitions", fc.property(definitionMutations, compileCase), {
        fallback: 100,
      });
    },
    fuzzTimeout,
  );
});
