/**
 * validateArtifacts keeps the YAML it parsed (by its text), so an unchanged file is not parsed again
 * on a rebuild. What it keeps must never change a verdict: content found invalid is judged afresh each time, the
 * same content under another schema is judged against that schema, and any edit is a new judgement.
 */
import { describe, expect, it } from "vitest";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { yamlArtifact } from "../../src/engine/render/artifact.ts";
import { parsedDocument, validateArtifacts } from "../../src/engine/validate/schemas.ts";

const rules = {
  groups: [
    { name: "cache-test", interval: "30s", rules: [{ record: "job:cache_test:sum", expr: "sum(up)" }] },
  ],
};
const artifactOf = (
  document: unknown,
  schema = "prometheus-rules",
  subject = "rule group cache-test",
): Artifact =>
  yamlArtifact(
    { path: "prometheus/rules/cache-test.yaml", schema, subject, source: { file: "src/cache.ts", line: 3 } },
    document,
    "src/cache.ts",
  );
const checksOf = (artifact: Artifact) => validateArtifacts([artifact]).map((d) => `${d.check} ${d.subject}`);

describe("validation of YAML seen before", () => {
  it("valid content is valid again, and its document is there for the invariants", () => {
    const first = artifactOf(rules);
    expect(validateArtifacts([first])).toEqual([]);
    const again = artifactOf(rules);
    expect(validateArtifacts([again])).toEqual([]);
    expect(parsedDocument(again)?.document).toEqual(rules);
    // Not parsed again: the document read the first time.
    expect(parsedDocument(again)?.document).toBe(parsedDocument(first)?.document);
  });

  it("the same content under another schema is judged by that schema", () => {
    expect(validateArtifacts([artifactOf(rules)])).toEqual([]);
    expect(checksOf(artifactOf(rules, "alertmanager-config", "alertmanager"))).toContain(
      "schema/alertmanager-config alertmanager",
    );
  });

  it("invalid content is judged afresh each time, under each artifact's own name", () => {
    const broken = {
      groups: [{ name: "cache-test", interval: "30s", rules: [{ record: "job:cache_test:sum" }] }],
    };
    expect(checksOf(artifactOf(broken))).toEqual(["schema/prometheus-rules rule group cache-test"]);
    expect(checksOf(artifactOf(broken, "prometheus-rules", "rule group other"))).toEqual([
      "schema/prometheus-rules rule group other",
    ]);
  });

  it("an edit after a valid build is a new judgement", () => {
    expect(validateArtifacts([artifactOf(rules)])).toEqual([]);
    const edited = { groups: [{ ...rules.groups[0], interval: "banana" }] };
    expect(checksOf(artifactOf(edited))).toEqual(["schema/prometheus-rules rule group cache-test"]);
  });
});
