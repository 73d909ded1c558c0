/**
 * The checks' verdicts kept between processes (src/engine/kept-verdicts.ts): a model checked before by the same code
 * gets the same diagnostics without running the checks; any other model, or other code, is checked. Each case
 * loads a fresh copy of the module (its store is per process), as a new process would.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import type { Model } from "../../src/engine/model.ts";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { checkDefinitions } from "../../src/engine/define/project.ts";
import { project } from "../fixtures/watch/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-kept-verdicts-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const base = compileModel(checkDefinitions(project).project);
const finding: Diagnostic = {
  check: "test/finding",
  severity: "warning",
  subject: "project",
  source: { file: "src/project.ts", line: 3 },
  message: "a finding",
  fix: "nothing",
};

/** A fresh process's view of the module, with the store of `root` loaded for `version`. */
async function freshProcess(root: string, version: string) {
  vi.resetModules();
  const kept = await import("../../src/engine/kept-verdicts.ts");
  kept.loadKeptVerdicts(root, version);
  return kept;
}

/** Checks counted: what the cache answers, it does not ask. */
function counting() {
  let calls = 0;
  return {
    check: (_model: Model) => {
      calls++;
      return [structuredClone(finding)];
    },
    calls: () => calls,
  };
}

const withExtra = (value: unknown) => (m: Model) => Object.assign(m.settings, { extra: value });
const withValue = (value: unknown) => (m: Model) =>
  Object.assign(m.alerts[0]!, { threshold: { ...m.alerts[0]!.threshold, value } });

/** Two models the checks may tell apart; JSON alone would not, for all but the last. */
const variants: Array<{ name: string; one: (model: Model) => void; other: (model: Model) => void }> = [
  { name: "a setting set to undefined, or left out", one: withExtra(undefined), other: () => {} },
  { name: "a threshold of NaN, or null", one: withValue(Number.NaN), other: withValue(null) },
  {
    name: "a threshold of Infinity, or null",
    one: withValue(Number.POSITIVE_INFINITY),
    other: withValue(null),
  },
  { name: "-0, or 0", one: withExtra(-0), other: withExtra(0) },
  {
    name: "undefined, or the string it is spelt as",
    one: withExtra(undefined),
    other: withExtra("\0undefined"),
  },
  {
    name: "one character of one alert's expression",
    one: () => {},
    other: (m) => Object.assign(m.alerts[0]!, { expr: `${m.alerts[0]!.expr} ` }),
  },
];

describe("kept verdicts", () => {
  it("answer for the same model in the next process, and nothing runs the checks", async () => {
    const root = path.join(temp, "same");
    const first = await freshProcess(root, "code-1");
    const checks = counting();
    expect(first.keptVerdicts(base, checks.check)).toEqual([finding]);
    first.saveKeptVerdicts();
    expect(existsSync(path.join(root, ".o11y-cache", "verdicts.json"))).toBe(true);

    const second = await freshProcess(root, "code-1");
    const again = counting();
    const answer = second.keptVerdicts(structuredClone(base), again.check);
    expect(again.calls()).toBe(0);
    expect(answer).toEqual([finding]);
    // A copy: what a caller does to it, the next answer does not show.
    answer[0]!.message = "changed by the caller";
    expect(second.keptVerdicts(base, again.check)).toEqual([finding]);
  });

  it("are not read by other code", async () => {
    const root = path.join(temp, "code");
    const first = await freshProcess(root, "code-1");
    first.keptVerdicts(base, counting().check);
    first.saveKeptVerdicts();
    const other = await freshProcess(root, "code-2");
    const checks = counting();
    other.keptVerdicts(base, checks.check);
    expect(checks.calls()).toBe(1);
  });

  it.each(variants)("do not answer for another model: $name", async ({ one, other }) => {
    const root = path.join(temp, "variants");
    const kept = await freshProcess(root, "code-1");
    const [a, b] = [structuredClone(base), structuredClone(base)];
    one(a);
    other(b);
    const checks = counting();
    kept.keptVerdicts(a, checks.check);
    kept.keptVerdicts(b, checks.check);
    expect(checks.calls()).toBe(2);
  });

  it("keep only what the last build used", async () => {
    const root = path.join(temp, "last");
    const first = await freshProcess(root, "code-1");
    const other = structuredClone(base);
    variants.at(-1)!.other(other);
    first.keptVerdicts(base, counting().check);
    first.keptVerdicts(other, counting().check);
    first.saveKeptVerdicts();
    const second = await freshProcess(root, "code-1");
    second.keptVerdicts(other, counting().check);
    second.saveKeptVerdicts();
    const file = JSON.parse(readFileSync(path.join(root, ".o11y-cache", "verdicts.json"), "utf8")) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(file.entries)).toHaveLength(1);
    const third = await freshProcess(root, "code-1");
    const checks = counting();
    third.keptVerdicts(base, checks.check);
    expect(checks.calls()).toBe(1);
  });

  it("are not kept where no code version is given (nothing loaded)", async () => {
    vi.resetModules();
    const kept = await import("../../src/engine/kept-verdicts.ts");
    const checks = counting();
    kept.keptVerdicts(base, checks.check);
    kept.keptVerdicts(base, checks.check);
    expect(checks.calls()).toBe(2);
  });
});
