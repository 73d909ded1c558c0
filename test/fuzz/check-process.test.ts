/**
 * Random rule files and expressions, and inputs a reader must refuse, through `o11y check` as a whole process:
 * where a crash, a stack trace, a hang or a blown heap would show as they would to a user.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";
import { aliasBomb, checkProperty, fuzzRuns, fuzzTimeout } from "./arbitraries.ts";
import { expressions, ruleFiles } from "./check-case.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-fuzz-check-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** What a user sees of `o11y check`: a verdict (exit 0 or 1) in bounded time and memory, never a stack trace. */
function checkProcess(args: string[]): string | undefined {
  const result = spawnSync(process.execPath, [path.join(projectRoot, "bin/o11y.js"), "check", ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 64 * 2 ** 20,
    // A heap that would need more than this for one rule file has been blown up by it.
    env: { ...process.env, NO_COLOR: "1", NODE_OPTIONS: "--max-old-space-size=512" },
  });
  const said = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  const tail = said.length > 2000 ? `...${said.slice(-2000)}` : said;
  if (result.error || result.signal)
    return `did not finish: ${result.error?.message ?? result.signal}\n${tail}`;
  if (result.status !== 0 && result.status !== 1) return `exit ${result.status}\n${tail}`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(said)) return `a stack trace:\n${tail}`;
  if (!/^\d+ error\(s\), \d+ warning\(s\)/m.test(result.stderr))
    return `no verdict (the summary line):\n${tail}`;
  if ((result.status === 1) !== /^[^\n]*:\d+ error /m.test(result.stdout))
    return `exit ${result.status} does not match the errors printed:\n${tail}`;
  return undefined;
}

describe("o11y check, as a whole process", () => {
  let count = 0;
  const file = (text: string) => {
    const name = path.join(temp, `rules-${count++}.yaml`);
    writeFileSync(name, text);
    return name;
  };

  it(
    "random rule files and expressions",
    () => {
      const cases = fc.oneof(
        ruleFiles().map((text) => ({ args: [file(text)] })),
        expressions().map((expr) => ({
          args: ["--tools", "off", `--expr=${expr.replaceAll("\u0000", "")}`],
        })),
      );
      checkProperty(
        "check: whole process",
        fc.property(cases, ({ args }) => {
          const problem = checkProcess(args);
          if (problem) throw new Error(`o11y check ${args.join(" ").slice(0, 300)}: ${problem}`);
        }),
        { runs: Math.max(3, Math.round(fuzzRuns(0) / 500)) },
      );
    },
    fuzzTimeout,
  );

  /** A valid rule file of `bytes` bytes (one group, the same rule again and again), written without holding it as a string. */
  const hugeFile = (bytes: number) => {
    const name = path.join(temp, `huge-${count++}.yaml`);
    const rule = "      - record: job:huge:sum\n        expr: sum(up)\n";
    writeFileSync(
      name,
      Buffer.concat([
        Buffer.from("groups:\n  - name: huge\n    rules:\n"),
        Buffer.alloc(Math.floor(bytes / rule.length) * rule.length, rule),
      ]),
    );
    return name;
  };

  // The inputs a reader must refuse rather than follow: each ends in a verdict, in time, within the heap.
  it.each([
    { name: "a billion laughs (9 levels of 9 aliases)", args: () => [file(aliasBomb(9, 9, "rules"))] },
    { name: "a billion laughs in a label", args: () => [file(aliasBomb(9, 9, "labels"))] },
    {
      name: "an expression nested 100,000 deep",
      args: () => [
        file(
          `groups:\n  - name: deep\n    rules:\n      - record: job:deep:sum\n        expr: ${"(".repeat(100_000)}up${")".repeat(100_000)}\n`,
        ),
      ],
    },
    {
      name: "an --expr nested 20,000 deep",
      args: () => ["--tools", "off", `--expr=${"sum(".repeat(20_000)}up${")".repeat(20_000)}`],
    },
    { name: "a 200 MB rule file", args: () => [hugeFile(200 * 2 ** 20)] },
  ])(
    "$name",
    ({ args }) => {
      const problem = checkProcess(args());
      if (problem) throw new Error(problem);
    },
    120_000,
  );
});
