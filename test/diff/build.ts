/**
 * The fixture project's build (test/diff/fixture), compiled once per test file, and edited as files: the two sides of
 * an engine-level diff. Never the real content: adding an alert, a panel or an SLO to src/ changes nothing here.
 */
import { parse, stringify } from "yaml";
import { diffArtifacts, type DiffReport } from "../../src/engine/diff/diff.ts";
import { renderJson } from "../../src/engine/diff/render.ts";
import type { ArtifactFile } from "../../src/engine/diff/snapshot.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "./fixture/project.ts";
import { expectValidReport } from "./report-schema.ts";

export const { model, artifacts } = compile(project);
export const base: ArtifactFile[] = artifacts.map((a) => ({ path: a.path, content: a.content }));

/** The report of `from` → head; its JSON is held to schemas/diff-report.schema.json every time. */
export function diff(head: ArtifactFile[], from = base): DiffReport {
  const report = diffArtifacts(from, head, { base: "base", head: "head", model });
  expectValidReport(JSON.parse(renderJson(report)));
  return report;
}

export type Doc = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The build with some files' documents edited; YAML and JSON written back in their usual style. */
export function edited(edits: Record<string, (doc: Doc) => void>, files = base): ArtifactFile[] {
  return files.map((file) => {
    const edit = edits[file.path];
    if (!edit) return file;
    const doc = file.path.endsWith(".json") ? JSON.parse(file.content) : parse(file.content);
    edit(doc);
    return {
      path: file.path,
      content: file.path.endsWith(".json") ? JSON.stringify(doc, null, 2) : stringify(doc),
    };
  });
}

export const alertsIn = (doc: Doc): Doc[] => doc.groups[0].rules;
export const rule = (doc: Doc, name: string): Doc =>
  doc.groups.flatMap((g: Doc) => g.rules).find((r: Doc) => r.alert === name || r.record === name);
export const panel = (doc: Doc, id: number): Doc =>
  doc.panels.flatMap((p: Doc) => [p, ...(p.panels ?? [])]).find((p: Doc) => p.id === id);
