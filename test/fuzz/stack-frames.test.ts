/**
 * The properties run with vitest's stack formatter, each frame's text kept (framesKept, arbitraries.ts):
 * every stack must read exactly as vitest's formatter alone writes it, and so every location the engine takes
 * from one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { framesKept } from "./arbitraries.ts";
import { compileSpec, definitionMutations, mutatedSpec } from "./compile-case.ts";

/** Runs `run` with `format` as the stack formatter. */
function formattedBy<T>(format: typeof Error.prepareStackTrace, run: () => T): T {
  const own = Error.prepareStackTrace;
  Error.prepareStackTrace = format;
  try {
    return run();
  } finally {
    Error.prepareStackTrace = own;
  }
}

/** Every `file:line:column` of the value, in order. */
function locations(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return out;
  seen.add(value);
  const { file, line, column } = value as { file?: unknown; line?: unknown; column?: unknown };
  if (typeof file === "string" && typeof line === "number") out.push(`${file}:${line}:${String(column)}`);
  for (const child of Object.values(value)) locations(child, out, seen);
  return out;
}

/** The stacks of errors made two and three calls deep (each read first by the formatter that is in place). */
const nested = (depth: number): Error => (depth === 0 ? new Error("deep") : nested(depth - 1));
const stacks = () => [nested(2), nested(3), nested(2)].map((error) => error.stack);

describe("the fuzz's stack formatter", () => {
  const vitests = Error.prepareStackTrace;

  it("is vitest's here, and leaves Node's own alone", () => {
    expect(typeof vitests).toBe("function");
    expect(framesKept(vitests)).not.toBe(vitests);
    expect(framesKept(undefined)).toBeUndefined();
  });

  it("writes every stack as vitest's formatter does, frames it has written before too", () => {
    // From one call site, so that the three are the same frames.
    const kept = framesKept(vitests);
    const [expected, first, again] = [vitests, kept, kept].map((format) => formattedBy(format, stacks));
    expect(expected![0]).toMatch(/^Error: deep\n {4}at nested \(.*stack-frames\.test\.ts:\d+:\d+\)\n/);
    expect(first).toEqual(expected);
    expect(again).toEqual(expected);
  });

  it("gives every definition and diagnostic of compiled fuzz projects the location vitest's formatter gives", () => {
    const cases = [[], ...fc.sample(definitionMutations, { numRuns: 30, seed: 1 })];
    const compiled = () =>
      cases.flatMap((list) => {
        const result = compileSpec(mutatedSpec(list).spec);
        return locations([result.model, result.diagnostics]);
      });
    const [expected, kept] = [vitests, framesKept(vitests)].map((format) => formattedBy(format, compiled));
    expect(expected!.filter((l) => l.startsWith("test/fuzz/project-spec.ts:")).length).toBeGreaterThan(100);
    expect(kept).toEqual(expected);
  });
});
