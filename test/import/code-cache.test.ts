/**
 * The writer thread loads ts-morph's TypeScript through a V8 code cache (src/engine/import/code-cache.ts): the module
 * must be the one `require` would make, the cache must be used once kept, and a cache must never be offered to
 * another source, not even one of the same length (V8 would take it).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireWithCodeCache } from "../../src/engine/import/code-cache.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-code-cache-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let modules = 0;

/** A CommonJS module in a folder of its own, which requires a sibling and a built-in module. */
function commonJsModule(body: string): { file: string; cacheDir: string } {
  const dir = path.join(temp, `m${++modules}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "sibling.cjs"), "module.exports = 'sibling';\n");
  const file = path.join(dir, "lib.cjs");
  writeFileSync(file, body);
  return { file, cacheDir: path.join(dir, "cache") };
}

const body = (value: string) =>
  [
    "const path = require('node:path');",
    "const sibling = require('./sibling.cjs');",
    `exports.value = ${JSON.stringify(value)};`,
    "exports.sibling = sibling;",
    "exports.file = path.basename(__filename);",
    "exports.dir = path.basename(__dirname);",
    "exports.self = module.exports === exports;",
    "exports.compute = function compute(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; };",
    "",
  ].join("\n");

function forget(file: string) {
  delete createRequire(file).cache[file];
}

describe("a CommonJS module loaded through a V8 code cache", () => {
  it("is the module require would make, and is what require then returns", () => {
    const { file, cacheDir } = commonJsModule(body("a"));
    const loaded = requireWithCodeCache(file, cacheDir);
    expect(loaded?.fromCache).toBe(false);
    const exports = createRequire(file)(file) as Record<string, unknown>;
    expect(exports).toMatchObject({ value: "a", sibling: "sibling", file: "lib.cjs", self: true });
    expect(exports.dir).toBe(path.basename(path.dirname(file)));
    expect((exports.compute as (n: number) => number)(4)).toBe(6);
    // Loaded already: left as it is.
    expect(requireWithCodeCache(file, cacheDir)).toBeUndefined();
  });

  it("keeps its cache once, and takes the code from it the next time", () => {
    const { file, cacheDir } = commonJsModule(body("b"));
    const first = requireWithCodeCache(file, cacheDir)!;
    expect(existsSync(cacheDir)).toBe(false);
    first.save();
    const kept = readdirSync(cacheDir);
    expect(kept).toEqual([expect.stringMatching(/^v8-lib-[0-9a-f]{32}\.bin$/)]);
    forget(file);
    const second = requireWithCodeCache(file, cacheDir)!;
    expect(second.fromCache).toBe(true);
    expect((createRequire(file)(file) as { value: string }).value).toBe("b");
    second.save();
    expect(readdirSync(cacheDir)).toEqual(kept);
  });

  it("never offers a cache to another source, even one of the same length; the other's cache goes", () => {
    const { file, cacheDir } = commonJsModule(body("c"));
    requireWithCodeCache(file, cacheDir)!.save();
    const old = readdirSync(cacheDir);
    forget(file);
    writeFileSync(file, body("d"));
    const changed = requireWithCodeCache(file, cacheDir)!;
    expect(changed.fromCache).toBe(false);
    expect((createRequire(file)(file) as { value: string }).value).toBe("d");
    changed.save();
    const now = readdirSync(cacheDir);
    expect(now).toHaveLength(1);
    expect(now).not.toEqual(old);
  });

  it("removes only its own older caches: another module's stay, even one whose name starts with its own", () => {
    const { file, cacheDir } = commonJsModule(body("e"));
    const other = path.join(path.dirname(file), "lib-common.cjs");
    writeFileSync(other, body("other"));
    requireWithCodeCache(other, cacheDir)!.save();
    requireWithCodeCache(file, cacheDir)!.save();
    const both = readdirSync(cacheDir).sort();
    expect(both).toHaveLength(2);
    forget(file);
    writeFileSync(file, body("f"));
    requireWithCodeCache(file, cacheDir)!.save();
    const now = readdirSync(cacheDir).sort();
    expect(now).toHaveLength(2);
    expect(now.filter((entry) => entry.startsWith("v8-lib-common-"))).toEqual(
      both.filter((entry) => entry.startsWith("v8-lib-common-")),
    );
  });

  it("throws what the module throws, and leaves nothing in require's cache", () => {
    const { file, cacheDir } = commonJsModule("throw new Error('broken module');\n");
    expect(() => requireWithCodeCache(file, cacheDir)).toThrow("broken module");
    expect(createRequire(file).cache[file]).toBeUndefined();
  });
});
