/**
 * `promtool test rules` over the staged test files: the build never emits a test that fails. Our checks prove
 * what they can of each test without evaluating PromQL (alerts/tests); only Prometheus' own engine can say
 * whether a series crosses a threshold at a time, so promtool runs every test file whose outcome could have
 * changed since it last passed, one process per file (its output is then surely that file's), as many at once as
 * there are cores, and at the same time as `promtool check config` and amtool.
 *
 * A file's outcome depends on promtool, the file, and the rule files whose series its tests read: its own
 * group's, every recording rule file, and every alert rule file when a rule reads ALERTS. Each file that passed is
 * remembered under a hash of exactly those in `node_modules/.cache/o11y-promtool-tests/`, so an unchanged build runs none.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { get, plain, readYaml } from "../../check/yaml-tree.ts";
import type { Diagnostic } from "../../diagnostics.ts";
import { locationAt, type Artifact } from "../../render/artifact.ts";
import { rulesDir, testsDir } from "../../render/prometheus.ts";
import { projectRoot } from "../../source.ts";
import { promtool } from "./promtool.ts";
import { runStaged } from "./standby.ts";
import { findExecutable, nameWithVersion, type ToolsMode } from "./tool.ts";
import { climbsAbove, contentDigest, executableIdentity } from "./verdict-cache.ts";

/** Bump when what a cache entry vouches for changes. */
const cacheVersion = "promtool-tests 2";

export const defaultTestCache = path.join(projectRoot, "node_modules", ".cache", "o11y-promtool-tests");

export const promtoolTestFix =
  "the test expects what Prometheus does not compute from its input series: correct the input, the expected values or states, or the rule. " +
  "An alert is pending only while `for` has not elapsed (never with for: 0s), and fires once the condition has held for `for`.";

const sha256 = (...parts: string[]) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\u0000");
  return hash.digest("hex");
};

/** The rule files whose series a test file's tests read (see the module's comment). */
function dependencies(test: Artifact, artifacts: Artifact[]): Artifact[] {
  const ruleFiles = artifacts.filter((a) => a.path.startsWith(`${rulesDir}/`));
  const own = `${rulesDir}/${test.path.slice(testsDir.length + 1).replace(/\.test\.yaml$/, ".yaml")}`;
  if (!ruleFiles.some((a) => a.path === own)) return ruleFiles;
  const needed = ruleFiles.filter((a) => a.path === own || a.path.startsWith(`${rulesDir}/recording/`));
  return needed.some((a) => a.content.includes("ALERTS")) ? ruleFiles : needed;
}

/** One test that failed, as promtool names it, with what it said. */
interface Failure {
  test?: string;
  detail: string;
}

/** promtool's report of one file: `  FAILED:` blocks, each test's starting `    name: <test name>,`. */
export function readTestFailures(output: string): Failure[] {
  const failures: Failure[] = [];
  let current: { test?: string; lines: string[] } | undefined;
  const flush = () => {
    if (current)
      failures.push({
        ...(current.test === undefined ? {} : { test: current.test }),
        detail: current.lines.join("\n").trim(),
      });
    current = undefined;
  };
  for (const line of output.split("\n")) {
    if (/^Unit Testing:/.test(line) || line.trim() === "SUCCESS") continue;
    if (/^\s*FAILED:\s*$/.test(line)) {
      flush();
      current = { lines: [] };
      continue;
    }
    const name = /^\s{4}name: (.*),\s*$/.exec(line);
    if (name && current && current.test === undefined && current.lines.length === 0) {
      current.test = name[1]!;
      continue;
    }
    if (name) {
      flush();
      current = { test: name[1]!, lines: [] };
      continue;
    }
    if (line.trim() !== "") (current ??= { lines: [] }).lines.push(line.trimEnd().replace(/^ {4}/, ""));
  }
  flush();
  return failures;
}

/** Diagnostics for a test file promtool failed: each failed test at the alert or rule it tests. */
function diagnose(artifact: Artifact, output: string, name: string): Diagnostic[] {
  let names: unknown[] = [];
  const { root } = readYaml(artifact.content);
  const tests = get(root, "tests");
  if (tests?.kind === "sequence") names = tests.items.map((item) => plain(get(item, "name")));
  const failures = readTestFailures(output);
  if (failures.length === 0) failures.push({ detail: output.trim() || "it failed and printed nothing" });
  return failures.map(({ test, detail }) => {
    const index = test === undefined ? -1 : names.indexOf(test);
    const owner = index < 0 ? undefined : locationAt(artifact, `/tests/${index}`);
    const what = test === undefined ? artifact.path : `${artifact.path}, test "${test}"`;
    return {
      check: promtool.id,
      severity: "error",
      subject: owner?.subject ?? artifact.subject,
      source: owner?.source ?? artifact.source,
      message: `${name} test rules fails (${what}):\n${detail}`,
      fix: promtoolTestFix,
    };
  });
}

export interface RuleTestsVerdict {
  diagnostics: Diagnostic[];
  /** Test files run this time, and those whose earlier pass still holds. */
  ran: string[];
  cached: string[];
}

/**
 * Runs promtool's unit tests of the staged build (`stagedDir` holds `artifacts`). Nothing when tools are off or
 * promtool is missing: `promtool check config` says so already.
 */
export async function judgeRuleTests(
  stagedDir: string,
  artifacts: Artifact[],
  mode: ToolsMode,
  env: NodeJS.ProcessEnv = process.env,
  cacheDir: string | undefined = env.O11Y_CACHE === "off" ? undefined : defaultTestCache,
  signal?: AbortSignal,
): Promise<RuleTestsVerdict> {
  const verdict: RuleTestsVerdict = { diagnostics: [], ran: [], cached: [] };
  const testFiles = artifacts.filter((a) => a.schema === "promtool-tests");
  if (mode === "off" || testFiles.length === 0) return verdict;
  const found = findExecutable(promtool, env);
  if ("missing" in found) return verdict;
  const tool = executableIdentity(found.file);
  const keyOf = (test: Artifact) =>
    tool === undefined
      ? undefined
      : sha256(
          cacheVersion,
          tool,
          contentDigest(test),
          ...dependencies(test, artifacts).flatMap((a) => [a.path, contentDigest(a)]),
        );
  const passed = (key: string | undefined) =>
    cacheDir !== undefined && key !== undefined && existsSync(path.join(cacheDir, key));

  const toRun: Array<{ artifact: Artifact; key: string | undefined }> = [];
  for (const artifact of testFiles) {
    const key = keyOf(artifact);
    if (passed(key)) verdict.cached.push(artifact.path);
    else toRun.push({ artifact, key });
  }
  let name: Promise<string> | undefined;
  const queue = [...toRun];
  const worker = async () => {
    for (let next = queue.shift(); next && !signal?.aborted; next = queue.shift()) {
      const { artifact, key } = next;
      const entry = path.basename(artifact.path);
      const run = await runStaged(
        found.file,
        ["test", "rules", entry],
        stagedDir,
        path.dirname(artifact.path),
        entry,
        // promtool reads a test file once; a standby only where nothing it reads is outside the staged folder.
        key !== undefined && !climbsAbove(artifact, 0),
        signal,
      );
      verdict.ran.push(artifact.path);
      if (run.code === 0 && !run.error) {
        remember(cacheDir, key);
        continue;
      }
      if (signal?.aborted) return;
      name ??= nameWithVersion(promtool, found.file);
      if (run.error) {
        verdict.diagnostics.push({
          check: promtool.id,
          severity: "error",
          subject: artifact.subject,
          source: artifact.source,
          message: `${found.file} could not run the tests in ${artifact.path}: ${run.error}`,
          fix: `check that ${found.file} runs.`,
        });
      } else {
        verdict.diagnostics.push(...diagnose(artifact, run.output, await name));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), toRun.length) }, worker));
  verdict.ran.sort();
  return verdict;
}

/** Records a pass; a cache that cannot be written (a read-only checkout) only means running the tests again. */
function remember(cacheDir: string | undefined, key: string | undefined): void {
  if (cacheDir === undefined || key === undefined) return;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, key), "");
  } catch {
    // Nothing to do: the next build runs the file again.
  }
}
