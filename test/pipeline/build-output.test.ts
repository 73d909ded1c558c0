import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { project } from "../../src/project.ts";
import { readTree, runCli } from "../helpers/cli.ts";
import { lineOf } from "../helpers/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-build-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("build/", () => {
  it("is fresh: the committed files are exactly what the definitions compile to", () => {
    const expected = new Map(compile(project).artifacts.map((a) => [a.path, a.content]));
    const committed = readTree(path.join(projectRoot, "build"));
    const stale = [...expected.keys()].filter((p) => committed.get(p) !== expected.get(p));
    const extra = [...committed.keys()].filter((p) => !expected.has(p));
    expect({ stale, extra }, "build/ is stale: run `npm run build` and commit build/").toEqual({
      stale: [],
      extra: [],
    });
  });

  it("lists every file with its sha256 in manifest.json", () => {
    const files = readTree(path.join(projectRoot, "build"));
    const manifest = JSON.parse(files.get("manifest.json")!) as {
      files: Array<{ path: string; sha256: string; bytes: number }>;
    };
    expect(manifest.files.map((f) => f.path)).toEqual(
      [...files.keys()].filter((p) => p !== "manifest.json").sort(),
    );
    for (const entry of manifest.files) {
      expect(entry.sha256).toBe(sha256(files.get(entry.path)!));
      expect(entry.bytes).toBe(Buffer.byteLength(files.get(entry.path)!));
    }
  });

  it("is byte-identical across runs, time zones and locales", () => {
    const a = path.join(temp, "a");
    const b = path.join(temp, "b");
    expect(
      runCli(["build", "--out", a], { TZ: "Pacific/Chatham", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" })
        .code,
    ).toBe(0);
    expect(runCli(["build", "--out", b], { TZ: "UTC", LANG: "C", LC_ALL: "C" }).code).toBe(0);
    const first = readTree(a);
    expect(first.size).toBeGreaterThanOrEqual(8);
    expect(readTree(b)).toEqual(first);
    // A second build over an existing folder changes nothing either.
    expect(runCli(["build", "--out", a]).code).toBe(0);
    expect(readTree(a)).toEqual(first);
  });

  it("on bad input, reports every error, exits non-zero, and leaves the previous build byte-identical", () => {
    const out = path.join(temp, "previous");
    cpSync(path.join(projectRoot, "build"), out, { recursive: true });
    const before = readTree(out);
    const result = runCli(["build", "--out", out, "--project", "test/fixtures/broken-project.ts"]);
    expect(result.code).toBe(1);
    // At the misspelt name in the query's template: its line and column.
    const fixtureText = readFileSync(path.join(projectRoot, "test/fixtures/broken-project.ts"), "utf8");
    const upToTypo = fixtureText.slice(0, fixtureText.indexOf("phoenix_http_request_totl{"));
    const typo = `${upToTypo.split("\n").length}:${upToTypo.length - upToTypo.lastIndexOf("\n")}`;
    expect(result.stderr).toContain(
      `test/fixtures/broken-project.ts:${typo} error dashboard broken › panel 101 "Typo" › query A: unknown metric phoenix_http_request_totl`,
    );
    expect(result.stderr).toContain("did you mean phoenix_http_request_total?");
    expect(result.stderr).toMatch(
      /^test\/fixtures\/broken-project\.ts:\d+ error dashboard broken › panel 102 "No unit": .*\[dashboard\/panel-unit\]/m,
    );
    expect(result.stderr).toContain("build failed: 2 error(s); nothing was written");
    expect(readTree(out)).toEqual(before);
  });

  it("lets promtool judge the files before they replace build/: what it rejects names the definition", () => {
    const out = path.join(temp, "judged");
    cpSync(path.join(projectRoot, "build"), out, { recursive: true });
    const before = readTree(out);
    const fixture = "test/fixtures/promtool-rejects-project.ts";
    const line = lineOf(readFileSync(path.join(projectRoot, fixture), "utf8"), "MARK:quoted-name");
    const result = runCli(["build", "--out", out, "--project", fixture]);
    expect(result.code).toBe(1);
    // promtool names its version: what it accepts depends on it.
    expect(result.stderr).toMatch(
      new RegExp(
        `^${fixture}:${line} error alert MetricsEndpointDown: promtool \\d+\\.\\d+\\.\\S+ rejects it \\(prometheus/rules/alerts/scrape\\.yaml:`,
        "m",
      ),
    );
    expect(result.stderr).toContain("[tool/promtool]");
    // VictoriaMetrics' vmalert (the victoriaMetrics output) refuses the same rule, at the same line.
    expect(result.stderr).toMatch(
      new RegExp(
        `^${fixture}:${line} error alert MetricsEndpointDown: vmalert rejects it \\(victoriametrics/rules/alerts/scrape\\.yaml, group "global-sovereign-scrape-alerts"\\): bad prometheus expr: .*\\[tool/vmalert\\]$`,
        "m",
      ),
    );
    expect(result.stderr).toContain("build failed: 2 error(s); nothing was written");
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(temp).filter((name) => name.startsWith(".o11y-tmp-"))).toEqual([]);

    // The real project passes, and the build says who accepted it.
    const accepted = runCli(["build", "--out", out]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toBe(
      `built ${before.size} files into ${out}/, accepted by promtool, amtool and vmalert\n`,
    );
  });

  it("without promtool and amtool: builds and says so, unless --tools require", () => {
    const emptyPath = mkdtempSync(path.join(temp, "path-"));
    const env = { PATH: emptyPath, O11Y_PROMTOOL: "", O11Y_AMTOOL: "", O11Y_VMALERT: "" };
    const out = path.join(temp, "untooled");
    const auto = runCli(["build", "--out", out], env);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toContain(
      "note: promtool did not judge prometheus/prometheus.yml: promtool is not on PATH",
    );
    expect(auto.stderr).toContain(
      "note: amtool did not judge alertmanager/alertmanager.yml: amtool is not on PATH",
    );
    expect(auto.stdout).toBe(`built ${readTree(path.join(projectRoot, "build")).size} files into ${out}/\n`);
    expect(readTree(out)).toEqual(readTree(path.join(projectRoot, "build")));

    const required = runCli(["build", "--out", path.join(temp, "required"), "--tools", "require"], env);
    expect(required.code).toBe(1);
    expect(required.stderr).toMatch(
      /^src\/config\.ts:1 error prometheus\.yml: promtool must judge prometheus\/prometheus\.yml \(--tools require\), but promtool is not on PATH \[tool\/promtool\]/m,
    );
    expect(required.stderr).toMatch(
      /^src\/config\.ts:1 error victoriaMetrics output: vmalert must judge victoriametrics\/rules\/ \(--tools require\), but vmalert is not on PATH \[tool\/vmalert\]/m,
    );
    expect(required.stderr).toContain("build failed: 3 error(s)");
    expect(existsSync(path.join(temp, "required"))).toBe(false);
  });

  it("says plainly when it cannot write --out, or load --project, and exits non-zero", () => {
    const file = path.join(temp, "a-file");
    writeFileSync(file, "not a folder\n");
    const unwritable = runCli(["build", "--out", path.join(file, "build")]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(
      /^build failed: cannot write .*a-file\/build\/ \(E[A-Z]+: .*\)\. Pass --out a folder whose parent is writable; .* is unchanged\.$/m,
    );
    expect(unwritable.stderr).not.toContain("    at ");
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");

    const missing = runCli(["build", "--project", "src/no-such-project.ts"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "o11y: --project src/no-such-project.ts: there is no such file\n    fix: pass the TypeScript module that exports `project` (default src/project.ts).\n",
    );

    const folder = runCli(["build", "--project", "src"]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain("o11y: --project src: there is no such file\n");

    const notAProject = runCli(["check", "--project", "src/config.ts"]);
    expect(notAProject.code).toBe(2);
    expect(notAProject.stderr).toBe(
      "o11y: --project src/config.ts does not export `project`\n    fix: export the ProjectDefinition as `export const project = ...`, as src/project.ts does.\n",
    );
  });

  it("answers --help with the commands", () => {
    const result = runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: o11y");
    expect(result.stdout).toContain("build");
  });
});
