/**
 * `expressionOf`: a value becomes the syntax of a literal that evaluates back to the same value, own keys included
 * (a label named `__proto__` or `constructor` is a key like any other).
 */
import { describe, expect, it } from "vitest";
import { printNode } from "ts-morph";
import { expressionOf } from "../../src/engine/import/typescript-writer.ts";
import type { Code } from "../../src/engine/import/code.ts";

const evaluated = (value: Code): unknown => new Function(`return (${printNode(expressionOf(value))});`)();

describe("expressionOf", () => {
  it.each<[string, Code]>([
    ["numbers", [0, 1.5, -2, 1e21]],
    ["texts", ["a", 'quote " and \\ and ${x}', "line\nbreak"]],
    ["keys that are not identifiers", { "a-b": 1, "1x": 2, "": 3 }],
    [
      "a __proto__ key",
      Object.fromEntries([
        ["__proto__", "x"],
        ["severity", "critical"],
      ]),
    ],
    ["a __proto__ key holding an object", Object.fromEntries([["__proto__", { a: 1 }]])],
    ["keys named as Object.prototype's members", { constructor: "c", toString: "t", hasOwnProperty: "h" }],
    ["nesting", { labels: Object.fromEntries([["__proto__", "x"]]), list: [null, true, false] }],
  ])("%s", (_, value) => {
    const back = evaluated(value);
    expect(back).toStrictEqual(value);
    if (back && typeof back === "object" && !Array.isArray(back))
      expect(Object.keys(back)).toEqual(Object.keys(value as object));
  });
});
