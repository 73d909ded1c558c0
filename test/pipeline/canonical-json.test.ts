import { describe, expect, it } from "vitest";
import { canonicalize, isCanonical, stringifyJson } from "../../src/engine/compile/canonical-json.ts";
import { jsonArtifact, writtenDocument } from "../../src/engine/render/artifact.ts";

const fields = { path: "x.json", schema: "manifest", subject: "test", source: { file: "test", line: 1 } };

// Everything JSON.stringify treats specially, at the top of objects and inside arrays.
const awkward = () => ({
  b: [1, undefined, () => 1, Symbol("s"), NaN, -Infinity, -0, , "text", null, { z: 1, a: [] }],
  a: {
    nested: { y: undefined, x: Infinity, w: Symbol("s"), v: () => 1, u: -0 },
    date: new Date(0),
    "10": 1,
    "9": 2,
  },
  c: Object.defineProperty({ kept: true }, "hidden", { value: 1, enumerable: false }),
  d: JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown,
  e: new Map([["k", 1]]),
  f: "ü\u2028\ud800",
});

describe("canonical JSON", () => {
  it("is what JSON.parse gives back from its own text", () => {
    const value = canonicalize(awkward());
    expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
  });

  it("keeps an own key __proto__ as a key, as JSON.stringify writes it, without touching the prototype", () => {
    const value = canonicalize(JSON.parse('{"ok": 1, "__proto__": {"polluted": true}}')) as object;
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"ok":1}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
    // Two values that differ only there are two texts (diffs and the model's hash see it).
    expect(stringifyJson(JSON.parse('{"__proto__": 1}'))).not.toBe(
      stringifyJson(JSON.parse('{"__proto__": 2}')),
    );
  });

  it("writes the same bytes as canonicalizing twice", () => {
    const once = canonicalize(awkward());
    expect(isCanonical(once)).toBe(true);
    expect(canonicalize(once)).toBe(once);
    // A fresh copy of a canonical value takes the full pass and comes out the same.
    expect(stringifyJson(JSON.parse(JSON.stringify(once)))).toBe(stringifyJson(once));
    expect(stringifyJson(awkward())).toBe(`${JSON.stringify(once, null, 2)}\n`);
  });

  it("keeps the value a JSON artifact was written from, for its own content only", () => {
    const artifact = jsonArtifact(fields, awkward());
    expect(writtenDocument(artifact)?.document).toStrictEqual(JSON.parse(artifact.content));
    expect(writtenDocument({ ...artifact })).toBeUndefined();
    expect(writtenDocument({ ...artifact, content: "{}" })).toBeUndefined();
    const changed = jsonArtifact(fields, { a: 1 });
    changed.content = "{}";
    expect(writtenDocument(changed)).toBeUndefined();
    // No JSON text at all (a function): nothing to remember; the validator parses "undefined" and says so.
    expect(writtenDocument(jsonArtifact(fields, () => 1))).toBeUndefined();
  });
});
