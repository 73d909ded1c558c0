/**
 * Well-typed definitions with hostile values through `compile()` (see compile-case.ts): every string may
 * be any text, every number NaN or huge, every list longer or shorter. The types are right, so here a
 * thrown exception or a broken artifact is never the author's type error: it is ours.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { compileCase, wellTypedMutations } from "./compile-case.ts";

describe("compile, over well-typed definitions with hostile values", () => {
  it(
    "never throws; every diagnostic has a file and line; all valid artifacts or none",
    () => {
      checkProperty("compile: hostile values", fc.property(wellTypedMutations, compileCase), {
        fallback: 100,
      });
    },
    fuzzTimeout,
  );
});
