/** `o11y diff` reports a change once, by model object: the outputs' folders repeat the model and add no rows. */
import { describe, expect, it } from "vitest";
import { diffArtifacts } from "../../src/engine/diff/diff.ts";
import type { ArtifactFile } from "../../src/engine/diff/snapshot.ts";
import { base, edited, model, type Doc } from "./build.ts";

const outputFolder = /^(kubernetes|mimir|victoriametrics)\//;
const withoutOutputs = (files: ArtifactFile[]) => files.filter((f) => !outputFolder.test(f.path));
const report = (from: ArtifactFile[], head: ArtifactFile[]) =>
  diffArtifacts(from, head, { base: "base", head: "head", model });

/** Every group holding `alert`, in every file of the build that has rule groups (Prometheus's and each output's). */
function withThreshold(alert: string, threshold: string): ArtifactFile[] {
  const groupsOf = (doc: Doc): Doc[] => doc.groups ?? doc.spec?.groups ?? [];
  const edits: Record<string, (doc: Doc) => void> = {};
  for (const file of base) {
    if (!/\.ya?ml$/.test(file.path) || !file.content.includes(`alert: ${alert}`)) continue;
    edits[file.path] = (doc) => {
      for (const group of groupsOf(doc))
        for (const rule of group.rules)
          if (rule.alert === alert) rule.expr = `${rule.expr.replace(/[\d.]+\s*$/, "")}${threshold}`;
    };
  }
  expect(Object.keys(edits).filter((p) => outputFolder.test(p)).length).toBeGreaterThanOrEqual(3);
  return edited(edits);
}

describe("o11y diff with outputs", () => {
  it("the build has output folders to ignore", () => {
    expect(base.some((f) => outputFolder.test(f.path))).toBe(true);
  });

  it("reports an alert changed in every output exactly as it does without the outputs", () => {
    const alert = model.alerts[0]!;
    const head = withThreshold(alert.name, "0.999");
    const withOutputs = report(base, head);
    expect(withOutputs.alerts.map((a) => a.key)).toEqual([alert.name]);
    expect(withOutputs).toEqual(report(withoutOutputs(base), withoutOutputs(head)));
  });

  it("reports nothing when only an output's files change", () => {
    const head = edited({
      "kubernetes/kustomization.yaml": (doc) => doc.resources.reverse(),
      "mimir/rules.yaml": (doc) => (doc.namespace = "other"),
    });
    const found = report(base, head);
    expect(found.files).toEqual([]);
    expect(found.alerts).toEqual([]);
  });
});
