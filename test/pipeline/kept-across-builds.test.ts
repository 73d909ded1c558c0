/**
 * What a process keeps from one build to the next (the watch builds again and again in one process) is keyed by
 * everything it depends on, so it can never answer for content that changed: YAML texts by their document's JSON,
 * written afresh for a document JSON cannot tell from another; PromQL parses by mode and text; and the YAML kept on
 * disk for the next process, by hash, in a store whose name changes with the code that writes and reads YAML.
 */
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type * as KeptModule from "../../src/engine/kept-outputs.ts";
import { projectRoot } from "../../src/engine/source.ts";
import type * as ArtifactModule from "../../src/engine/render/artifact.ts";
import type * as ParseModule from "../../src/engine/promql/parse.ts";

const fields = { path: "x.yaml", schema: "x", subject: "x", source: { file: "src/x.ts", line: 1 } };

/** The render module as a new process has it: nothing kept yet. */
async function freshArtifacts(): Promise<typeof ArtifactModule> {
  vi.resetModules();
  return import("../../src/engine/render/artifact.ts");
}

describe("YAML texts kept by document", () => {
  // Pairs of documents whose JSON is the same text (or that JSON cannot write at all): each must get its own YAML.
  const pairs: Array<[string, unknown, unknown]> = [
    ["NaN and null", { value: Number.NaN }, { value: null }],
    ["Infinity and null", { value: Number.POSITIVE_INFINITY }, { value: null }],
    ["-0 and 0", { value: -0 }, { value: 0 }],
    ["undefined in a list and null", { list: [undefined] }, { list: [null] }],
    ["a Date and its ISO text", { at: new Date(0) }, { at: "1970-01-01T00:00:00.000Z" }],
    ["an object that writes its own JSON", { value: { toJSON: () => "x" } }, { value: "x" }],
  ];

  it.each(pairs)("%s: each as a process that never wrote the other", async (_name, first, second) => {
    const fresh = async (document: unknown) =>
      (await freshArtifacts()).yamlArtifact(fields, document, "src/x.ts").content;
    const expected = [await fresh(first), await fresh(second)];
    const { yamlArtifact } = await freshArtifacts();
    const both = [first, second].map((document) => yamlArtifact(fields, document, "src/x.ts").content);
    expect(both).toEqual(expected);
  });

  it("the same document again is the same text, and a changed one its own", async () => {
    const { yamlArtifact } = await freshArtifacts();
    const document = { groups: [{ name: "a", rules: [{ alert: "A", expr: "up == 0", for: "5m" }] }] };
    const once = yamlArtifact(fields, document, "src/x.ts").content;
    expect(yamlArtifact(fields, structuredClone(document), "src/x.ts").content).toBe(once);
    const changed = { groups: [{ name: "a", rules: [{ alert: "A", expr: "up == 1", for: "5m" }] }] };
    expect(yamlArtifact(fields, changed, "src/x.ts").content).toContain("expr: up == 1");
    // The header names the source: another source, another text.
    expect(yamlArtifact(fields, document, "src/y.ts").content).toContain("from src/y.ts");
  });
});

describe("PromQL parses kept by mode and text", () => {
  async function freshParse(): Promise<typeof ParseModule> {
    vi.resetModules();
    return import("../../src/engine/promql/parse.ts");
  }

  it("are not kept unless asked for", async () => {
    const { parseKept } = await freshParse();
    expect(parseKept("up", { grafana: false })).not.toBe(parseKept("up", { grafana: false }));
  });

  it("once asked for, the same text and mode give the same parse; another mode or text, another", async () => {
    const { keepParses, parseKept, parsePromQL } = await freshParse();
    keepParses();
    const plain = parseKept('rate(x{job="$job"}[5m])', { grafana: false });
    expect(parseKept('rate(x{job="$job"}[5m])', { grafana: false })).toBe(plain);
    const grafana = parseKept('rate(x{job="$job"}[5m])', { grafana: true });
    expect(grafana).not.toBe(plain);
    expect(grafana.variables).toEqual(parsePromQL('rate(x{job="$job"}[5m])', { grafana: true }).variables);
    expect(parseKept("up == 1", { grafana: false }).text).toBe("up == 1");
  });

  it("keep at most their limit of text, the least recently used out first", async () => {
    const { keepParses, parseKept } = await freshParse();
    keepParses(20);
    const first = parseKept("metric_a", { grafana: false });
    parseKept("metric_b", { grafana: false });
    // Used again: now the most recent.
    expect(parseKept("metric_a", { grafana: false })).toBe(first);
    const second = parseKept("metric_b", { grafana: false });
    parseKept("metric_c", { grafana: false });
    expect(parseKept("metric_a", { grafana: false })).not.toBe(first);
    expect(parseKept("metric_b", { grafana: false })).not.toBe(second);
  });
});

describe("the outputs kept on disk between processes", () => {
  const root = mkdtempSync(path.join(tmpdir(), "o11y-kept-yaml-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const file of [
    "package.json",
    "src/engine/render/artifact.ts",
    "src/engine/validate/schemas.ts",
    "src/engine/validate/schemas.precompiled.cjs",
  ])
    cpSync(path.join(projectRoot, file), path.join(root, file));
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(root, "node_modules"), "dir");

  /** The store module as a new process has it. */
  async function freshStore(): Promise<typeof KeptModule> {
    vi.resetModules();
    return import("../../src/engine/kept-outputs.ts");
  }

  it("answers a later process for what an earlier one kept, by hash, and nothing else", async () => {
    const first = await freshStore();
    first.loadKeptOutputs(root);
    first.keepText(first.sha256("key"), "text: 1\n");
    first.keepDocument(first.sha256("text: 1\n"), { text: 1 });
    // Not JSON exactly: not kept.
    first.keepDocument(first.sha256("value: .nan\n"), { value: Number.NaN });
    first.saveKeptOutputs();

    const second = await freshStore();
    expect(second.keptText(second.sha256("key"))).toBeUndefined();
    second.loadKeptOutputs(root);
    expect(second.keptText(second.sha256("key"))).toBe("text: 1\n");
    expect(second.keptDocument(second.sha256("text: 1\n"))).toEqual({ document: { text: 1 } });
    expect(second.keptDocument(second.sha256("text: 2\n"))).toBeUndefined();
    expect(second.keptDocument(second.sha256("value: .nan\n"))).toBeUndefined();
  });

  it("is another store when the code that writes or reads YAML changes", async () => {
    const first = await freshStore();
    first.loadKeptOutputs(root);
    first.keepText(first.sha256("another key"), "a: 1\n");
    first.saveKeptOutputs();
    appendFileSync(path.join(root, "src/engine/render/artifact.ts"), "\n// changed\n");
    const second = await freshStore();
    second.loadKeptOutputs(root);
    expect(second.keptText(second.sha256("another key"))).toBeUndefined();
  });

  it("a schema's acceptance answers for the very same text only: a changed file is validated", async () => {
    const { compile } = await import("../../src/engine/pipeline.ts");
    const { project } = await import("../fixtures/watch/project.ts");
    const datasources = compile(project).artifacts.find((a) => a.schema === "grafana-datasources")!;
    const validateIn = async (artifact: typeof datasources) => {
      vi.resetModules();
      const store = await import("../../src/engine/kept-outputs.ts");
      const { validateArtifacts } = await import("../../src/engine/validate/schemas.ts");
      store.loadKeptOutputs(root);
      const diagnostics = validateArtifacts([artifact]);
      store.saveKeptOutputs();
      return diagnostics;
    };
    expect(await validateIn(datasources)).toEqual([]);
    expect(await validateIn(datasources)).toEqual([]);
    const broken = {
      ...datasources,
      content: datasources.content.replace("apiVersion: 1", "apiVersion: one"),
    };
    expect(broken.content).not.toBe(datasources.content);
    const checks = (await validateIn(broken)).map((d) => d.check);
    expect(checks.length).toBeGreaterThan(0);
    expect(new Set(checks)).toEqual(new Set(["schema/grafana-datasources"]));
  });

  it("a file that is not a store is ignored", async () => {
    const first = await freshStore();
    first.loadKeptOutputs(root);
    first.keepText(first.sha256("k"), "x: 1\n");
    first.saveKeptOutputs();
    const file = readdirSync(path.join(root, ".o11y-cache")).find((name) => name.startsWith("outputs-"))!;
    writeFileSync(path.join(root, ".o11y-cache", file), "{ not json");
    const second = await freshStore();
    second.loadKeptOutputs(root);
    expect(second.keptText(second.sha256("k"))).toBeUndefined();
  });
});
