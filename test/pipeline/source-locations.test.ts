import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { callerLocation, callerLocationFromStackText, projectRoot } from "../../src/engine/source.ts";

/**
 * callerLocation reads V8's structured call sites and source-maps only the frames it looks at; the CLI
 * runs it that way, under tsx. Under vitest (which formats stacks itself) it reads the stack text instead,
 * so the fast path is checked in real node + tsx processes: every location of the compiled projects
 * must be what the stack text gives.
 */
const child = `
const [mode, limit] = process.argv.slice(1);
if (limit) Error.stackTraceLimit = Number(limit);
// Any Error.prepareStackTrace that is not Node's own sends callerLocation to the stack text.
if (mode === "text") { const own = Error.prepareStackTrace; Error.prepareStackTrace = (error, sites) => own(error, sites); }
const { compile } = await import("./src/engine/pipeline.ts");
const projects = [
  (await import("./src/project.ts")).project,
  (await import("./test/fixtures/broken-project.ts")).project,
];
const locations = [];
const walk = (value, key) => {
  if (Array.isArray(value)) for (const item of value) walk(item);
  else if (value && typeof value === "object") {
    if (key === "source" || key === "origin") locations.push(value.file + ":" + value.line);
    for (const [k, v] of Object.entries(value)) walk(v, k);
  }
};
for (const project of projects) {
  const result = compile(project);
  walk(result.model);
  walk(result.diagnostics);
}
process.stdout.write(JSON.stringify(locations));
`;

// A definition made through a chain of wrapper functions in a helper module, deeper than callerLocation
// looks at first: the wrapper frames are skipped, the definition is found further down.
const temp = mkdtempSync(path.join(tmpdir(), "o11y-locations-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const engine = (file: string) =>
  JSON.stringify(pathToFileURL(path.join(projectRoot, "src", "engine", file)).href);
writeFileSync(
  path.join(temp, "wrapper.mjs"),
  [
    `import { markAsHelper } from ${engine("source.ts")};`,
    `import { query, timeseries } from ${engine("define/dashboard-kit.ts")};`,
    "markAsHelper(import.meta.url);",
    'export const wrapped = (depth) => (depth === 0 ? timeseries({ id: 1, title: "T", description: "D", unit: "s", queries: [query("up")] }) : wrapped(depth - 1));',
  ].join("\n"),
);
writeFileSync(
  path.join(temp, "content.mjs"),
  [
    `import { locationOf } from ${engine("define/registry.ts")};`,
    'import { wrapped } from "./wrapper.mjs";',
    "export const deep = wrapped(4);",
    "export const location = locationOf(deep.build());",
  ].join("\n"),
);
const deepChild = `
if (process.argv[1] === "text") { const own = Error.prepareStackTrace; Error.prepareStackTrace = (error, sites) => own(error, sites); }
const { location } = await import(${JSON.stringify(pathToFileURL(path.join(temp, "content.mjs")).href)});
process.stdout.write(JSON.stringify([location.file + ":" + location.line]));
`;

function locations(mode: "fast" | "text", limit?: number, script = child): string[] {
  const args = [
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    script,
    mode,
    ...(limit === undefined ? [] : [String(limit)]),
  ];
  const run = spawnSync(process.execPath, args, { cwd: projectRoot, encoding: "utf8", maxBuffer: 2 ** 26 });
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

describe("callerLocation", () => {
  it("under tsx, gives every definition the location the stack text gives", () => {
    const fast = locations("fast");
    expect(fast.length).toBeGreaterThan(200);
    expect(fast.filter((l) => l.startsWith("<unknown>") || l.endsWith(":0"))).toEqual([]);
    expect(fast.some((l) => l.startsWith("src/dashboards/"))).toBe(true);
    expect(fast.some((l) => l.startsWith("test/fixtures/broken-project.ts:"))).toBe(true);
    expect(fast).toEqual(locations("text"));
  });

  it("finds a definition below many helper frames", () => {
    const [deep] = locations("fast", undefined, deepChild);
    expect(deep).toBe(
      `${path.relative(projectRoot, path.join(temp, "content.mjs")).split(path.sep).join("/")}:3`,
    );
    expect([deep]).toEqual(locations("text", undefined, deepChild));
  });

  it("looks at as many frames as the stack text would", () => {
    // With 4 frames the kit's own frames fill most of the stack: some definitions have no location.
    const fast = locations("fast", 4);
    expect(fast.some((l) => l.startsWith("<unknown>"))).toBe(true);
    expect(fast).toEqual(locations("text", 4));
  }, 60_000);

  it("in this process (stacks formatted by vitest), is the stack text's answer", () => {
    const fromText = callerLocationFromStackText();
    const here = callerLocation();
    expect(here.file).toBe("test/pipeline/source-locations.test.ts");
    expect(fromText.file).toBe(here.file);
    expect(here.line).toBe(fromText.line + 1);
  });
});
