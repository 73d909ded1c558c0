/**
 * A build killed with SIGKILL at every step of writing and swapping its output folder (O11Y_TEST_PAUSE_AT
 * stops it there), and at random moments: the next command, whichever it is, leaves the folder whole (every
 * file as its own manifest.json says, no other), the old tree or the new one as the step decides, and nothing
 * else behind.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project as realProject } from "../../src/project.ts";
import { project as otherProject } from "../fixtures/promtool-rejects-project.ts";
import { readTree } from "../helpers/cli.ts";
import { checkout } from "./checkout.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-interrupted-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const project = checkout(path.join(temp, "checkout"));

/** Two projects whose builds differ (one alert's expression), so that a mix of both trees shows. */
const projects = {
  real: { module: "src/project.ts", tree: treeOf(realProject) },
  other: { module: "test/fixtures/promtool-rejects-project.ts", tree: treeOf(otherProject) },
};
type Which = keyof typeof projects;
const flip = (which: Which): Which => (which === "real" ? "other" : "real");

function treeOf(definition: typeof realProject): Map<string, string> {
  const result = compile(definition);
  expect(result.ok).toBe(true);
  return new Map(result.artifacts.map((a) => [a.path, a.content]));
}

/** `o11y build --out <out> --tools off` of one project, in the checkout. */
function startBuild(out: string, which: Which, env: Record<string, string> = {}) {
  // The fixture from a cached bundle too, as the real project: a faster start, so the kills fall on the writing.
  return project.start(["build", "--out", out, "--tools", "off", "--project", projects[which].module], {
    O11Y_CACHE_PROJECT: projects[which].module,
    ...env,
  });
}

/** Starts a build that stops at `step`, and SIGKILLs it there. */
async function killAt(out: string, which: Which, step: string): Promise<void> {
  const run = startBuild(out, which, { O11Y_TEST_PAUSE_AT: step });
  await run.pausedAt(step);
  run.kill("SIGKILL");
  await run.exited;
}

/** The folder is a whole build: exactly the files its manifest lists, each with its sha256 and size. Which one it is. */
function wholeBuild(out: string): Which {
  expect(existsSync(out), `${out} exists`).toBe(true);
  const files = readTree(out);
  const manifest = JSON.parse(files.get("manifest.json") ?? "{}") as {
    generatedBy?: string;
    files?: Array<{ path: string; sha256: string; bytes: number }>;
  };
  expect(manifest.generatedBy).toBe("o11y");
  expect([...files.keys()].filter((p) => p !== "manifest.json").sort()).toEqual(
    manifest.files!.map((f) => f.path),
  );
  for (const entry of manifest.files!) {
    expect(sha256(files.get(entry.path)!), entry.path).toBe(entry.sha256);
    expect(Buffer.byteLength(files.get(entry.path)!), entry.path).toBe(entry.bytes);
  }
  const which = (Object.keys(projects) as Which[]).find((name) => equalTrees(files, projects[name].tree));
  expect(which, "the folder is one project's build, not a mix").toBeDefined();
  return which!;
}

const equalTrees = (a: Map<string, string>, b: Map<string, string>) =>
  a.size === b.size && [...a].every(([p, content]) => b.get(p) === content);

/** Nothing of a run is left beside the output folder, nor recorded in the checkout. */
function nothingLeft(out: string): void {
  expect(readdirSync(path.dirname(out))).toEqual([path.basename(out)]);
  expect(
    readdirSync(path.join(project.root, ".o11y-cache")).filter((name) => name.startsWith("pending-")),
  ).toEqual([]);
}

/** Commands that each must restore an interrupted build before anything else. */
const nextCommands: Array<{ name: string; args: string[] }> = [
  { name: "check --expr", args: ["check", "--expr", "up", "--tools", "off"] },
  { name: "--help", args: ["--help"] },
  { name: "check", args: ["check", "--tools", "off"] },
];

describe("a build killed at any step", () => {
  const out = path.join(temp, "stepped", "build");
  let current: Which = "real";
  let turn = 0;

  it("starts from a whole build", async () => {
    const first = await project.run(["build", "--out", out, "--tools", "off"]);
    expect(first.code, first.stderr).toBe(0);
    expect(wholeBuild(out)).toBe("real");
  });

  // Before the first rename, and between the two renames, the old tree stays; after the second, the new one.
  const steps: Array<{ step: string; keeps: "old" | "new" }> = [
    { step: "staging", keeps: "old" },
    { step: "staged", keeps: "old" },
    { step: "journal", keeps: "old" },
    { step: "retired", keeps: "old" },
    { step: "swapped", keeps: "new" },
    { step: "cleaned", keeps: "new" },
  ];

  it.each(steps)(
    "at $step: the next command leaves the $keeps tree, whole, and nothing else",
    async ({ step, keeps }) => {
      const next = nextCommands[turn++ % nextCommands.length]!;
      await killAt(out, flip(current), step);
      const result = await project.run(next.args);
      expect(result.code, result.stderr).toBe(0);
      const expected = keeps === "old" ? current : flip(current);
      expect(wholeBuild(out)).toBe(expected);
      nothingLeft(out);
      current = expected;
    },
  );

  it("between the renames, then again while the next command puts the old tree back: the one after finishes it", async () => {
    await killAt(out, flip(current), "retired");
    expect(existsSync(out), "between the renames there is no folder").toBe(false);
    const recovering = project.start(["--help"], { O11Y_TEST_PAUSE_AT: "recover-restored" });
    await recovering.pausedAt("recover-restored");
    expect(recovering.stderr()).toContain("put back the previous build");
    recovering.kill("SIGKILL");
    await recovering.exited;
    const result = await project.run(["check", "--expr", "up", "--tools", "off"]);
    expect(result.code, result.stderr).toBe(0);
    expect(wholeBuild(out)).toBe(current);
    nothingLeft(out);
  });

  it("a build of the same folder recovers it too, then replaces it", async () => {
    await killAt(out, flip(current), "retired");
    const again = await project.run([
      "build",
      "--out",
      out,
      "--tools",
      "off",
      "--project",
      projects[flip(current)].module,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(wholeBuild(out)).toBe(flip(current));
    nothingLeft(out);
    current = flip(current);
  });
});

describe("runs at the same time", () => {
  const out = path.join(temp, "together", "build");

  it("a command leaves a live build's staged folder alone; two builds of one folder leave one whole tree", async () => {
    expect((await project.run(["build", "--out", out, "--tools", "off"])).code).toBe(0);
    const paused = startBuild(out, "other", { O11Y_TEST_PAUSE_AT: "staged" });
    await paused.pausedAt("staged");
    const staged = () => readdirSync(path.dirname(out)).filter((name) => name.includes(".staged."));
    expect(staged()).toHaveLength(1);
    expect((await project.run(["check", "--expr", "up", "--tools", "off"])).code).toBe(0);
    expect(staged()).toHaveLength(1);
    paused.kill("SIGKILL");
    await paused.exited;

    const [a, b] = [startBuild(out, "other"), startBuild(out, "real")];
    expect([await a.exited, await b.exited], `${a.stderr()}\n${b.stderr()}`).toEqual([0, 0]);
    wholeBuild(out);
    nothingLeft(out);
  });
});

describe("a build killed at random moments", () => {
  const out = path.join(temp, "random", "build");

  it("leaves, after the next command, one whole tree each time", { timeout: 240_000 }, async () => {
    expect((await project.run(["build", "--out", out, "--tools", "off"])).code).toBe(0);
    let current: Which = "real";
    // How long a build of each takes here, so that the kills fall all along it.
    const spans: Record<Which, number> = { real: 0, other: 0 };
    for (const which of ["other", "real"] as Which[]) {
      const started = Date.now();
      const run = startBuild(out, which);
      await run.exited;
      spans[which] = Date.now() - started;
      current = which;
    }
    for (let i = 0; i < 5; i++) {
      const which = flip(current);
      const run = startBuild(out, which);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * spans[which]));
      run.kill("SIGKILL");
      await run.exited;
      const result = await project.run(nextCommands[i % nextCommands.length]!.args);
      expect(result.code, result.stderr).toBe(0);
      current = wholeBuild(out);
      nothingLeft(out);
    }
  });
});
