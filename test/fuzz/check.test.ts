/**
 * Random and mutated rule files and expressions through `o11y check`, in process for speed (the engine
 * functions the command calls, see check-case.ts). As a whole process: check-process.test.ts.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { expressionCase, expressions, ruleFileCase, ruleFiles } from "./check-case.ts";

describe("o11y check, in process", () => {
  it(
    "a rule file of any text: no exception, bounded time and memory, diagnostics at its lines",
    () => {
      checkProperty("check: rule files", fc.property(ruleFiles(), ruleFileCase), { fallback: 150 });
    },
    fuzzTimeout,
  );

  it(
    "an expression of any text: no exception, bounded time and memory, diagnostics at --expr:1",
    () => {
      checkProperty("check: expressions", fc.property(expressions(), expressionCase), { fallback: 150 });
    },
    fuzzTimeout,
  );
});
