/**
 * bin/o11y.js's cached bundle (.o11y-cache/): a start from it must give exactly what a start through tsx
 * gives (the files, the messages, the definitions' source locations), and any edit must make a new bundle.
 * Every case runs in a copy of the project (node_modules linked), so this checkout's cache is left alone.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";
import { readTree } from "../helpers/cli.ts";

const copied = [
  "src",
  "bin",
  "schemas",
  "RUNBOOK.md",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "test/fixtures",
];
const temp = mkdtempSync(path.join(tmpdir(), "o11y-bundle-cache-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of the project, without a cache. */
function projectCopy(): string {
  const dir = path.join(temp, `project-${++copies}`);
  for (const entry of copied)
    cpSync(path.join(projectRoot, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** The source of every segment of a source map's mappings that has one. */
function mappedSources(map: { sources: string[]; mappings: string }): string[] {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const found: string[] = [];
  let source = 0;
  for (const segment of map.mappings.split(/[;,]/)) {
    const fields: number[] = [];
    let value = 0;
    let shift = 0;
    for (const char of segment) {
      const digit = digits.indexOf(char);
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        fields.push(value & 1 ? -(value >> 1) : value >> 1);
        value = shift = 0;
      }
    }
    if (fields.length > 1) found.push(map.sources[(source += fields[1]!)]!);
  }
  return found;
}

const fixture = "test/fixtures/broken-project.ts";
const tsx = { O11Y_CACHE: "off" };
/** The bundle or an error: never tsx. */
const bundled = (project?: string) => ({
  O11Y_CACHE: "require",
  ...(project ? { O11Y_CACHE_PROJECT: project } : {}),
});

function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const { O11Y_CACHE: _mode, O11Y_CACHE_PROJECT: _project, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1", ...env };
}

function o11y(dir: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [path.join(dir, "bin/o11y.js"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: environment(env),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function o11yAsync(
  dir: string,
  args: string[],
  env: Record<string, string>,
  cwd = dir,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, "bin/o11y.js"), ...args], {
      cwd,
      env: environment(env),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject).on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A bundled build in `dir` with a helper preloaded (`--import` or `--require`) that reports, as the process exits,
 * one line `<marker> <json>` on stderr: that JSON.
 */
function buildReporting<T>(dir: string, flag: "--import" | "--require", helper: string, marker: string): T {
  const result = spawnSync(
    process.execPath,
    [flag, path.join(projectRoot, "test/helpers", helper), "bin/o11y.js", "build", "--out", out(dir)],
    { cwd: dir, encoding: "utf8", env: environment(bundled()) },
  );
  expect(result.status, result.stderr).toBe(0);
  const line = result.stderr.split("\n").find((text) => text.startsWith(`${marker} `));
  expect(line, result.stderr).toBeDefined();
  return JSON.parse(line!.slice(marker.length + 1)) as T;
}

/**
 * The cache's bundle files (`cli-*`, without the code caches beside them), by name; the type check keeps its own
 * results beside them (test/typecheck/).
 */
const cached = (dir: string) =>
  existsSync(path.join(dir, ".o11y-cache"))
    ? readdirSync(path.join(dir, ".o11y-cache"))
        .filter((name) => name.startsWith("cli-") && !name.endsWith(".v8"))
        .sort()
    : [];
/** The cached bundles of one project module (their names start with a hash of its path). */
const bundlesOf = (dir: string, project: string) =>
  cached(dir).filter((name) =>
    name.startsWith(`cli-${createHash("sha256").update(project).digest("hex").slice(0, 8)}-`),
  );
/** `--out` folders, under the copy's own temporary folder. */
let outs = 0;
const out = (dir: string) => path.join(dir, `out-${++outs}`);

/**
 * After an edit: the bundle builds what tsx builds, with the edit's `text` in it, unlike the build in `before`.
 */
function expectEditBuilt(dir: string, text: string, before: string): void {
  const [viaTsx, viaBundle] = [out(dir), out(dir)];
  expect(o11y(dir, ["build", "--out", viaBundle], bundled()).code).toBe(0);
  expect(o11y(dir, ["build", "--out", viaTsx], tsx).code).toBe(0);
  const edited = readTree(viaBundle);
  expect(edited).toEqual(readTree(viaTsx));
  expect([...edited.values()].some((content) => content.includes(text))).toBe(true);
  expect(edited).not.toEqual(readTree(before));
}

/** The line of the fixture a panel is defined on: its `timeseries({` call. */
/** Line and column of the fixture's misspelt metric, in its query's template: where a PromQL finding points. */
function typoPosition(dir: string): { line: number; column: number } {
  const text = readFileSync(path.join(dir, fixture), "utf8");
  const before = text.slice(0, text.indexOf("phoenix_http_request_totl{"));
  return { line: before.split("\n").length, column: before.length - before.lastIndexOf("\n") };
}

function fixtureLine(dir: string, panelId: number): number {
  const lines = readFileSync(path.join(dir, fixture), "utf8").split("\n");
  const idLine = lines.findIndex((line) => line.includes(`id: ${panelId},`));
  for (let i = idLine; i >= 0; i--) if (lines[i]!.includes("timeseries({")) return i + 1;
  throw new Error(`no panel ${panelId} in the fixture`);
}

// Each test runs up to six whole builds, some through tsx: on a loaded 2-core machine that passed 60 s.
describe("the cached bundle", { timeout: 240_000 }, () => {
  const dir = projectCopy();

  it("builds the project into the same files, with the same messages, as tsx", () => {
    const [viaTsx, viaBundle] = [out(dir), out(dir)];
    const fromTsx = o11y(dir, ["build", "--out", viaTsx], tsx);
    expect(cached(dir)).toEqual([]);
    const fromBundle = o11y(dir, ["build", "--out", viaBundle], bundled());
    expect(fromTsx.code, fromTsx.stderr).toBe(0);
    expect(fromBundle).toEqual({ ...fromTsx, stdout: fromTsx.stdout.replace(viaTsx, viaBundle) });
    expect(cached(dir)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{8}-[0-9a-f]{32}\.cjs$/)]);
    const files = readTree(viaBundle);
    expect(files.size).toBeGreaterThanOrEqual(8);
    expect(files).toEqual(readTree(viaTsx));
  });

  it("reports the broken fixture's errors at the same lines as tsx: the lines of the definitions", () => {
    const [viaTsx, viaBundle] = [out(dir), out(dir)];
    const fromTsx = o11y(dir, ["build", "--out", viaTsx, "--project", fixture], tsx);
    const fromBundle = o11y(dir, ["build", "--out", viaBundle, "--project", fixture], bundled(fixture));
    expect(fromTsx.code).toBe(1);
    expect(fromBundle).toEqual({ ...fromTsx, stderr: fromTsx.stderr.replaceAll(viaTsx, viaBundle) });
    // A PromQL finding is at its character in the query's template, from the bundle (through its source map) as from tsx.
    const typo = typoPosition(dir);
    expect(fromTsx.stderr).toContain(
      `${fixture}:${typo.line}:${typo.column} error dashboard broken › panel 101 "Typo"`,
    );
    expect(fromTsx.stderr).toContain(
      `${fixture}:${fixtureLine(dir, 102)} error dashboard broken › panel 102 "No unit"`,
    );
    expect(existsSync(viaBundle)).toBe(false);

    const checkTsx = o11y(dir, ["check", "--format", "json", "--project", fixture], tsx);
    const checkBundle = o11y(dir, ["check", "--format", "json", "--project", fixture], bundled(fixture));
    expect(checkTsx.code).toBe(1);
    expect(checkBundle).toEqual(checkTsx);
    // Again: the checks' verdicts on this model are kept (.o11y-cache/verdicts.json), and say the same.
    expect(existsSync(path.join(dir, ".o11y-cache", "verdicts.json"))).toBe(true);
    expect(o11y(dir, ["check", "--format", "json", "--project", fixture], bundled(fixture))).toEqual(
      checkTsx,
    );
    const { diagnostics } = JSON.parse(checkBundle.stdout) as {
      diagnostics: Array<{ source: { file: string; line: number; column?: number } }>;
    };
    expect(diagnostics.map((d) => d.source)).toEqual([
      { file: fixture, ...typo },
      { file: fixture, line: fixtureLine(dir, 102) },
    ]);
  });

  it("locates definitions made through a helper module (markAsHelper) where the helper was called, as tsx does", () => {
    // Every dashboard lacks a link to this one: a dashboard/links error at each dashboard's definition,
    // which src/dashboards/common.ts's serviceDashboard (a helper module) makes for all of them.
    const module = "test/fixtures/through-helper.ts";
    writeFileSync(
      path.join(dir, module),
      [
        'import { serviceDashboard } from "../../src/dashboards/common.ts";',
        'import { query, row, sel, timeseries } from "../../src/engine/define/dashboard-kit.ts";',
        'import type { ProjectDefinition } from "../../src/engine/define/project.ts";',
        'import { project as realProject } from "../../src/project.ts";',
        "",
        'const unlinked = serviceDashboard({ uid: "unlinked", title: "Unlinked", description: "Links to nothing.", tags: ["test"], anchorMetric: "up" })',
        '  .withRow(row(100, "Row"))',
        '  .withPanel(timeseries({ id: 101, title: "No unit", description: "Missing its unit.", unit: "", queries: [query(`up{${sel}}`)] }));',
        "",
        "export const project: ProjectDefinition = { ...realProject, dashboards: [...realProject.dashboards, unlinked] };",
        "",
      ].join("\n"),
    );
    const checkTsx = o11y(dir, ["check", "--format", "json", "--project", module], tsx);
    const checkBundle = o11y(dir, ["check", "--format", "json", "--project", module], bundled(module));
    expect(checkTsx.code).toBe(1);
    expect(checkBundle).toEqual(checkTsx);
    // Again: the checks' verdicts on this model are kept (.o11y-cache/verdicts.json), and say the same.
    expect(existsSync(path.join(dir, ".o11y-cache", "verdicts.json"))).toBe(true);
    expect(o11y(dir, ["check", "--format", "json", "--project", module], bundled(module))).toEqual(checkTsx);
    const { diagnostics } = JSON.parse(checkBundle.stdout) as {
      diagnostics: Array<{ check: string; source: { file: string; line: number } }>;
    };
    const sources = diagnostics.map((d) => `${d.source.file}:${d.source.line}`);
    expect(diagnostics.filter((d) => d.check === "dashboard/links").length).toBeGreaterThanOrEqual(5);
    expect(sources).toContain(`${module}:6`);
    expect(sources).toContain(`${module}:8`);
    expect(sources.filter((s) => s.startsWith("src/dashboards/")).length).toBeGreaterThanOrEqual(4);
    expect(
      sources.filter(
        (s) =>
          s.startsWith("src/dashboards/common.ts") ||
          s.startsWith("src/engine/") ||
          s.startsWith("<unknown>"),
      ),
    ).toEqual([]);
  });

  it("is loaded again when nothing changed, and rebuilt after an edit, which shows in the build", () => {
    o11y(dir, ["build", "--out", out(dir)], bundled());
    const [first, ...more] = bundlesOf(dir, "src/project.ts");
    expect(more).toEqual([]);
    const firstBundle = path.join(dir, ".o11y-cache", first!);
    const built = statSync(firstBundle).mtimeMs;
    // The CommonJS packages every command loads are bundled in; the ES module ones are imported by Node before it
    // starts (bundled, keepNames slowed lezer's parser to half its speed); those only a dynamic import reaches (the
    // import command's ts-morph and prettier, the watch's esbuild) are neither in it nor loaded before it starts:
    // they load when that code runs.
    const text = readFileSync(firstBundle, "utf8");
    const header = JSON.parse(/^\/\*o11y-bundle (.*?)\*\//.exec(text)![1]!) as {
      require: string[];
      import: string[];
    };
    // (Named by the source map's sources, which keep every file the bundle holds.)
    const map = JSON.parse(
      Buffer.from(
        /sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(text)![1]!,
        "base64",
      ).toString("utf8"),
    ) as { sources: string[]; mappings: string };
    // Its map maps the project's content only (Node parses all of a map to map one frame): not the packages, whose
    // node_modules this copy links, so that esbuild names them by their real path, outside the copy.
    expect(
      map.sources.filter((s) => s.includes("node_modules/") && !s.startsWith("../node_modules/")),
    ).not.toEqual([]);
    expect(
      [...new Set(mappedSources(map))].filter((s) =>
        /(?:^|\/)node_modules\/|^\.\.\/src\/(?:engine|cli)\//.test(s),
      ),
    ).toEqual([]);
    expect(mappedSources(map)).toContain("../src/dashboards/beam-health.ts");
    const heldPackages = new Set(
      map.sources.flatMap((source) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1] ?? []),
    );
    expect([...heldPackages]).toEqual(expect.arrayContaining(["@grafana/grafana-foundation-sdk", "yaml"]));
    // A package required from CommonJS is its CommonJS build, as Node would load it (tslib's ES module build, wrapped
    // for each of the SDK's files that requires it, cost every start).
    expect(map.sources.filter((s) => s.includes("node_modules/tslib/"))).toEqual([
      expect.stringMatching(/node_modules\/tslib\/tslib\.js$/),
    ]);
    expect([...heldPackages].filter((name) => /lezer|js-yaml|commander/.test(name!))).toEqual([]);
    // lezer-promql is neither: src/engine/promql/parse.ts requires it at the first parse, which a build whose checks'
    // verdicts are kept never makes.
    expect(header).toEqual({ require: [], import: ["commander", "js-yaml"] });
    expect([...heldPackages].filter((name) => /ts-morph|prettier|esbuild/.test(name!))).toEqual([]);
    // Nothing changed: the same bundle, not written again.
    const again = out(dir);
    expect(o11y(dir, ["build", "--out", again], bundled()).code).toBe(0);
    expect(statSync(firstBundle).mtimeMs).toBe(built);

    const file = path.join(dir, "src/dashboards/beam-health.ts");
    const source = readFileSync(file, "utf8");
    expect(source.split('title: "Processes",').length).toBe(2);
    writeFileSync(file, source.replace('title: "Processes",', 'title: "Processes (edited)",'));
    expectEditBuilt(dir, '"Processes (edited)"', again);
    // The project's previous bundle is gone; the fixture's (another project module) is kept.
    expect(existsSync(firstBundle)).toBe(false);
    expect(bundlesOf(dir, "src/project.ts")).toHaveLength(1);
    expect(bundlesOf(dir, "src/project.ts")).not.toContain(first);
    expect(bundlesOf(dir, fixture)).toHaveLength(1);
  });

  it("keeps the sources' key while no file moved, and sees an edit that keeps the file's size and times", async () => {
    const fresh = projectCopy();
    // Files changed within two seconds are hashed again on every run, whatever their times say.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(o11y(fresh, ["build", "--out", out(fresh)], bundled()).code).toBe(0);
    const [record, ...others] = readdirSync(path.join(fresh, ".o11y-cache")).filter((name) =>
      name.startsWith("sources-"),
    );
    expect(others).toEqual([]);
    const recordFile = path.join(fresh, ".o11y-cache", record!);
    const kept = statSync(recordFile).mtimeMs;
    const unchanged = out(fresh);
    expect(o11y(fresh, ["build", "--out", unchanged], bundled()).code).toBe(0);
    // The kept key answered: nothing was hashed, so nothing was kept again.
    expect(statSync(recordFile).mtimeMs).toBe(kept);

    // The same size, the modification time set back: the change time still moves, and the edit shows.
    const file = path.join(fresh, "src/dashboards/beam-health.ts");
    const source = readFileSync(file, "utf8");
    const times = statSync(file);
    writeFileSync(file, source.replace('title: "Processes",', 'title: "Processez",'));
    utimesSync(file, times.atime, times.mtime);
    expect(statSync(file).size).toBe(times.size);
    expectEditBuilt(fresh, '"Processez"', unchanged);
  });

  it("runs from V8's code cache kept beside it; a damaged cache, or one of another source, is not used", () => {
    const fresh = projectCopy();
    expect(o11y(fresh, ["build", "--out", out(fresh)], bundled()).code).toBe(0);
    const [bundleName, ...others] = bundlesOf(fresh, "src/project.ts");
    expect(others).toEqual([]);
    const bundleFile = path.join(fresh, ".o11y-cache", bundleName!);
    const cacheFile = `${bundleFile}.v8`;
    const kept = readFileSync(cacheFile);
    const reference = out(fresh);
    expect(o11y(fresh, ["build", "--out", reference], bundled()).code).toBe(0);
    // V8 took it: a refused cache is written again after the run.
    expect(readFileSync(cacheFile).equals(kept)).toBe(true);

    // Bits flipped past its checksum: V8 itself would crash on such a cache, so it is not given one.
    const damaged = Buffer.from(kept);
    for (let i = 4096; i < damaged.length; i += 997) damaged[i] = damaged[i]! ^ 0x5a;
    writeFileSync(cacheFile, damaged);
    const afterDamage = out(fresh);
    const result = o11y(fresh, ["build", "--out", afterDamage], bundled());
    expect(result.code, result.stderr).toBe(0);
    expect(readTree(afterDamage)).toEqual(readTree(reference));
    expect(readFileSync(cacheFile).equals(damaged)).toBe(false);

    // The bundle changed, its length kept: V8 checks only the length, and would run the cached code.
    const cache = readFileSync(cacheFile);
    const source = readFileSync(bundleFile, "utf8");
    expect(source.split('title:"Processes",').length).toBe(2);
    writeFileSync(bundleFile, source.replace('title:"Processes",', 'title:"Processez",'));
    const edited = out(fresh);
    expect(o11y(fresh, ["build", "--out", edited], bundled()).code).toBe(0);
    expect([...readTree(edited).values()].some((content) => content.includes('"Processez"'))).toBe(true);
    expect(readFileSync(cacheFile).equals(cache)).toBe(false);
  });

  it("places frames as Node's own SourceMap would, from the mappings it decoded when it was built", () => {
    // Every segment of its map, the columns beside each, every line's ends: the same source, line and column.
    const [compared, ...more] = buildReporting<
      Array<{ segments: number; positions: number; mapped: number; differences: unknown[] }>
    >(dir, "--import", "bundle-map-comparison.mjs", "o11y-map-comparison");
    expect(more).toEqual([]);
    expect(compared!.segments).toBeGreaterThan(1000);
    expect(compared!.mapped).toBeGreaterThan(compared!.segments);
    expect(compared!.differences).toEqual([]);
  });

  it("loads no PromQL parser for a build whose sources did not change (the facts and verdicts it needs are kept)", () => {
    const loaded = () =>
      buildReporting<string[]>(dir, "--require", "loaded-packages.cjs", "o11y-loaded-packages");
    const edited = path.join(dir, "src/alerts/thresholds.ts");
    const original = readFileSync(edited, "utf8");
    // An edit the last build has not seen: its definitions are parsed again.
    writeFileSync(edited, `${original}\n// another text\n`);
    try {
      expect(loaded()).toContain("@prometheus-io/lezer-promql");
      expect(loaded()).not.toContain("@prometheus-io/lezer-promql");
    } finally {
      writeFileSync(edited, original);
    }
  });

  it("reports a definition that throws as it loads at its line, as tsx does", () => {
    const fresh = projectCopy();
    const file = path.join(fresh, "src/dashboards/beam-health.ts");
    const lines = readFileSync(file, "utf8").split("\n");
    const at = lines.findIndex((line) => line.includes('title: "Processes",'));
    lines[at] = `      title: (() => { throw new Error("a definition that throws"); })(),`;
    writeFileSync(file, lines.join("\n"));
    const [viaBundle, viaTsx] = [out(fresh), out(fresh)];
    const fromBundle = o11y(fresh, ["build", "--out", viaBundle], bundled());
    const fromTsx = o11y(fresh, ["build", "--out", viaTsx], tsx);
    expect(fromBundle.code).toBe(1);
    expect(fromBundle).toEqual({ ...fromTsx, stderr: fromTsx.stderr.replaceAll(viaTsx, viaBundle) });
    expect(fromBundle.stderr).toContain(`src/dashboards/beam-health.ts:${at + 1}:29 error`);
    expect(fromBundle.stderr).toContain("a definition that throws");
  });

  it("is ASCII, and a regular expression of characters outside it keeps the locations after it where tsx has them", () => {
    const fresh = projectCopy();
    const file = path.join(fresh, fixture);
    // On the definitions' own line: the escapes made for the bundle move every column after them.
    const source = readFileSync(file, "utf8").replace(
      'title: "Typo",',
      'title: /[≥›]/u.test("\\u2265") && /\\€/.test("€") ? "Typo ≥ €" : "no",',
    );
    writeFileSync(file, source);
    const fromTsx = o11y(fresh, ["check", "--format", "json", "--project", fixture], tsx);
    const fromBundle = o11y(fresh, ["check", "--format", "json", "--project", fixture], bundled(fixture));
    expect(fromTsx.code).toBe(1);
    expect(fromBundle).toEqual(fromTsx);
    expect(fromBundle.stdout).toContain('panel 101 \\"Typo ≥ €\\"');
    const typo = typoPosition(fresh);
    expect(
      (JSON.parse(fromBundle.stdout) as { diagnostics: Array<{ source: unknown }> }).diagnostics[0]!.source,
    ).toEqual({ file: fixture, ...typo });
    const [bundleName] = bundlesOf(fresh, fixture);
    expect(readFileSync(path.join(fresh, ".o11y-cache", bundleName!)).every((byte) => byte < 0x80)).toBe(
      true,
    );
  });

  it("after an edit that moves the definitions, reports the new lines, as tsx does", () => {
    const file = path.join(dir, fixture);
    const before = fixtureLine(dir, 101);
    o11y(dir, ["check", "--format", "json", "--project", fixture], bundled(fixture));
    writeFileSync(file, `// One more line.\n${readFileSync(file, "utf8")}`);
    expect(fixtureLine(dir, 101)).toBe(before + 1);
    const checkBundle = o11y(dir, ["check", "--format", "json", "--project", fixture], bundled(fixture));
    expect(checkBundle).toEqual(o11y(dir, ["check", "--format", "json", "--project", fixture], tsx));
    const { diagnostics } = JSON.parse(checkBundle.stdout) as {
      diagnostics: Array<{ source: { line: number } }>;
    };
    // Panel 101's finding is at its query's misspelt name, which moved down with it.
    expect(diagnostics.map((d) => d.source.line)).toEqual([typoPosition(dir).line, fixtureLine(dir, 102)]);
  });

  it("is built once, whole, by runs started together (from any folder)", async () => {
    const fresh = projectCopy();
    const dirs = [out(fresh), out(fresh), out(fresh), out(fresh)];
    const results = await Promise.all(
      dirs.map((d, i) => o11yAsync(fresh, ["build", "--out", d], bundled(), i % 2 ? temp : fresh)),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const files = readTree(dirs[0]!);
    for (const d of dirs.slice(1)) expect(readTree(d)).toEqual(files);
    // One bundle, no temporary file left; and it loads.
    expect(cached(fresh)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{8}-[0-9a-f]{32}\.cjs$/)]);
    const last = out(fresh);
    expect(o11y(fresh, ["build", "--out", last], bundled()).code).toBe(0);
    expect(readTree(last)).toEqual(files);
  });

  it("is not tried again for sources it cannot be made of, until they change; tsx runs them", () => {
    const fresh = projectCopy();
    // `import.meta.dirname` would be the bundle's folder in a bundle: such sources go through tsx.
    const file = path.join(fresh, "src/config.ts");
    const source = readFileSync(file, "utf8");
    writeFileSync(file, `${source}export const here = import.meta.dirname;\n`);
    const [first, second, viaTsx] = [out(fresh), out(fresh), out(fresh)];
    expect(o11y(fresh, ["build", "--out", first], {}).code).toBe(0);
    const [note, ...others] = cached(fresh);
    expect(others).toEqual([]);
    expect(note).toMatch(/^cli-[0-9a-f]{8}-[0-9a-f]{32}\.failed$/);
    expect(readFileSync(path.join(fresh, ".o11y-cache", note!), "utf8")).toContain("import.meta");
    expect(o11y(fresh, ["build", "--out", second], {}).code).toBe(0);
    expect(o11y(fresh, ["build", "--out", viaTsx], tsx).code).toBe(0);
    expect(readTree(first)).toEqual(readTree(viaTsx));
    expect(readTree(second)).toEqual(readTree(viaTsx));
    expect(cached(fresh)).toEqual([note]);
    expect(o11y(fresh, ["build", "--out", out(fresh)], bundled()).stderr).toContain(
      "no bundle can be made of these sources: a module reads import.meta",
    );
    // Fixed: a bundle again, and the note is removed with the project's other old files.
    writeFileSync(file, source);
    expect(o11y(fresh, ["build", "--out", out(fresh)], bundled()).code).toBe(0);
    expect(cached(fresh)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{8}-[0-9a-f]{32}\.cjs$/)]);
  });

  it("is not used for another project, nor where it cannot be written: tsx starts the CLI", () => {
    const fresh = projectCopy();
    // Another project than the bundled one.
    const broken = o11y(fresh, ["check", "--project", fixture], {});
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("2 error(s)");
    expect(cached(fresh)).toEqual([]);
    expect(o11y(fresh, ["check", "--project", fixture], bundled()).stderr).toContain(
      "O11Y_CACHE=require: the bundle holds src/project.ts",
    );
    // .o11y-cache is not a folder it can write into (the type check of the fixture made it one: gone first).
    rmSync(path.join(fresh, ".o11y-cache"), { recursive: true, force: true });
    writeFileSync(path.join(fresh, ".o11y-cache"), "");
    const [viaFallback, viaTsx] = [out(fresh), out(fresh)];
    const result = o11y(fresh, ["build", "--out", viaFallback], {});
    expect(result.code, result.stderr).toBe(0);
    expect(o11y(fresh, ["build", "--out", viaTsx], tsx).code).toBe(0);
    expect(readTree(viaFallback)).toEqual(readTree(viaTsx));
    expect(statSync(path.join(fresh, ".o11y-cache")).isFile()).toBe(true);
    expect(o11y(fresh, ["build", "--out", out(fresh)], bundled()).code).not.toBe(0);
  });
});
