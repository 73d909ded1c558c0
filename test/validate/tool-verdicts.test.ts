/**
 * promtool, amtool and vmalert are not run again over files they accepted before (verdict-cache.ts), and only then:
 * any byte of a file they read, the state of a path those files name, or the executable changing runs them again; a
 * rejection is never remembered, nor a file that names a path out of the build. The real tools run, each behind a
 * script that counts its runs, over the build of the small fixture project of test/fixtures/watch/.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { judgeWithTools } from "../../src/engine/validate/tools/index.ts";
import { findExecutable } from "../../src/engine/validate/tools/tool.ts";
import { promtool } from "../../src/engine/validate/tools/promtool.ts";
import { amtool } from "../../src/engine/validate/tools/amtool.ts";
import { vmalert } from "../../src/engine/validate/tools/vmalert.ts";
import { project } from "../fixtures/watch/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-tool-verdicts-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const built = compile(project);
const pristine = built.artifacts;
const content = (file: string) => pristine.find((a) => a.path === file)!.content;
const rules = "prometheus/rules/alerts/watch.yaml";
const config = "prometheus/prometheus.yml";
const alertmanager = "alertmanager/alertmanager.yml";

let stagings = 0;
/** The build with some files replaced, written into a folder of its own. */
function staged(replace: Record<string, string> = {}): { dir: string; artifacts: Artifact[] } {
  const dir = path.join(temp, `staged-${stagings++}`);
  const artifacts = pristine.map((a) => (a.path in replace ? { ...a, content: replace[a.path]! } : a));
  for (const artifact of artifacts) {
    mkdirSync(path.dirname(path.join(dir, artifact.path)), { recursive: true });
    writeFileSync(path.join(dir, artifact.path), artifact.content);
  }
  return { dir, artifacts };
}

/** A script that records each run of the real tool (its first argument), then runs it. */
function counting(name: string, tool: string): { file: string; runs: () => string[] } {
  const file = path.join(temp, `${name}-${stagings++}`);
  const log = `${file}.runs`;
  writeFileSync(log, "");
  writeFileSync(file, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${tool}' "$@"\n`);
  chmodSync(file, 0o755);
  return { file, runs: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

const real = (tool: typeof promtool) => {
  const found = findExecutable(tool);
  if ("missing" in found) throw new Error(`${tool.command} is not installed: ${found.missing}`);
  return found.file;
};

/** Fresh counting tools and a fresh cache, for one case. */
function setup() {
  const tools = {
    promtool: counting("promtool", real(promtool)),
    amtool: counting("amtool", real(amtool)),
    vmalert: counting("vmalert", real(vmalert)),
  };
  const env = {
    ...process.env,
    O11Y_PROMTOOL: tools.promtool.file,
    O11Y_AMTOOL: tools.amtool.file,
    O11Y_VMALERT: tools.vmalert.file,
  };
  const cache = path.join(temp, `cache-${stagings++}`);
  const judge = async (replace: Record<string, string> = {}) => {
    const { dir, artifacts } = staged(replace);
    return judgeWithTools(dir, artifacts, "require", env, cache);
  };
  // promtool's own `check config` runs, not its unit tests (cached apart, by promtool-tests.ts).
  const runs = () => ({
    promtool: tools.promtool.runs().filter((arg) => arg === "check").length,
    amtool: tools.amtool.runs().length,
    vmalert: tools.vmalert.runs().length,
  });
  return { tools, env, judge, runs };
}

const accepted = { diagnostics: [], notes: [], accepted: ["promtool", "amtool", "vmalert"] };

describe("tool verdicts", () => {
  it("accepts the fixture's build", () => {
    expect(built.ok, built.diagnostics.map(formatDiagnostic).join("\n")).toBe(true);
  });

  it("an acceptance holds for the very same files: no tool runs again", async () => {
    const { judge, runs } = setup();
    expect(await judge()).toEqual(accepted);
    expect(runs()).toEqual({ promtool: 1, amtool: 1, vmalert: 1 });
    expect(await judge()).toEqual(accepted);
    expect(runs()).toEqual({ promtool: 1, amtool: 1, vmalert: 1 });
  });

  interface Case {
    name: string;
    replace: Record<string, string>;
    /** The tools that must run again. */
    again: Array<"promtool" | "amtool" | "vmalert">;
  }
  const cases: Case[] = [
    {
      name: "a byte of a rule file",
      replace: { [rules]: `${content(rules)}# one more line\n` },
      again: ["promtool"],
    },
    {
      name: "a byte of alertmanager.yml",
      replace: { [alertmanager]: `${content(alertmanager)}# one more line\n` },
      again: ["amtool"],
    },
    {
      name: "a byte of a file of the VictoriaMetrics output",
      replace: {
        "victoriametrics/rules/alerts/watch.yaml": `${content("victoriametrics/rules/alerts/watch.yaml")}# one more line\n`,
      },
      again: ["vmalert"],
    },
  ];

  it.each(cases)("$name runs the tools that read it again, and only those", async ({ replace, again }) => {
    const { judge, runs } = setup();
    await judge();
    const before = runs();
    const verdict = await judge(replace);
    expect(verdict.diagnostics.map(formatDiagnostic)).toEqual([]);
    const after = runs();
    for (const tool of ["promtool", "amtool", "vmalert"] as const)
      expect(after[tool] - before[tool], tool).toBe(again.includes(tool) ? 1 : 0);
  });

  it("a rejection is never remembered", async () => {
    const { judge, runs } = setup();
    // Prometheus 3 syntax, which the promtool 2 installed here refuses.
    const broken = {
      [rules]: content(rules).replace(/expr: .*/, `expr: '{"up", job="global-sovereign"} < 1'`),
    };
    for (let i = 1; i <= 2; i++) {
      const verdict = await judge(broken);
      expect(verdict.diagnostics.map((d) => d.check)).toEqual(["tool/promtool"]);
      expect(runs().promtool).toBe(i);
    }
  });

  it("another executable (a new version) runs again", async () => {
    const first = setup();
    await first.judge();
    const second = setup();
    const { dir, artifacts } = staged();
    // The second tools, with the first cache.
    const cache = path.join(temp, "shared-cache");
    await judgeWithTools(dir, artifacts, "require", first.env, cache);
    await judgeWithTools(dir, artifacts, "require", second.env, cache);
    expect(second.runs()).toEqual({ promtool: 1, amtool: 1, vmalert: 1 });
  });

  it("a path the files name is part of what was accepted: its state changing runs the tool again", async () => {
    const { judge, runs } = setup();
    const secret = path.join(temp, "routing-key");
    const naming = {
      [alertmanager]: content(alertmanager).replace("group_wait: ", `# ${secret}\n  group_wait: `),
    };
    await judge(naming);
    await judge(naming);
    expect(runs().amtool).toBe(1);
    writeFileSync(secret, "now it exists");
    await judge(naming);
    expect(runs().amtool).toBe(2);
  });

  it("a file that names a path out of the build is never remembered", async () => {
    const { judge, runs } = setup();
    const climbing = {
      [alertmanager]: content(alertmanager).replace("group_wait: ", "# ../../elsewhere\n  group_wait: "),
    };
    await judge(climbing);
    await judge(climbing);
    expect(runs().amtool).toBe(2);
    // Within the build, it may: prometheus/tests/ name their rule files as ../../rules/...
    await judge();
    await judge();
    expect(runs().amtool).toBe(3);
  });
});
