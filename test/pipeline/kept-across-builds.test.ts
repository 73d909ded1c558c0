/**
 * What a process keeps from one build to the next (the watch builds again and again in one process) is keyed by
 * everything it depends on, so it can never answer for content that changed: YAML texts by their document's JSON,
 * written afresh for a document JSON cannot tell from another; PromQL parses by mode and text.
 */
import { describe, expect, it, vi } from "vitest";
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
