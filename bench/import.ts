/**
 * Part 6: `o11y import dashboard` and `o11y import rules` as whole processes, with --dry-run: every step (read,
 * compile and check in memory, generate through ts-morph, format with prettier) but the final write, so that each
 * run starts from the same project. They run in a copy of the project whose Kubernetes output writes
 * GrafanaDashboard resources: Node Exporter Full is too large for the ConfigMap `kubectl apply` keeps, and the
 * import refuses what the build would (as the import test's copy does). The copy is built once first, as a project
 * is after `npm run build`: the debt pass reads the outputs that build kept. One more row measures the first import
 * of a fresh checkout: no outputs kept, and neither the writer thread's bundle nor TypeScript's code cache made yet.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { copyProject, measureProcess, root, type ProcessResult } from "./process.ts";

export const importTargets = { panels: 100, ms: 2000 };

const dashboards = path.join(root, "test/fixtures/import/dashboards");
const rules = path.join(root, "test/fixtures/import/rules");
/** Grafana 4's Node Exporter Full, 171 panels in legacy rows: its first 100 panels are the target's dashboard. */
const large = "vegasbrianc-node-exporter-full-2018.json";

export interface ImportBenchRow extends ProcessResult {
  kind: "dashboard" | "rules";
  fixture: string;
  /** Panels of a dashboard, rules of a rule file. */
  size: number;
  panels?: number;
  /** Nothing cached but the CLI's bundle: no outputs kept, no writer bundle, no code cache. */
  cold?: boolean;
}

/** What a fresh checkout has not made yet, in .o11y-cache/: all but the CLI's bundle and the type check's result. */
function removeImportCaches(copy: string): void {
  const dir = path.join(copy, ".o11y-cache");
  for (const name of readdirSync(dir))
    if (/^(outputs-.*\.json|import-writer\.cjs|v8-.*\.bin)$/.test(name))
      rmSync(path.join(dir, name), { force: true });
}

type LegacyDashboard = { panels?: Panel[]; rows?: { panels?: Panel[] }[] };
type Panel = { type?: string; panels?: Panel[] };

function panelCount(d: LegacyDashboard): number {
  let n = 0;
  const visit = (panels: Panel[] = []) => {
    for (const p of panels) {
      if (p.type === "row") visit(p.panels);
      else n++;
    }
  };
  visit(d.panels);
  for (const row of d.rows ?? []) visit(row.panels);
  return n;
}

/** The same dashboard cut after its first `count` panels (rows left empty dropped). */
function firstPanels(d: LegacyDashboard, count: number): LegacyDashboard {
  let left = count;
  const rows = (d.rows ?? [])
    .map((row) => {
      const panels = (row.panels ?? []).slice(0, Math.max(0, left));
      left -= panels.length;
      return { ...row, panels };
    })
    .filter((row) => row.panels.length);
  return { ...d, rows };
}

const ruleCount = (file: string) =>
  (readFileSync(file, "utf8").match(/^\s*- (alert|record):/gm) ?? []).length;

export function measureImport(runs: number): ImportBenchRow[] {
  const copy = copyProject("o11y-bench-import-");
  try {
    const config = path.join(copy, "src/config.ts");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(
        'dashboards: "configmap" as const',
        'dashboards: "grafana-operator" as const',
      ),
    );
    const built = spawnSync(process.execPath, ["bin/o11y.js", "build", "--out", path.join(copy, "build")], {
      cwd: copy,
      encoding: "utf8",
    });
    if (built.status !== 0)
      throw new Error(`the copy does not build: ${built.stderr.trim().split("\n").at(-1)}`);
    const source = JSON.parse(readFileSync(path.join(dashboards, large), "utf8")) as LegacyDashboard;
    const hundred = path.join(copy, "node-exporter-full-100-panels.json");
    writeFileSync(hundred, JSON.stringify(firstPanels(source, importTargets.panels)));
    const dashboardRows: ImportBenchRow[] = [
      { fixture: `${large}, first 100 panels`, file: hundred },
      { fixture: large, file: path.join(dashboards, large) },
      { fixture: "dotdc-k8s-views-pods.json", file: path.join(dashboards, "dotdc-k8s-views-pods.json") },
    ].map(({ fixture, file }) => {
      const panels = panelCount(JSON.parse(readFileSync(file, "utf8")) as LegacyDashboard);
      const result = measureProcess(
        `o11y import dashboard (${panels} panels)`,
        ["bin/o11y.js", "import", "dashboard", "--dry-run", file],
        runs,
        1,
        { cwd: copy },
      );
      return { ...result, kind: "dashboard" as const, fixture, size: panels, panels };
    });
    const first = measureProcess(
      `o11y import dashboard (${importTargets.panels} panels), first import`,
      ["bin/o11y.js", "import", "dashboard", "--dry-run", hundred],
      runs,
      1,
      { cwd: copy, before: () => removeImportCaches(copy) },
    );
    dashboardRows.push({
      ...first,
      kind: "dashboard",
      fixture: `${large}, first 100 panels, first import in a fresh checkout`,
      size: importTargets.panels,
      panels: importTargets.panels,
      cold: true,
    });
    const ruleRows = ["kube-prometheus-node-exporter-prometheusrule.yaml", "awesome-node-exporter.yml"].map(
      (fixture) => {
        const file = path.join(rules, fixture);
        const size = ruleCount(file);
        const result = measureProcess(
          `o11y import rules (${size} rules)`,
          ["bin/o11y.js", "import", "rules", "--dry-run", file],
          runs,
          1,
          { cwd: copy },
        );
        return { ...result, kind: "rules" as const, fixture, size };
      },
    );
    return [...dashboardRows, ...ruleRows];
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
