/**
 * Part 5: `o11y import dashboard` of real dashboards as a whole process (test/fixtures/import/dashboards/), with
 * --dry-run: every step (read, compile and check in memory, generate through ts-morph, format with prettier)
 * but the final write, so that each run starts from the same project.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { measureProcess, root, type ProcessResult } from "./process.ts";

export const importTargets = { panels: 100, ms: 2000 };

/** The real dashboards measured: one of the target's size or more, and a modern one of a few dozen panels. */
const fixtures = ["vegasbrianc-node-exporter-full-2018.json", "dotdc-k8s-views-pods.json"];

export interface ImportBenchRow extends ProcessResult {
  fixture: string;
  panels: number;
}

function panelCount(file: string): number {
  const d = JSON.parse(readFileSync(file, "utf8")) as { panels?: unknown[]; rows?: { panels?: unknown[] }[] };
  let n = 0;
  const visit = (panels: unknown[] = []) => {
    for (const p of panels as { type?: string; panels?: unknown[] }[]) {
      if (p.type === "row") visit(p.panels);
      else n++;
    }
  };
  visit(d.panels);
  for (const row of d.rows ?? []) visit(row.panels);
  return n;
}

export function measureImport(runs: number): ImportBenchRow[] {
  return fixtures.map((fixture) => {
    const file = path.join(root, "test/fixtures/import/dashboards", fixture);
    const panels = panelCount(file);
    const result = measureProcess(
      `o11y import dashboard (${panels} panels)`,
      ["bin/o11y.js", "import", "dashboard", "--dry-run", file],
      runs,
    );
    return { ...result, fixture, panels };
  });
}
