/**
 * The YAML reader behind `o11y check <rule files>`: what it refuses (nesting too deep, aliases that expand too
 * much) and that it refuses it fast, at the right offset, without expanding anything.
 */
import { describe, expect, it } from "vitest";
import {
  maxYamlDepth,
  plain,
  readYaml,
  type YamlMap,
  type YamlSequence,
} from "../../src/engine/check/yaml-tree.ts";
import { billionLaughs } from "../helpers/yaml.ts";

/** 1-based line of an offset. */
const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

const nested = (depth: number) => `${"[".repeat(depth)}x${"]".repeat(depth)}\n`;

/** Anchors that each hold the previous one `levels` collections deep: nesting that only aliases make. */
function deepAliases(anchors: number, levels: number): string {
  const lines = [`a0: &a0 ${nested(levels).trim()}`];
  for (let i = 1; i < anchors; i++)
    lines.push(`a${i}: &a${i} ${"[".repeat(levels)}*a${i - 1}${"]".repeat(levels)}`);
  return `${lines.join("\n")}\n`;
}

const refused: Array<{ name: string; text: string; line: number; message: RegExp }> = [
  {
    name: "a billion laughs",
    text: billionLaughs,
    line: 4,
    message:
      /^aliases expand too much: by alias \*c, \d+ of the \d+ nodes read so far come from aliases; Prometheus's YAML reader refuses/,
  },
  {
    name: "one alias that stands for a quarter of a million nodes, in a small file",
    text: `big: &big [${Array(500).fill('"x"').join(",")}]\nrows: &rows [${Array(500).fill("*big").join(",")}]\n`,
    line: 2,
    message: /^aliases expand too much: by alias \*big,/,
  },
  {
    name: "collections nested deeper than the limit",
    text: nested(maxYamlDepth + 1),
    line: 1,
    message: /^collections nest more than 100 deep/,
  },
  {
    name: "nesting that only aliases make deeper than the limit",
    text: deepAliases(3, 40),
    line: 3,
    message: /^alias \*a1 nests collections 121 deep, more than 100/,
  },
];

describe("reading YAML from elsewhere, within bounds", () => {
  it.each(refused)("refuses $name, at its line", ({ text, line, message }) => {
    const { root, problems } = readYaml(text);
    expect(root).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(message);
    expect(lineAt(text, problems[0]!.offset)).toBe(line);
  });

  it("refuses a billion laughs in well under a second", () => {
    const start = performance.now();
    for (let i = 0; i < 10; i++) readYaml(billionLaughs);
    expect((performance.now() - start) / 10).toBeLessThan(100);
  });

  it.each([
    { name: "collections nested as deep as the limit", text: nested(maxYamlDepth) },
    { name: "aliases that stay within the nesting limit", text: deepAliases(2, 40) },
    // yaml.v3 lets a document of few nodes be almost all aliases: 100 aliased nodes, or 1,000 in all.
    {
      name: "a small file that is mostly aliases",
      text: `a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [${Array(80).fill("*a").join(", ")}]\n`,
    },
  ])("reads $name", ({ text }) => {
    expect(readYaml(text).problems).toEqual([]);
  });

  it("reads many rules that share their labels through one alias", () => {
    const rules = Array.from(
      { length: 2000 },
      (_, i) =>
        `      - alert: A${i}\n        expr: up == ${i}\n        labels: ${i ? "*common" : "&common {severity: page, team: web, service: api}"}`,
    );
    const { root, problems } = readYaml(`groups:\n  - name: g\n    rules:\n${rules.join("\n")}\n`);
    expect(problems).toEqual([]);
    const group = ((root as YamlMap).entries[0]!.value as YamlSequence).items[0] as YamlMap;
    expect((group.entries[1]!.value as YamlSequence).items).toHaveLength(2000);
  });

  it("keeps an alias as its anchor's node, not a copy, and says where a value was an alias", () => {
    const { root } = readYaml("a: &x {k: v}\nb: *x\n");
    const [a, b] = (root as YamlMap).entries;
    expect(b!.value).toBe(a!.value);
    expect([a!.alias, b!.alias]).toEqual([undefined, "x"]);
  });
});

describe("plain data of a map", () => {
  it.each([
    {
      name: "a key __proto__ is a key",
      text: "__proto__: {a: 1}\nb: 2\n",
      json: '{"__proto__":{"a":"1"},"b":"2"}',
    },
    {
      name: "keys named as Object.prototype's members are merged like any other",
      text: "base: &b {constructor: x, toString: y, k: z}\nm:\n  <<: *b\n  k: own\n",
      json: '{"base":{"constructor":"x","toString":"y","k":"z"},"m":{"k":"own","constructor":"x","toString":"y"}}',
    },
    {
      name: "a merged __proto__ is a key, and a written one wins over it",
      text: "base: &b {__proto__: merged}\nm: {<<: *b}\nn: {<<: *b, __proto__: own}\n",
      json: '{"base":{"__proto__":"merged"},"m":{"__proto__":"merged"},"n":{"__proto__":"own"}}',
    },
  ])("$name", ({ text, json }) => {
    const value = plain(readYaml(text).root) as object;
    expect(JSON.stringify(value)).toBe(json);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});
