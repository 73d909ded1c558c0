/**
 * `o11y import dashboard` on every real dashboard of test/fixtures/import/dashboards/ (see SOURCES.md there), into
 * one copy of the project; then `o11y build` there, with its type check and promtool, must be green, the generated
 * files must pass prettier --check with the project's configuration, and each built dashboard must give back its
 * source, field by field: panels, titles, types (after the legacy mappings the report states), grid positions,
 * queries, legend formats, units, thresholds, variables and links. A difference is allowed only where the import's
 * report names it.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, cpSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";
import { editIn, o11yIn, projectCopies } from "../helpers/copy.ts";

type Json = Record<string, unknown>;
const fixtures = path.join(projectRoot, "test/fixtures/import/dashboards");
const files = readdirSync(fixtures)
  .filter((f) => f.endsWith(".json"))
  .sort();

const dir = projectCopies("o11y-import-dashboards-")();
cpSync(path.join(projectRoot, ".prettierrc.json"), path.join(dir, ".prettierrc.json"));
// Node Exporter Full is too large for a ConfigMap that `kubectl apply` keeps: as targets/kubernetes-resource advises,
// this copy writes GrafanaDashboard resources, which compress a large dashboard.
editIn(dir, "src/config.ts", 'dashboards: "configmap" as const', 'dashboards: "grafana-operator" as const');
const reports = new Map<string, string>();
let build: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  for (const file of files) {
    // Two fixtures are both called "Node Exporter Full": the second is named on the command line.
    const name = file === "rfrail3-node-exporter-full.json" ? ["--name", "node-exporter-full-rfrail3"] : [];
    const result = o11yIn(dir, ["import", "dashboard", ...name, path.join(fixtures, file)]);
    expect(result.stderr, file).toBe("");
    expect(result.code, file).toBe(0);
    reports.set(file, result.stdout);
  }
  // Its report lists every suppressed finding: thousands of lines.
  const result = spawnSync(process.execPath, [path.join(dir, "bin/o11y.js"), "build"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", O11Y_DEBUG: "" },
    maxBuffer: 512 * 1024 * 1024,
  });
  build = { code: result.status, stdout: result.stdout, stderr: result.stderr };
}, 1_200_000);

const obj = (v: unknown): Json =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);

/** The source dashboard's panels, rows' nested ones included, without the copies a repeat saved. */
function sourcePanels(source: Json): Json[] {
  const out: Json[] = [];
  const visit = (panels: Json[]) => {
    for (const p of panels) {
      if (p.repeatPanelId !== undefined && p.repeatPanelId !== null) continue;
      if (p.type === "row") visit(list(p.panels));
      else out.push(p);
    }
  };
  visit(list(source.panels));
  for (const row of list(source.rows)) visit(list(row.panels));
  return out;
}

function builtPanels(built: Json): Json[] {
  const out: Json[] = [];
  for (const p of list(built.panels)) {
    if (p.type === "row") out.push(...list(p.panels));
    else out.push(p);
  }
  return out;
}

/** The panel type after the legacy mappings: graph is timeseries, singlestat stat (gauge when it drew one). */
function expectedType(p: Json): string {
  if (p.type === "graph") return "timeseries";
  if (p.type === "singlestat") return obj(p.gauge).show === true ? "gauge" : "stat";
  return String(p.type);
}

function expectedUnit(p: Json): unknown {
  if (p.type === "graph") return obj(list(p.yaxes)[0]).format ?? obj(obj(p.fieldConfig).defaults).unit;
  if (p.type === "singlestat") return p.format;
  if (p.type === "heatmap" && p.dataFormat !== undefined) return obj(p.yAxis).format;
  return obj(obj(p.fieldConfig).defaults).unit;
}

function expectedThresholds(p: Json): number[] | undefined {
  if (p.type === "singlestat")
    return typeof p.thresholds === "string" && p.thresholds.trim()
      ? p.thresholds.split(",").map((v) => Number(v.trim()))
      : [];
  if (p.type === "graph")
    return list(p.thresholds)
      .map((t) => t.value)
      .filter((v): v is number => typeof v === "number")
      .sort((a, b) => a - b);
  const steps = obj(obj(obj(p.fieldConfig).defaults).thresholds).steps;
  if (!Array.isArray(steps)) return undefined;
  return list(steps)
    .map((s) => s.value)
    .filter((v): v is number => typeof v === "number");
}

/** The report's line about `subject` that contains `text`. */
function reported(report: string, subject: string, text: string): boolean {
  return report.split("\n").some((line) => line.startsWith(`  ${subject}`) && line.includes(text));
}

describe("o11y import dashboard, on real dashboards", () => {
  it("builds green in the copy (type check, checks, schemas, promtool), the imported debt suppressed", () => {
    expect(
      build.stderr.split("\n").filter((l) => / error /.test(l) && !l.includes("suppressed error")),
    ).toEqual([]);
    expect(build.code, build.stderr.slice(-3000)).toBe(0);
    expect(build.stdout + build.stderr).toMatch(/built \d+ files into build\//);
  });

  it("writes files that pass prettier --check with the project's configuration", async () => {
    const written = [
      ...readdirSync(path.join(dir, "src/dashboards")).map((f) => `src/dashboards/${f}`),
      "src/catalog/imported.ts",
      "src/catalog/index.ts",
    ];
    const unformatted: string[] = [];
    for (const file of written) {
      const filepath = path.join(dir, file);
      const options = (await prettier.resolveConfig(filepath)) ?? {};
      expect(options.printWidth, "the copy's own .prettierrc.json").toBe(110);
      if (!(await prettier.check(readFileSync(filepath, "utf8"), { ...options, filepath })))
        unformatted.push(file);
    }
    expect(unformatted).toEqual([]);
  });

  describe.each(files)("%s round-trips", (file) => {
    const source = (() => {
      const parsed = JSON.parse(readFileSync(path.join(fixtures, file), "utf8")) as Json;
      return parsed.dashboard && !parsed.panels && !parsed.rows ? obj(parsed.dashboard) : parsed;
    })();
    const built = () => {
      const out = path.join(dir, "build/grafana/dashboards");
      const found = readdirSync(out)
        .map((f) => JSON.parse(readFileSync(path.join(out, f), "utf8")) as Json)
        .filter((d) => d.title === source.title && list(d.panels).length > 0);
      // Two fixtures share a title: the uid tells them apart.
      const uid = String(source.uid ?? "").toLowerCase();
      const match = found.find((d) => d.uid === uid) ?? found[0];
      expect(match, `a built dashboard titled ${String(source.title)}`).toBeDefined();
      return match!;
    };

    it("same panels: ids, titles and types (legacy types as reported), in order", () => {
      const report = reports.get(file)!;
      const expected = sourcePanels(source);
      const got = builtPanels(built());
      expect(got.map((p) => p.id)).toEqual(expected.map((p) => p.id));
      for (const [i, p] of expected.entries()) {
        expect(got[i]!.title ?? "", `panel ${String(p.id)} title`).toBe(p.title ?? "");
        expect(got[i]!.type, `panel ${String(p.id)} type`).toBe(expectedType(p));
        if (p.type !== got[i]!.type)
          expect(
            reported(report, `panel ${String(p.id)} "`, `${String(p.type)} becomes ${String(got[i]!.type)}`),
          ).toBe(true);
      }
    });

    it("same grid positions (legacy rows: widths from spans, as reported)", () => {
      const report = reports.get(file)!;
      const expected = sourcePanels(source);
      const got = builtPanels(built());
      for (const [i, p] of expected.entries()) {
        const pos = obj(got[i]!.gridPos);
        if (p.gridPos) expect(pos, `panel ${String(p.id)}`).toEqual(p.gridPos);
        else {
          expect(pos.w, `panel ${String(p.id)} width`).toBe((typeof p.span === "number" ? p.span : 12) * 2);
          expect(report).toContain("legacy rows");
        }
      }
      const rows = list(built().panels).filter((p) => p.type === "row");
      const sourceRows = list(source.panels).filter((p) => p.type === "row" && p.repeatPanelId === undefined);
      if (sourceRows.length)
        expect(rows.map((r) => [r.id, r.title, r.gridPos])).toEqual(
          sourceRows.map((r) => [r.id, r.title, r.gridPos]),
        );
    });

    it("same queries and legend formats; each difference reported", () => {
      const report = reports.get(file)!;
      const expected = sourcePanels(source);
      const got = builtPanels(built());
      for (const [i, p] of expected.entries()) {
        const sourceTargets = list(p.targets).filter((t) => typeof t.expr === "string" && t.expr.trim());
        const targets = list(got[i]!.targets);
        expect(
          targets.map((t) => t.refId),
          `panel ${String(p.id)} refIds`,
        ).toEqual(sourceTargets.map((t, n) => t.refId ?? String.fromCharCode(65 + n)));
        for (const [n, t] of sourceTargets.entries()) {
          const out = targets[n]!;
          expect(out.legendFormat ?? "", `panel ${String(p.id)} legend`).toBe(t.legendFormat ?? "");
          if (out.expr === t.expr) continue;
          // Only the reported rewrites: the datasource input and $__interval in rate().
          const subject = `panel ${String(p.id)} "${String(p.title ?? "")}" › query ${String(out.refId)}`;
          const undone = String(out.expr).replaceAll("[$__rate_interval]", "[$__interval]");
          const intervalReported = reported(report, subject, "becomes [$__rate_interval]");
          if (intervalReported)
            expect(undone, subject).toBe(String(t.expr).replaceAll("${__interval}", "$__interval"));
          else expect(reported(report, "dashboard", "become the `datasource` variable"), subject).toBe(true);
        }
      }
    });

    it("same units and thresholds", () => {
      const expected = sourcePanels(source);
      const got = builtPanels(built());
      for (const [i, p] of expected.entries()) {
        const defaults = obj(obj(got[i]!.fieldConfig).defaults);
        const unit = expectedUnit(p);
        if (typeof unit === "string" && unit) expect(defaults.unit, `panel ${String(p.id)} unit`).toBe(unit);
        else expect(defaults.unit, `panel ${String(p.id)} unit`).toBeUndefined();
        const thresholds = expectedThresholds(p);
        const steps = list(obj(defaults.thresholds).steps)
          .map((s) => s.value)
          .filter((v): v is number => typeof v === "number");
        if (thresholds !== undefined) expect(steps, `panel ${String(p.id)} thresholds`).toEqual(thresholds);
      }
    });

    it("same variables (datasource ones replaced by `datasource`, as reported) and links", () => {
      const report = reports.get(file)!;
      const variables = list(obj(built().templating).list);
      expect(variables[0]).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
      const sourceVariables = list(obj(source.templating).list);
      const kept = sourceVariables.filter((v) => v.type !== "datasource" || v.query !== "prometheus");
      expect(variables.slice(1).map((v) => [v.name, v.type])).toEqual(kept.map((v) => [v.name, v.type]));
      for (const [i, v] of kept.entries()) {
        const query = typeof v.query === "string" ? v.query : obj(v.query).query;
        if (query !== undefined) expect(variables[i + 1]!.query, `variable ${String(v.name)}`).toBe(query);
      }
      for (const v of sourceVariables.filter((x) => !kept.includes(x) && x.name !== "datasource"))
        expect(reported(report, `variable $${String(v.name)}`, "replaced by the `datasource` variable")).toBe(
          true,
        );
      const links = list(built().links).map((l) => [l.title, l.url]);
      for (const link of list(source.links)) expect(links).toContainEqual([link.title, link.url]);
    });
  });
});
