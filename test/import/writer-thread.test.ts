/**
 * `o11y import dashboard` makes and formats its files in a thread of its own (src/engine/import/writer-thread.ts):
 * the thread must make the very files the main thread makes, byte for byte, say the same problems, run the writer as
 * the sources are now (its bundle made again when one of its files changes), and leave the writing to the main thread
 * wherever it cannot run.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { InferredMetric } from "../../src/engine/import/catalog-entries.ts";
import {
  call,
  CallCode,
  decodeCode,
  encodeCode,
  reference,
  template,
  type Code,
} from "../../src/engine/import/code.ts";
import { readDashboard } from "../../src/engine/import/dashboard.ts";
import { dashboardCode, dashboardName, exportNameOf } from "../../src/engine/import/import-dashboard.ts";
import { ImportError } from "../../src/engine/import/report.ts";
import { ModuleWriter } from "../../src/engine/import/typescript-writer.ts";
import { renderDashboardImport, type DashboardFiles } from "../../src/engine/import/write-project.ts";
import { WriterThread } from "../../src/engine/import/writer-thread.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { projectCopies } from "../helpers/copy.ts";

const fixtures = path.join(projectRoot, "test/fixtures/import/dashboards");
const copies = projectCopies("o11y-writer-thread-");

function project(): string {
  const dir = copies();
  cpSync(path.join(projectRoot, ".prettierrc.json"), path.join(dir, ".prettierrc.json"));
  return dir;
}

const metrics: InferredMetric[] = [
  { name: "node_cpu_seconds_total", type: "counter", labels: ["cpu", "mode"], inferred: "read by rate()" },
  {
    name: "node_disk_io_time_seconds",
    type: "histogram",
    labels: [],
    buckets: [0.1, 1],
    inferred: "_bucket",
  },
];

/** A fixture's dashboard as the import generates it (without debt, which is code like the rest). */
function generated(fixture: string) {
  const file = path.join(fixtures, fixture);
  const plain = readDashboard(readFileSync(file, "utf8"), { file: fixture }).dashboard;
  const debts = { dashboard: [], variables: new Map(), panels: new Map() };
  const name = dashboardName(plain.title);
  return { name, exportName: exportNameOf(name), code: dashboardCode(plain, debts, fixture) };
}

type Generated = ReturnType<typeof generated>;

const filesOf = (dashboard: Generated, importedFrom: string): DashboardFiles => ({
  name: dashboard.name,
  exportName: dashboard.exportName,
  metrics,
  importedFrom,
});

function inMainThread(root: string, dashboard: Generated, importedFrom: string) {
  return renderDashboardImport(new ModuleWriter(root), filesOf(dashboard, importedFrom), dashboard.code);
}

/** As the import asks a thread: the files that need no code first, then the code. */
function inThread(thread: WriterThread, dashboard: Generated, importedFrom: string) {
  thread.prepare(filesOf(dashboard, importedFrom));
  return thread.renderDashboard(dashboard.code);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the code sent to the writer thread", () => {
  it.each<{ name: string; code: Code }>([
    { name: "scalars", code: [null, true, false, 0, -0, 1.5, -2, "text", ""] },
    { name: "a call with nested calls", code: call("importedPanel", { debt: [call("debt", "a/b", "why")] }) },
    { name: "a reference", code: { uid: reference("settings.datasource.uid") } },
    { name: "a template with text and values", code: template("a ", reference("x.y"), " b ", 3, "") },
    { name: "objects whose keys look like tags", code: { 0: "zero", call: ["reference", "x"], object: [] } },
    {
      name: "a key __proto__, as JSON.parse makes it",
      code: JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as Code,
    },
  ])("$name: the same after a thread's copy", ({ code }) => {
    expect(decodeCode(structuredClone(encodeCode(code)))).toStrictEqual(code);
  });

  it("leaves out members that are undefined, as the writer does", () => {
    const decoded = decodeCode(structuredClone(encodeCode(call("f", { a: 1, b: undefined }))));
    expect(decoded).toBeInstanceOf(CallCode);
    expect((decoded as CallCode).args[0]).toStrictEqual({ a: 1 });
  });
});

describe("the writer thread", () => {
  it.each([
    "vegasbrianc-node-exporter-full-2018.json",
    "dotdc-k8s-views-pods.json",
    "vegasbrianc-docker-rows-schema12.json",
  ])("makes the files the main thread makes, byte for byte: %s", async (fixture) => {
    const root = project();
    const dashboard = generated(fixture);
    const thread = new WriterThread(root);
    const there = await inThread(thread, dashboard, fixture);
    expect(there).toBeDefined();
    expect(there).toEqual(await inMainThread(root, dashboard, fixture));
    // The thread wrote nothing in the project.
    expect(there!.files.find((f) => f.path === `src/dashboards/${dashboard.name}.ts`)?.created).toBe(true);
    // One import's files: asked again, it leaves them to the main thread.
    expect(await thread.renderDashboard(dashboard.code)).toBeUndefined();
  });

  it("prepares the files of one import: a second prepare is refused, not paired with the first's code", () => {
    const thread = new WriterThread(project());
    const dashboard = generated("dotdc-k8s-views-pods.json");
    thread.prepare(filesOf(dashboard, "x.json"));
    expect(() => thread.prepare(filesOf(generated("promex-ecto.json"), "y.json"))).toThrow(/one import/);
    thread.close();
  });

  it("throws the problems it finds, as the main thread does", async () => {
    const root = project();
    const dashboard = generated("dotdc-k8s-views-pods.json");
    writeFileSync(path.join(root, `src/dashboards/${dashboard.name}.ts`), "export {};\n");
    const here = await inMainThread(root, dashboard, "x.json").catch((error: unknown) => error);
    expect(here).toBeInstanceOf(ImportError);
    const thread = new WriterThread(root);
    const there = await inThread(thread, dashboard, "x.json").catch((error: unknown) => error);
    expect(there).toBeInstanceOf(ImportError);
    expect((there as ImportError).problems).toEqual((here as ImportError).problems);
    expect((there as ImportError).problems[0]!.message).toContain("exists already");
  });

  it("runs the writer as its files are now: its bundle is made again when one changes", async () => {
    const root = project();
    const bundle = path.join(root, ".o11y-cache/import-writer.cjs");
    const dashboard = generated("dotdc-k8s-views-pods.json");
    const first = await inThread(new WriterThread(root), dashboard, "x.json");
    const header = () => readFileSync(bundle, "utf8").split("\n", 1)[0]!;
    const before = header();
    // Its sources, and the configuration esbuild reads with them.
    for (const input of ["src/engine/import/typescript-writer.ts", "tsconfig.json", "package.json"])
      expect(before).toContain(`"${input}"`);
    // A change the bundle must carry: the generated module's doc comment.
    const writer = path.join(root, "src/engine/import/write-project.ts");
    const source = readFileSync(writer, "utf8");
    expect(source).toContain("Imported by \\`o11y import dashboard\\` from");
    writeFileSync(writer, source.replace("Imported by \\`o11y import dashboard\\` from", "Imported from"));
    const second = await inThread(new WriterThread(root), dashboard, "x.json");
    expect(header()).not.toBe(before);
    const module = (rendered: typeof first) =>
      rendered!.rendered.find((f) => f.path === `src/dashboards/${dashboard.name}.ts`)!.content;
    expect(module(first)).toContain("Imported by `o11y import dashboard` from x.json.");
    expect(module(second)).toContain("Imported from x.json.");
    // Unchanged sources: the same bundle, not made again.
    appendFileSync(path.join(root, "src/engine/import/dashboard.ts"), "\n// not in the bundle\n");
    await inThread(new WriterThread(root), dashboard, "x.json");
    expect(header()).toBe(readFileSync(bundle, "utf8").split("\n", 1)[0]);
  });

  it.each([
    { name: "O11Y_CACHE=off", setup: () => vi.stubEnv("O11Y_CACHE", "off") },
    {
      name: "no bundle can be written (.o11y-cache/import-writer.cjs is a folder)",
      setup: (root: string) =>
        mkdirSync(path.join(root, ".o11y-cache/import-writer.cjs"), { recursive: true }),
    },
    { name: "the thread fails (ts-morph cannot be loaded)", setup: withoutTsMorph },
    { name: "the thread failed before it was asked", setup: withoutTsMorph, askAfterMs: 4000 },
  ])("leaves the files to the main thread where it cannot run: $name", async ({ setup, askAfterMs }) => {
    const root = project();
    setup(root);
    const dashboard = generated("dotdc-k8s-views-pods.json");
    const thread = new WriterThread(root);
    // As the import does: its thread works while the project loads and the dashboard is checked.
    if (askAfterMs) await new Promise((resolve) => setTimeout(resolve, askAfterMs));
    expect(await inThread(thread, dashboard, "x.json")).toBeUndefined();
  });
});

/** The copy's own node_modules, without ts-morph: the thread's bundle is made and loads, ts-morph does not. */
function withoutTsMorph(root: string) {
  const modules = path.join(root, "node_modules");
  rmSync(modules);
  mkdirSync(modules);
  for (const name of ["esbuild", "@esbuild", "prettier"])
    cpSync(path.join(projectRoot, "node_modules", name), path.join(modules, name), { recursive: true });
}
