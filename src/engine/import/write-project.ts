/**
 * The files an import writes into the project, made and formatted (a dashboard's in the import's writer thread,
 * writer-thread.ts): the new definition modules, their registration in their index, and the catalog entries they add
 * (`src/catalog/imported.ts`, registered in the catalog's index once). Every name is checked against what is there;
 * the main thread then writes all the files or none (write-files.ts).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { InferredMetric } from "./catalog-entries.ts";
import { ImportError, type ImportProblem } from "./report.ts";
import { call, CallCode, reference, ReferenceCode, TemplateCode, type Code, type Constant } from "./code.ts";
import { expressionOf, ModuleWriter } from "./typescript-writer.ts";
import { printNode, SyntaxKind, type SourceFile } from "ts-morph";

const importedCatalog = "src/catalog/imported.ts";
const catalogIndex = "src/catalog/index.ts";
const dashboardIndex = "src/dashboards/index.ts";

/** `node_cpu_seconds_total` -> `nodeCpuSecondsTotal`. */
export function metricConstName(name: string): string {
  const camel = name
    .replace(/[_:]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9_$]/g, "");
  return /^[0-9]/.test(camel) ? `m${camel}` : camel;
}

/** Adds the catalog entries to src/catalog/imported.ts, creating it and registering it when new. */
export function addCatalogEntries(
  writer: ModuleWriter,
  metrics: InferredMetric[],
  importedFrom: string,
  problems: ImportProblem[],
): string[] {
  if (!metrics.length) return [];
  const isNew = !existsSync(path.join(writer.root, importedCatalog));
  const catalog = isNew ? undefined : writer.open(importedCatalog);
  const taken = new Set(catalog?.getVariableDeclarations().map((d) => d.getName()) ?? []);
  const constants: Constant[] = [];
  for (const metric of metrics) {
    const name = metricConstName(metric.name);
    if (taken.has(name)) {
      problems.push({
        message: `${importedCatalog} already has an entry named ${name}, and metric ${metric.name} would take that name`,
        fix: "review and move that entry into its catalog group first, then import again.",
      });
      continue;
    }
    taken.add(name);
    const spec: Record<string, Code> = {
      name: metric.name,
      type: metric.type,
      labels: metric.labels,
      importedFrom,
      inferred: metric.inferred,
    };
    if (metric.type === "histogram") spec.buckets = metric.buckets ?? [];
    constants.push({ name, value: call("importedMetric", spec) });
  }
  if (catalog) {
    writer.importNames(catalog, "../engine/define/catalog.ts", ["importedMetric"]);
    writer.addConstants(catalog, constants);
  } else {
    writer.newModule(importedCatalog, {
      docs:
        "Metrics that `o11y import` found in imported dashboards and rule files and the catalog did not declare. " +
        "Each says only what the import inferred; `catalog/unreviewed` warns until someone declares it in its group.",
      imports: [{ specifier: "../engine/define/catalog.ts", names: ["importedMetric"] }],
      constants,
    });
  }
  const files = [importedCatalog];
  const index = writer.open(catalogIndex);
  if (!registered(index, "imported")) {
    index.addImportDeclaration({ moduleSpecifier: "./imported.ts", namespaceImport: "importedMetrics" });
    writer.importNames(index, "../engine/define/catalog.ts", ["catalogGroup"]);
    writer.addConstants(index, [
      {
        name: "imported",
        value: call("catalogGroup", "imported", reference("importedMetrics")),
        docs: "Entries `o11y import` added, awaiting review (catalog/unreviewed).",
      },
    ]);
    files.push(catalogIndex);
  }
  return files;
}

function registered(index: SourceFile, name: string): boolean {
  return index.getVariableDeclaration(name) !== undefined;
}

/** The files of one dashboard's import, all that is known of it before its code is. */
export interface DashboardFiles {
  /** File name under src/dashboards/, without .ts. */
  name: string;
  exportName: string;
  /** The catalog entries it adds. */
  metrics: InferredMetric[];
  importedFrom: string;
}

/** What an import writes: each file, whether it is new, and its formatted content. */
export interface RenderedImport {
  files: { path: string; created: boolean }[];
  rendered: { path: string; content: string }[];
}

/** What an import made: each file, new or not (the writer's project as it is now), and its content. */
function madeFiles(writer: ModuleWriter, rendered: RenderedImport["rendered"]): RenderedImport {
  return {
    files: rendered.map((r) => ({ path: r.path, created: !existsSync(path.join(writer.root, r.path)) })),
    rendered,
  };
}

/** The files that do not depend on the dashboard's code, made and formatted; and what is wrong with them. */
export interface PreparedDashboardImport {
  problems: ImportProblem[];
  rendered: { path: string; content: string }[];
}

/**
 * The first half of `o11y import dashboard`'s files: the dashboard's registration in src/dashboards/index.ts and its
 * catalog entries, which need only its name and metrics. The import makes them while it still checks the dashboard,
 * whose code (with its debt) the second half (finishDashboardImport) needs.
 */
export async function prepareDashboardImport(
  writer: ModuleWriter,
  files: DashboardFiles,
): Promise<PreparedDashboardImport> {
  const problems: ImportProblem[] = [];
  const index = writer.open(dashboardIndex);
  const names = new Set([
    ...index.getImportDeclarations().flatMap((d) => d.getNamedImports().map((n) => n.getName())),
    ...index.getVariableDeclarations().map((d) => d.getName()),
  ]);
  if (names.has(files.exportName))
    problems.push({
      message: `${dashboardIndex} already has a name ${files.exportName}`,
      fix: "pass --name with another file name.",
    });
  writer.importNames(index, `./${files.name}.ts`, [files.exportName]);
  if (!writer.appendToArray(index, "dashboards", files.exportName))
    problems.push({
      message: `${dashboardIndex} has no \`dashboards = [...]\` list to register the dashboard in`,
      fix: "restore `export const dashboards = [...]` there, as the project has it.",
    });
  const catalogFiles = addCatalogEntries(writer, files.metrics, files.importedFrom, problems);
  return {
    problems,
    rendered: problems.length ? [] : await writer.render([dashboardIndex, ...catalogFiles]),
  };
}

/** The second half: the dashboard's module, from its code; then every file of the import, or its problems thrown. */
export async function finishDashboardImport(
  writer: ModuleWriter,
  files: DashboardFiles,
  prepared: PreparedDashboardImport,
  code: Code,
): Promise<RenderedImport> {
  const file = `src/dashboards/${files.name}.ts`;
  const problems: ImportProblem[] = [];
  if (existsSync(path.join(writer.root, file)))
    problems.push({
      message: `${file} exists already`,
      fix: "pass --name with another file name, or remove that dashboard first.",
    });
  problems.push(...prepared.problems);
  if (problems.length) throw new ImportError(problems);
  writer.newModule(file, {
    docs: `Imported by \`o11y import dashboard\` from ${files.importedFrom}.`,
    imports: [
      { specifier: "../config.ts", names: ["settings"] },
      {
        specifier: "../engine/define/imported-dashboard.ts",
        // Every call of a dashboard's code is one of the kit's (evaluate() knows no other).
        names: usedCallees(code),
      },
    ],
    constants: [{ name: files.exportName, value: code }],
  });
  return madeFiles(writer, [...(await writer.render([file])), ...prepared.rendered]);
}

/** The files `o11y import dashboard` writes, formatted: its module, the index, the catalog entries. */
export async function renderDashboardImport(
  writer: ModuleWriter,
  files: DashboardFiles,
  code: Code,
): Promise<RenderedImport> {
  return finishDashboardImport(writer, files, await prepareDashboardImport(writer, files), code);
}

/** The functions the code calls. */
function usedCallees(code: Code, found = new Set<string>()): string[] {
  if (code instanceof CallCode) {
    found.add(code.callee);
    for (const arg of code.args) usedCallees(arg, found);
  } else if (code instanceof TemplateCode) {
    for (const part of code.parts) if (typeof part !== "string") usedCallees(part, found);
  } else if (Array.isArray(code)) for (const c of code) usedCallees(c, found);
  else if (code !== null && typeof code === "object" && !(code instanceof ReferenceCode))
    for (const value of Object.values(code)) if (value !== undefined) usedCallees(value, found);
  return [...found];
}

/** A module of imported rules: src/alerts/<group>.ts or src/recording-rules/<group>.ts. */
export interface RuleModule {
  kind: "alerts" | "recording";
  /** Relative to the project root. */
  file: string;
  docs: string;
  /** Modules relative to the project root, and the names imported from each. */
  imports: { module: string; names: string[] }[];
  constants: Constant[];
  /** The group's exported name, registered in its index. */
  exportName: string;
}

/** A threshold added to src/alerts/thresholds.ts: `/** docs *\/ name: helper(value, "unit")`. */
export interface ThresholdEntry {
  name: string;
  helper: string;
  value: number;
  unit: string;
  docs: string;
}

const thresholdsFile = "src/alerts/thresholds.ts";
const ruleIndexes = {
  alerts: { file: "src/alerts/index.ts", list: "alertGroups" },
  recording: { file: "src/recording-rules/index.ts", list: "recordingRuleGroups" },
} as const;

/** `../engine/define/alerting.ts` as module `from` imports `to` (both relative to the project root). */
const specifier = (from: string, to: string) => {
  const relative = path.posix.relative(path.posix.dirname(from), to);
  return relative.startsWith(".") ? relative : `./${relative}`;
};

/** Words in lines of at most `width` characters (a longer word has a line of its own). */
function wrapped(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Text for a comment: nothing in it can end it early. */
export const commentText = (text: string) => text.replaceAll("*/", "* /");

/**
 * The files `o11y import rules` writes, formatted: each group's module, the thresholds added to
 * src/alerts/thresholds.ts, the groups registered in src/alerts/index.ts and src/recording-rules/index.ts, the
 * catalog entries.
 */
export async function renderRulesImport(options: {
  writer: ModuleWriter;
  modules: RuleModule[];
  thresholds: ThresholdEntry[];
  metrics: InferredMetric[];
  importedFrom: string;
}): Promise<RenderedImport> {
  const { writer } = options;
  const problems: ImportProblem[] = [];
  for (const module of options.modules) {
    writer.newModule(module.file, {
      docs: commentText(module.docs),
      imports: module.imports.map(({ module: from, names }) => ({
        specifier: specifier(module.file, from),
        names,
      })),
      constants: module.constants,
    });
  }
  const changed: string[] = [];
  if (options.thresholds.length) {
    const source = writer.open(thresholdsFile);
    const object = source
      .getVariableDeclaration("thresholds")
      ?.getInitializerIfKind(SyntaxKind.ObjectLiteralExpression);
    if (!object)
      problems.push({
        message: `${thresholdsFile} has no \`thresholds = { ... }\` object to add the imported thresholds to`,
        fix: "restore `export const thresholds = { ... }` there, as the project has it.",
      });
    else {
      writer.importNames(source, "../engine/define/alerting.ts", [
        ...new Set(options.thresholds.map((t) => t.helper)),
      ]);
      object.addPropertyAssignments(
        options.thresholds.map((t) => ({
          name: t.name,
          initializer: (w) => w.write(printNode(expressionOf(call(t.helper, t.value, t.unit)))),
          leadingTrivia: (w) => {
            // As hand-written doc comments are: within the project's print width (prettier leaves comments as they are).
            const lines = wrapped(commentText(t.docs), 104);
            if (lines.length === 1) w.write(`/** ${lines[0]} */`).newLine();
            else {
              w.write("/**").newLine();
              for (const line of lines) w.write(` * ${line}`).newLine();
              w.write(" */").newLine();
            }
          },
        })),
      );
      changed.push(thresholdsFile);
    }
  }
  for (const kind of ["recording", "alerts"] as const) {
    const modules = options.modules.filter((m) => m.kind === kind);
    if (!modules.length) continue;
    const { file, list } = ruleIndexes[kind];
    const index = writer.open(file);
    for (const module of modules) {
      writer.importNames(index, specifier(file, module.file), [module.exportName]);
      if (!writer.appendToArray(index, list, module.exportName)) {
        problems.push({
          message: `${file} has no \`${list} = [...]\` list to register ${module.exportName} in`,
          fix: `restore \`export const ${list} = [...]\` there, as the project has it.`,
        });
        break;
      }
    }
    changed.push(file);
  }
  const catalogFiles = addCatalogEntries(writer, options.metrics, options.importedFrom, problems);
  if (problems.length) throw new ImportError(problems);
  const paths = [...options.modules.map((m) => m.file), ...changed, ...catalogFiles];
  return madeFiles(writer, await writer.render(paths));
}
