/**
 * Where a build may write: `--out` names a folder of its own (new, empty, or a previous build with nothing
 * else in it), never the project, its sources or a folder holding anything else; and no file path leaves it.
 */
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { ArtifactPathError, artifactPathProblems, pathCheck, stage } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { project } from "../../src/project.ts";
import { readTree, runCli } from "../helpers/cli.ts";
import { checkout } from "./checkout.ts";
import { terminalText } from "../../src/engine/escape.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-out-folder-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const committed = readTree(path.join(projectRoot, "build"));

/** What is at `file`: nothing, a link, a file's content, or a folder's entries. */
function look(file: string): string {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return "missing";
  }
  if (stat.isSymbolicLink()) return `link to ${readlinkSync(file)}`;
  if (!stat.isDirectory()) return `file ${readFileSync(file, "utf8")}`;
  return `folder ${readdirSync(file).sort().join(" ")}`;
}

/** A previous build, copied from the committed one, with what `extra` adds. */
function previousBuild(name: string, extra: Record<string, string> = {}): string {
  const dir = path.join(temp, name);
  cpSync(path.join(projectRoot, "build"), dir, { recursive: true });
  for (const [file, content] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

interface Refusal {
  name: string;
  out: () => string;
  says: RegExp;
}

const refusals: Refusal[] = [
  {
    name: "the project's sources",
    out: () => "src",
    says: /^o11y build: --out src holds the project's sources \(src\/\), and a build replaces its whole output folder: pass a folder of its own, such as build\.\n$/,
  },
  {
    name: "the project's folder",
    out: () => ".",
    says: /^o11y build: --out \. is the project's own folder, and a build replaces its whole output folder: pass a folder of its own, such as build\.\n$/,
  },
  {
    name: "a folder above the project",
    out: () => "..",
    says: /^o11y build: --out \.\. is a folder that holds the project \(.+\), and a build replaces its whole output folder: pass a folder of its own, such as build\.\n$/,
  },
  {
    name: "the file system's root",
    out: () => "/",
    says: /^o11y build: --out \/ is a folder that holds the project/,
  },
  {
    name: "a folder inside the sources, new",
    out: () => "src/generated",
    says: /^o11y build: --out src\/generated is inside the project's sources \(src\/\): pass a folder outside them, such as build\.\n$/,
  },
  {
    name: "the dependencies",
    out: () => "node_modules",
    says: /^o11y build: --out node_modules is not empty and is not a previous build \(it has no manifest\.json written by o11y\), and a build replaces the whole folder: pass a new or empty folder\.\n$/,
  },
  {
    name: "a folder holding other files",
    out: () => {
      const dir = path.join(temp, "foreign");
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "notes.txt"), "mine\n");
      return dir;
    },
    says: /^o11y build: --out \S+\/foreign is not empty and is not a previous build \(it has no manifest\.json written by o11y\)/,
  },
  {
    name: "a manifest.json that o11y did not write",
    out: () => {
      const dir = path.join(temp, "other-manifest");
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "manifest.json"), '{"files": []}\n');
      return dir;
    },
    says: /is not empty and is not a previous build/,
  },
  {
    name: "a previous build with files no build wrote",
    out: () =>
      previousBuild("added-to", { "README.md": "hand-written\n", "grafana/dashboards/mine.json": "{}\n" }),
    says: /^o11y build: --out \S+\/added-to holds 2 files that no build wrote \(README\.md, grafana\/dashboards\/mine\.json\), and a build replaces the whole folder: move them out, or pass another folder\.\n$/,
  },
  {
    name: "a symbolic link to a previous build",
    out: () => {
      const link = path.join(temp, "link");
      symlinkSync(previousBuild("linked"), link);
      return link;
    },
    says: /^o11y build: --out \S+\/link is a symbolic link to \S+\/linked: a build replaces the folder it is given, and would replace the link, not what it points to; pass the folder itself\.\n$/,
  },
  {
    name: "a file",
    out: () => {
      writeFileSync(path.join(temp, "a-file"), "text\n");
      return path.join(temp, "a-file");
    },
    says: /^o11y build: --out \S+\/a-file is a file, not a folder: pass a new or empty folder, or a previous build\.\n$/,
  },
  {
    name: "a folder inside a previous build",
    out: () => path.join(previousBuild("outer"), "inner"),
    says: /^o11y build: --out \S+\/outer\/inner is inside \S+\/outer, a build that the next build there replaces whole: pass a folder outside it\.\n$/,
  },
];

describe("--out", () => {
  it.each(refusals)("refuses $name: one line, exit 2, nothing changed", ({ out, says }) => {
    const arg = out();
    const target = path.resolve(projectRoot, arg);
    // What is at --out and beside it; at the project (or above it), the project's own entries.
    const watched =
      target === "/" || projectRoot.startsWith(`${target}/`)
        ? [projectRoot]
        : [projectRoot, path.dirname(target), target];
    const before = watched.map(look);
    const result = runCli(["build", "--out", arg, "--tools", "off"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(says);
    expect(result.stdout).toBe("");
    expect(watched.map(look)).toEqual(before);
  });

  it("accepts a new folder (its parents made), an empty one and a previous build, and replaces exactly its files", () => {
    const fresh = path.join(temp, "new", "deeper", "build");
    const empty = path.join(temp, "empty");
    mkdirSync(empty);
    const previous = previousBuild("previous");
    for (const out of [fresh, empty, previous]) {
      const result = runCli(["build", "--out", out, "--tools", "off"]);
      expect(result.code, result.stderr).toBe(0);
      expect(readTree(out)).toEqual(committed);
      expect(readdirSync(path.dirname(out)).filter((name) => name.startsWith(".o11y-tmp-"))).toEqual([]);
    }
  });

  describe("in a checkout of its own", () => {
    const copy = checkout(path.join(temp, "checkout"));

    it("the default --out build works when build/ is absent, and over the previous build", async () => {
      expect(existsSync(path.join(copy.root, "build"))).toBe(false);
      for (let i = 0; i < 2; i++) {
        const run = await copy.run(["build", "--tools", "off"]);
        expect(run.code, run.stderr).toBe(0);
        expect(readTree(path.join(copy.root, "build"))).toEqual(committed);
      }
    });

    it("a default build killed between its renames is put back by the next command, from the folder alone", async () => {
      // A build/ that the build changes (one that already holds it, byte for byte, is left as it is).
      const edited = path.join(copy.root, "build", "manifest.json");
      writeFileSync(edited, `${readFileSync(edited, "utf8")} `);
      const previous = readTree(path.join(copy.root, "build"));
      const run = copy.start(["build", "--tools", "off"], { O11Y_TEST_PAUSE_AT: "retired" });
      await run.pausedAt("retired");
      run.kill("SIGKILL");
      await run.exited;
      expect(existsSync(path.join(copy.root, "build"))).toBe(false);
      // Without the record of the killed run: the default folder is always looked at.
      const cache = path.join(copy.root, ".o11y-cache");
      for (const name of readdirSync(cache).filter((n) => n.startsWith("pending-")))
        rmSync(path.join(cache, name));
      const help = await copy.run(["--help"]);
      expect(help.code).toBe(0);
      expect(help.stderr).toMatch(
        /^note: \S+\/build: put back the previous build, which an interrupted build \(pid \d+\) had moved aside\n$/,
      );
      expect(readTree(path.join(copy.root, "build"))).toEqual(previous);
      expect(readdirSync(copy.root).filter((name) => name.startsWith(".o11y-"))).toEqual([".o11y-cache"]);
    });
  });
});

describe("file paths", () => {
  const artifact = (file: string): Artifact => ({
    path: file,
    content: "x\n",
    schema: "prometheus-rules",
    format: "yaml",
    subject: `rule group for ${file}`,
    source: { file: "src/alerts/x.ts", line: 3 },
  });
  const cases: Array<{ file: string; why: string }> = [
    { file: "prometheus/rules/alerts/../../../escaped.yaml", why: 'it climbs out with ".."' },
    { file: "../escaped.yaml", why: 'it climbs out with ".."' },
    { file: "/etc/escaped.yaml", why: "it is absolute" },
    { file: "C:/escaped.yaml", why: "it is absolute" },
    { file: "prometheus//rules.yaml", why: 'it has an empty segment ("//" or a "/" at an end)' },
    { file: "prometheus/rules/", why: 'it has an empty segment ("//" or a "/" at an end)' },
    { file: "prometheus/./rules.yaml", why: 'it has a "." segment' },
    { file: "prometheus\\..\\..\\escaped.yaml", why: 'it holds a "\\", a folder separator on Windows' },
    { file: "", why: "it is empty" },
    { file: "a\0b", why: "it holds a NUL character" },
  ];

  it.each(cases)("refuses $file: $why", ({ file, why }) => {
    const problems = artifactPathProblems([artifact("grafana/ok.json"), artifact(file)]);
    expect(problems.map(formatDiagnostic)).toEqual([
      `src/alerts/x.ts:3 error rule group for ${terminalText(file)}: its file would be written at ${JSON.stringify(file)} in build/, but ${why} [${pathCheck}]\n    fix: rename the definition: its name (a rule group's, a dashboard's uid) becomes a file name, so it must not hold "/", "\\" or "..".`,
    ]);
  });

  it("refuses two files at one path, and a file where others need a folder", () => {
    const problems = artifactPathProblems([
      artifact("a/b.yaml"),
      artifact("a/b.yaml"),
      artifact("a"),
      artifact("c/d/e.yaml"),
      artifact("c/d"),
    ]);
    expect(problems.map((d) => `${d.subject}: ${d.message}`)).toEqual([
      `rule group for a/b.yaml: its file would be written at "a/b.yaml" in build/, but another definition's file has that path`,
      `rule group for a: its file would be written at "a" in build/, but other files of the build go in a folder of that path`,
      `rule group for c/d: its file would be written at "c/d" in build/, but other files of the build go in a folder of that path`,
    ]);
  });

  it("the real build has none", () => {
    expect(artifactPathProblems(compile(project).artifacts)).toEqual([]);
  });

  it("stage writes nothing at all when one path would leave the build", () => {
    const parent = path.join(temp, "staging-refused");
    const thrown = (() => {
      try {
        stage(path.join(parent, "build"), [artifact("ok.yaml"), artifact("../../escaped.yaml")]);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ArtifactPathError);
    expect((thrown as ArtifactPathError).diagnostics.map((d) => d.check)).toEqual([pathCheck]);
    expect(existsSync(parent)).toBe(false);
    expect(existsSync(path.join(temp, "escaped.yaml"))).toBe(false);
  });

  it("a rule group named ../../: build and check refuse it with a diagnostic, and nothing is written anywhere", () => {
    const dir = path.join(temp, "escaping-project");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
    const real = JSON.stringify(path.join(projectRoot, "src/project.ts"));
    writeFileSync(
      path.join(dir, "project.ts"),
      `import { project as real } from ${real};\nexport const project = { ...real, recordingRuleGroups: real.recordingRuleGroups.map((g, i) => (i === 0 ? { ...g, name: "../../../../escaped" } : g)) };\n`,
    );
    const out = path.join(temp, "escaping", "out", "build");
    const module = path.join(dir, "project.ts");
    const build = runCli(["build", "--out", out, "--project", module, "--tools", "off"]);
    expect(build.code).toBe(1);
    expect(build.stderr).toMatch(
      /^src\/recording-rules\/\S+\.ts:\d+ error rule group \.\.\/\.\.\/\.\.\/\.\.\/escaped: .* \[[a-z]+\/[a-z-]+\]$/m,
    );
    expect(build.stderr).toContain("nothing was written");
    expect(build.stderr).not.toContain("    at ");
    for (const tools of ["off", "auto"]) {
      const check = runCli(["check", "--project", module, "--tools", tools]);
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/error rule group \.\.\/\.\.\/\.\.\/\.\.\/escaped: /);
      expect(check.stderr).not.toContain("    at ");
    }
    expect(existsSync(path.join(temp, "escaping"))).toBe(false);
    const escaped = (folder: string) =>
      readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((name) => name.includes("escaped"));
    expect(escaped(temp)).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith("escaped"))).toEqual([]);
    expect(existsSync(path.join(projectRoot, "escaped.yaml"))).toBe(false);
  });
});
