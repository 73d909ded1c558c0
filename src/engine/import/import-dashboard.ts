/**
 * `o11y import dashboard`: an exported Grafana dashboard becomes `src/dashboards/<name>.ts`, registered in
 * `src/dashboards/index.ts`, with the metrics the catalog lacks added to `src/catalog/imported.ts`. Before anything
 * is written, the generated definitions are compiled and checked in memory with the project's own checks: what
 * fails becomes reasoned migration debt at its panel, and what cannot be suppressed (a schema error) stops the
 * import. Files are written all together or not at all.
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { importedMetric, type MetricDefinition } from "../define/catalog.ts";
import {
  debt,
  importedDashboard,
  importedPanel,
  importedRow,
  importedVariable,
  seriesColor,
  type ImportedPanelSpec,
  type Json,
  type ImportedVariableSpec,
  type MigrationDebt,
} from "../define/imported-dashboard.ts";
import type { ProjectDefinition } from "../define/project.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { compile, type CompileResult } from "../pipeline.ts";
import { positionOf } from "../promql/parse.ts";
import { variableExpression } from "../check/sites.ts";
import { MetricUsage, type InferredMetric } from "./catalog-entries.ts";
import { readDashboard, type PlainDashboard, type PlainItem } from "./dashboard.ts";
import { ImportError, type ImportProblem, type ImportSummary, type Rewrite } from "./report.ts";
import { call, CallCode, reference, ReferenceCode, type Code } from "./code.ts";
import { writeAll } from "./write-files.ts";
import type { WriterThread } from "./writer-thread.ts";
import type { DashboardFiles } from "./write-project.ts";

export interface ImportDashboardOptions {
  /** The file as the user named it (`-` for standard input), for messages and the catalog's notes. */
  file: string;
  text: string;
  /** The project folder, where src/ is. */
  root: string;
  project: ProjectDefinition;
  /** File name under src/dashboards/ (without .ts); default from the title. */
  name?: string;
  allowPanelTypes?: string[];
  /** Work out everything, write nothing. */
  dryRun?: boolean;
  /** Where the files are made and formatted, if not in this thread (started before the project loaded). */
  writerThread?: WriterThread;
}

/** Debt found by the checks, by where it belongs. */
interface Debts {
  dashboard: MigrationDebt[];
  variables: Map<string, MigrationDebt[]>;
  panels: Map<number, MigrationDebt[]>;
}

const emptyDebts = (): Debts => ({ dashboard: [], variables: new Map(), panels: new Map() });

const dashboardKit = "../engine/define/imported-dashboard.ts";

export function dashboardName(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

export function exportNameOf(name: string): string {
  const camel = name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return /^[0-9]/.test(camel) ? `dashboard${camel[0]!.toUpperCase()}${camel.slice(1)}` : camel;
}

export async function importDashboard(options: ImportDashboardOptions): Promise<ImportSummary> {
  const reading = readDashboard(options.text, {
    file: options.file,
    allowPanelTypes: options.allowPanelTypes,
  });
  const plain = reading.dashboard;
  const name = options.name ?? dashboardName(plain.title);
  const problems: ImportProblem[] = [...reading.problems];
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    problems.push({
      message: `the file name "${name}" is not lowercase letters, digits and -`,
      fix: "pass --name with one, e.g. --name node-exporter.",
    });
  }
  const existing = options.project.dashboards.map((d) => d.build());
  const clash = existing.find((d) => d.uid === plain.uid);
  if (clash)
    problems.push({
      message: `dashboard uid "${plain.uid}" is already used by "${clash.title}"`,
      fix: "import it under another uid (edit it in Grafana), or remove the existing dashboard first.",
    });
  const metrics = inferMetrics(plain, options.project, problems);
  if (problems.length) throw new ImportError(problems);

  const files = { name, exportName: exportNameOf(name), metrics, importedFrom: options.file };
  // What needs no code is made while the dashboard is checked.
  options.writerThread?.prepare(files);
  const entries = metrics.map((m) => importedMetric({ ...m, importedFrom: options.file }));
  const debts = emptyDebts();
  // One compile: debt is kept beside the built objects, so it changes no file and no schema verdict.
  const compiled = compileWith(options.project, plain, debts, entries);
  const left = collectDebt(compiled.diagnostics, plain.uid, debts, options.file);
  if (left.length) {
    throw new ImportError(
      left.map((d) => ({
        message: `${d.subject}: ${d.message} [${d.check}]`,
        fix: d.fix ?? "change it in Grafana and export again.",
      })),
    );
  }
  const code = dashboardCode(plain, debts, options.file);
  const made =
    (await options.writerThread?.renderDashboard(code)) ?? (await renderHere(options.root, files, code));
  if (!options.dryRun) writeAll(options.root, made.rendered);
  return {
    files: made.files,
    rewrites: reading.rewrites,
    debt: debtLines(plain, debts),
    metrics: metrics.map((m) => ({ name: m.name, type: m.type, inferred: m.inferred })),
  };
}

/** The files made and formatted in this thread. */
async function renderHere(root: string, files: DashboardFiles, code: Code) {
  // ts-morph and prettier are large: loaded when there is something to write, by this command only.
  const { ModuleWriter } = await import("./typescript-writer.ts");
  const { renderDashboardImport } = await import("./write-project.ts");
  return renderDashboardImport(new ModuleWriter(root), files, code);
}

/** The model of the project with the imported dashboard and catalog entries added, compiled and checked. */
export function compileWith(
  project: ProjectDefinition,
  plain: PlainDashboard,
  debts: Debts,
  entries: MetricDefinition[],
): CompileResult {
  const dashboard = evaluate(dashboardCode(plain, debts, ""), project) as DashboardBuilder;
  return compile(
    {
      ...project,
      metrics: [...project.metrics, ...entries],
      dashboards: [...project.dashboards, dashboard],
    },
    // Its checks' errors become suppressions: what the build would still refuse shows now. Only what is said of the
    // imported dashboard is read (`ours`).
    { checkErrorsSuppressed: true, expressionsOfDashboard: plain.uid },
  );
}

/** The diagnostics about the imported dashboard (links are the index's to make: registering it links it). */
function ours(diagnostics: Diagnostic[], uid: string): Diagnostic[] {
  return diagnostics.filter(
    (d) =>
      d.severity === "error" &&
      d.check !== "dashboard/links" &&
      (d.subject === `dashboard ${uid}` || d.subject.startsWith(`dashboard ${uid} `)),
  );
}

/**
 * Each error the checks found becomes debt at its panel, variable or dashboard, once per check there; returns the
 * errors that cannot be debt (a schema's: the file itself would be wrong).
 */
function collectDebt(diagnostics: Diagnostic[], uid: string, debts: Debts, file: string): Diagnostic[] {
  const left: Diagnostic[] = [];
  const add = (list: MigrationDebt[], d: Diagnostic) => {
    if (list.some((x) => x.check === d.check)) return;
    list.push(debt(d.check, `imported from ${file}: ${d.message}`));
  };
  for (const d of ours(diagnostics, uid)) {
    if (d.check.startsWith("schema/") || d.check.startsWith("build/") || d.check === "check/suppression") {
      left.push(d);
      continue;
    }
    const rest = d.subject.slice(`dashboard ${uid}`.length);
    const panel = /^ › panel (-?\d+) /.exec(rest);
    const variable = /^ › variable \$(\S+)/.exec(rest);
    if (panel) {
      const id = Number(panel[1]);
      if (!debts.panels.has(id)) debts.panels.set(id, []);
      add(debts.panels.get(id)!, d);
    } else if (variable) {
      if (!debts.variables.has(variable[1]!)) debts.variables.set(variable[1]!, []);
      add(debts.variables.get(variable[1]!)!, d);
    } else if (rest === "") add(debts.dashboard, d);
    else left.push(d);
  }
  return left;
}

function debtLines(plain: PlainDashboard, debts: Debts): ImportSummary["debt"] {
  const out: ImportSummary["debt"] = [];
  for (const d of debts.dashboard) out.push({ subject: "dashboard", ...d });
  for (const [name, list] of debts.variables)
    for (const d of list) out.push({ subject: `variable $${name}`, ...d });
  const titles = new Map<number, string>();
  for (const item of plain.items) {
    if (item.kind === "panel") titles.set(item.panel.id, item.panel.title);
    else for (const p of item.row.panels ?? []) titles.set(p.id, p.title);
  }
  for (const [id, list] of [...debts.panels].sort((a, b) => a[0] - b[0]))
    for (const d of list) out.push({ subject: `panel ${id} "${titles.get(id) ?? ""}"`, ...d });
  return out;
}

/** Every PromQL of the dashboard read for its metrics; one that does not parse is a problem. */
function inferMetrics(
  plain: PlainDashboard,
  project: ProjectDefinition,
  problems: ImportProblem[],
): InferredMetric[] {
  const declared = new Set(project.metrics.flatMap((m) => m.series));
  for (const group of project.recordingRuleGroups) for (const rule of group.rules) declared.add(rule.record);
  const usage = new MetricUsage((series) => declared.has(series));
  const read = (expr: string, subject: string) => {
    const at = usage.add(expr, { grafana: true });
    if (at === undefined) return;
    const { line, column } = positionOf(expr, at);
    problems.push({
      message: `${subject}: the query does not parse as PromQL (line ${line}, column ${column}): ${expr.split("\n")[line - 1]}`,
      fix: "fix the query in Grafana (its query inspector shows Prometheus's own error), then export again.",
    });
  };
  const panels = plain.items.flatMap((item) =>
    item.kind === "panel" ? [item.panel] : (item.row.panels ?? []),
  );
  for (const panel of panels) {
    if (panel.datasource !== undefined) continue;
    for (const query of panel.queries ?? []) {
      if (query.extra?.datasource !== undefined) continue;
      read(query.expr, `panel ${panel.id} "${panel.title}" › query ${query.refId}`);
    }
  }
  for (const variable of plain.variables) {
    if (variable.type !== "query" || variable.query === undefined) continue;
    const part = variableExpression(variable.query);
    if (!part) continue;
    read(part.expr, `variable $${variable.name}`);
    const labelValues =
      /^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{[^}]*\})?\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(
        variable.query,
      );
    if (labelValues) usage.addLabel(labelValues[1]!, labelValues[2]!);
  }
  return usage.metrics();
}

// -------------------------------------------------------------------------------------------------
// The dashboard as code, and the same code evaluated in memory

function debtCode(list: MigrationDebt[] | undefined): Code | undefined {
  return list?.length ? list.map((d) => call("debt", d.check, d.reason)) : undefined;
}

/** An override as seriesColor() makes it, to the order of its keys, becomes that call; any other stays JSON. */
function overrideCode(override: Json): Code {
  const matcher = (override as { matcher?: { options?: unknown } } | null)?.matcher;
  const color = (override as { properties?: { value?: { fixedColor?: unknown } }[] } | null)?.properties?.[0]
    ?.value?.fixedColor;
  if (typeof matcher?.options !== "string" || typeof color !== "string") return override as Code;
  const same = JSON.stringify(seriesColor(matcher.options, color)) === JSON.stringify(override);
  return same ? call("seriesColor", matcher.options, color) : (override as Code);
}

function panelCode(panel: ImportedPanelSpec, debts: Debts): Code {
  const { debt: _none, ...spec } = panel;
  return call("importedPanel", {
    ...(spec as unknown as Record<string, Code>),
    // Assigned over the spread: the key keeps its place among the panel's fields.
    overrides: spec.overrides?.map(overrideCode),
    debt: debtCode(debts.panels.get(panel.id)),
  });
}

function variableCode(variable: ImportedVariableSpec, debts: Debts): Code {
  return call("importedVariable", {
    ...(variable as unknown as Record<string, Code>),
    debt: debtCode(debts.variables.get(variable.name)),
  });
}

function itemCode(item: PlainItem, debts: Debts): Code {
  if (item.kind === "panel") return panelCode(item.panel, debts);
  const { panels, ...row } = item.row;
  return call("importedRow", {
    ...(row as unknown as Record<string, Code>),
    panels: panels?.length ? panels.map((p) => panelCode(p, debts)) : undefined,
    debt: debtCode(debts.panels.get(row.id)),
  });
}

export function dashboardCode(plain: PlainDashboard, debts: Debts, _file: string): CallCode {
  return call("importedDashboard", {
    uid: plain.uid,
    title: plain.title,
    description: plain.description,
    tags: plain.tags,
    defaultDatasourceUid: reference("settings.datasource.uid"),
    variables: plain.variables.map((v) => variableCode(v, debts)),
    panels: plain.items.map((item) => itemCode(item, debts)),
    links: plain.links as Code,
    annotations: plain.annotations as Code,
    extra: plain.extra as Code,
    debt: debtCode(debts.dashboard),
  });
}

const kitFunctions: Record<string, (...args: never[]) => unknown> = {
  importedDashboard,
  importedPanel,
  importedRow,
  importedVariable,
  seriesColor,
  debt,
};

/** The generated code's value, computed here with the very functions it calls. */
export function evaluate(code: Code, project: ProjectDefinition): unknown {
  if (code instanceof CallCode) {
    const fn = kitFunctions[code.callee];
    if (!fn) throw new Error(`no kit function ${code.callee}`);
    return (fn as (...args: unknown[]) => unknown)(...code.args.map((a) => evaluate(a, project)));
  }
  if (code instanceof ReferenceCode) {
    if (code.path !== "settings.datasource.uid") throw new Error(`no reference ${code.path}`);
    return project.settings.datasource.uid;
  }
  if (Array.isArray(code)) return code.map((c) => evaluate(c, project));
  if (code !== null && typeof code === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(code))
      if (value !== undefined) out[key] = evaluate(value, project);
    return out;
  }
  return code;
}

export { dashboardKit };
export type { Rewrite };
