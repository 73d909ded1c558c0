/**
 * Facts kept between processes (src/engine/kept-facts.ts): a text worked out before by the same code gets the same
 * answer without working it out; any other text, kind or code is worked out. Each case loads a fresh copy of the
 * module (its store is per process), as a new process would.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-kept-facts-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let roots = 0;
const newRoot = () => path.join(temp, `project-${++roots}`);

/** A fresh process's view of the module, with the store of `root` loaded for `version` (none: nothing loaded). */
async function freshProcess(root: string, version?: string) {
  vi.resetModules();
  const kept = await import("../../src/engine/kept-facts.ts");
  if (version !== undefined) kept.loadKeptFacts(root, version);
  return kept;
}

/** What the work below answers: anything else kept is worked out again. */
const isFact = (value: unknown): value is Array<{ metric: string }> =>
  Array.isArray(value) && value.every((fact: { metric?: unknown }) => typeof fact?.metric === "string");

/** Work counted: what the store answers, it does not ask. */
function counting() {
  const asked: string[] = [];
  return {
    work: (text: string) => {
      asked.push(text);
      return [{ metric: text.toUpperCase() }];
    },
    asked,
  };
}

describe("kept facts", () => {
  it("answer for the same text in the next process, and nothing is worked out", async () => {
    const root = newRoot();
    const first = counting();
    const one = await freshProcess(root, "v1");
    expect(one.keptFact("kind", "up", first.work, isFact)).toEqual([{ metric: "UP" }]);
    one.saveKeptFacts();
    expect(first.asked).toEqual(["up"]);
    const second = counting();
    const two = await freshProcess(root, "v1");
    expect(two.keptFact("kind", "up", second.work, isFact)).toEqual([{ metric: "UP" }]);
    expect(second.asked).toEqual([]);
  });

  it.each([
    ["another text", "v1", "kind", "up "],
    ["another kind", "v1", "other", "up"],
    ["another code version", "v2", "kind", "up"],
  ])("are not read for %s", async (_case, version, kind, text) => {
    const root = newRoot();
    const one = await freshProcess(root, "v1");
    one.keptFact("kind", "up", counting().work, isFact);
    one.saveKeptFacts();
    const later = counting();
    const two = await freshProcess(root, version);
    expect(two.keptFact(kind, text, later.work, isFact)).toEqual([{ metric: text.toUpperCase() }]);
    expect(later.asked).toEqual([text]);
  });

  it("keep only what the last run used", async () => {
    const root = newRoot();
    const one = await freshProcess(root, "v1");
    one.keptFact("kind", "a", counting().work, isFact);
    one.keptFact("kind", "b", counting().work, isFact);
    one.saveKeptFacts();
    const two = await freshProcess(root, "v1");
    two.keptFact("kind", "b", counting().work, isFact);
    two.saveKeptFacts();
    const kept = JSON.parse(readFileSync(path.join(root, ".o11y-cache", "facts.json"), "utf8")) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(kept.entries)).toEqual(["kind\0b"]);
  });

  it("are not kept where no code version is given (nothing loaded)", async () => {
    const root = newRoot();
    const none = await freshProcess(root);
    const work = counting();
    none.keptFact("kind", "up", work.work, isFact);
    none.keptFact("kind", "up", work.work, isFact);
    none.saveKeptFacts();
    expect(work.asked).toEqual(["up", "up"]);
    expect(existsSync(path.join(root, ".o11y-cache"))).toBe(false);
  });

  it.each([
    ["not JSON", "{"],
    ["entries that are not an object", '{"version":"o11y kept facts 1 v1","entries":null}'],
    [
      "an entry of another shape",
      '{"version":"o11y kept facts 1 v1","entries":{"kind\\u0000up":{"metric":"UP"}}}',
    ],
  ])("are worked out anew when the file is %s, and saved whole", async (_case, text) => {
    const root = newRoot();
    mkdirSync(path.join(root, ".o11y-cache"), { recursive: true });
    writeFileSync(path.join(root, ".o11y-cache", "facts.json"), text);
    const one = await freshProcess(root, "v1");
    const work = counting();
    expect(one.keptFact("kind", "up", work.work, isFact)).toEqual([{ metric: "UP" }]);
    expect(work.asked).toEqual(["up"]);
    one.saveKeptFacts();
    const later = counting();
    (await freshProcess(root, "v1")).keptFact("kind", "up", later.work, isFact);
    expect(later.asked).toEqual([]);
  });
});
