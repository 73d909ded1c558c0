/**
 * `o11y import rules`: a Prometheus rule file (or a PrometheusRule resource) becomes `src/alerts/<group>.ts` and
 * `src/recording-rules/<group>.ts`, written with the kit's importedAlert() and importedRecordingRule(), registered
 * in the index files; each number an alert's expression ends in becomes a threshold in src/alerts/thresholds.ts with
 * its inferred unit; recording rules the rules read are interpolated, as hand-written definitions do; the metrics the
 * catalog lacks go to src/catalog/imported.ts. Before anything is written, the generated definitions are evaluated
 * with the kit's own functions, compiled and checked in memory with the project: each finding about an imported
 * rule becomes reasoned migration debt at that rule, and what cannot be debt (a schema's) stops the import. Files
 * are written all together or not at all.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import {
  above,
  atLeast,
  atMost,
  below,
  equalTo,
  notEqualTo,
  ruleGroup,
  formatNumber,
  thresholdHelpers,
  type ComparisonOperator,
  type RecordingRuleDefinition,
  type RuleGroupDefinition,
  type ThresholdDefinition,
  type ThresholdUnit,
} from "../define/alerting.ts";
import { importedMetric } from "../define/catalog.ts";
import { debt, type MigrationDebt } from "../define/debt.ts";
import {
  importedAlert,
  importedRecordingRule,
  type ImportedAlertDefinition,
} from "../define/imported-rules.ts";
import type { ProjectDefinition } from "../define/project.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { parseDurationMs } from "../duration.ts";
import type { MetricModel, RecordingRuleModel } from "../model.ts";
import { suggestName, safeNamePattern, windowsReservedNames } from "../check/path-names.ts";
import { compile } from "../pipeline.ts";
import { topComparison } from "../promql/comparison.ts";
import { parseKept, selectors } from "../promql/parse.ts";
import type { Semantics } from "../promql/semantics.ts";
import { ruleGroupPrefix } from "../render/prometheus.ts";
import { alertSectionPrefix, alertSections, parseRunbook } from "../runbook.ts";
import type { SourceLocation } from "../source.ts";
import { MetricUsage, type InferredMetric } from "./catalog-entries.ts";
import { ImportError, type ImportProblem, type ImportSummary, type Rewrite } from "./report.ts";
import { readRuleFile, type PlainGroup, type PlainRule } from "./rule-file.ts";
import { inferThresholdUnit, trafficGuardOf } from "./threshold-unit.ts";
import { call, CallCode, reference, ReferenceCode, template, TemplateCode, type Code } from "./code.ts";
import type { RuleModule, ThresholdEntry } from "./write-project.ts";
import { writeAll } from "./write-files.ts";
import { notificationsOf } from "./notifications.ts";
import { seriesText } from "../render/prometheus.ts";
import type { ModuleWriter } from "./typescript-writer.ts";

export interface ImportRulesOptions {
  /** The file as the user named it (`<stdin>` for standard input), for messages and notes. */
  file: string;
  text: string;
  /** The project folder, where src/ is. */
  root: string;
  project: ProjectDefinition;
  /** Put before each group's name (and so its files' names), to tell apart groups of the same name. */
  prefix?: string;
  /** Work out everything, write nothing. */
  dryRun?: boolean;
}

/** `HostOutOfMemory` -> `hostOutOfMemory`; `job:http_requests:rate5m` -> `jobHttpRequestsRate5m`. */
export function constName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words
    .map((w, i) => (i === 0 ? w[0]!.toLowerCase() + w.slice(1) : w[0]!.toUpperCase() + w.slice(1)))
    .join("");
  if (!camel) return "imported";
  return /^[0-9]/.test(camel) ? `n${camel}` : camel;
}

/** Names a module may declare: each asked for once, made unique with a suffix where taken. */
class Names {
  private readonly taken: Set<string>;
  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }
  take(base: string, suffixes: string[] = []): string {
    for (const candidate of [base, ...suffixes.map((s) => `${base}${s}`)])
      if (!this.taken.has(candidate) && !reservedWords.has(candidate)) {
        this.taken.add(candidate);
        return candidate;
      }
    for (let n = 2; ; n++)
      if (!this.taken.has(`${base}${n}`)) {
        this.taken.add(`${base}${n}`);
        return `${base}${n}`;
      }
  }
  all(): string[] {
    return [...this.taken];
  }
}

const reservedWords = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await".split(
    " ",
  ),
);

/** Names the generated modules import from the kit and the project. */
const kitImports = ["importedAlert", "importedRecordingRule", "debt", "ruleGroup", "thresholds"];

/** A threshold the import names in src/alerts/thresholds.ts. */
interface PlannedThreshold {
  name: string;
  op: ComparisonOperator;
  value: number;
  unit: ThresholdUnit;
  why: string;
  /** The alert's rule-file line, which the threshold's own problems point at. */
  source: SourceLocation;
  alert: string;
}

/** A reference the generated code makes to a name of another module. */
interface Import {
  /** Module path relative to the project root, without `./`. */
  module: string;
  name: string;
}

interface PlannedRule {
  rule: PlainRule;
  constName: string;
  /** In the rule file, for messages and to tell same-named alerts apart. */
  source: SourceLocation;
  /** The expression with its interpolations. */
  expr: TemplateCode;
  threshold?: PlannedThreshold;
  trafficGuard?: PlannedThreshold;
  runbook?: string;
  dashboard?: { constName: string; module: string; panel: number };
  annotations: Record<string, string>;
  imports: Import[];
}

interface PlannedGroup {
  kind: "alerts" | "recording";
  /** ruleGroup(...)'s name. */
  name: string;
  source: PlainGroup;
  /** Module, relative to the project root. */
  file: string;
  exportName: string;
  rules: PlannedRule[];
}

const alertsDir = "src/alerts";
const recordingDir = "src/recording-rules";
const thresholdsModule = "src/alerts/thresholds.ts";

export async function importRules(options: ImportRulesOptions): Promise<ImportSummary> {
  const { project, root, file } = options;
  const reading = readRuleFile(options.text, { file });
  if (reading.problems.length) throw new ImportError(reading.problems);
  const rewrites: Rewrite[] = [...reading.rewrites];
  const problems: ImportProblem[] = [];
  // One ts-morph project reads the modules the import looks into and writes what it changes. ts-morph and prettier
  // are large: loaded by this command only.
  const { ModuleWriter } = await import("./typescript-writer.ts");
  const writer = new ModuleWriter(root);
  // The names the index modules have: a group's exported name must be none of them.
  const taken = {
    alerts: writer.declaredNames(`${alertsDir}/index.ts`),
    recording: writer.declaredNames(`${recordingDir}/index.ts`),
  };
  const plan = planGroups(
    reading.groups,
    file,
    project,
    root,
    taken,
    rewrites,
    problems,
    options.prefix ?? "",
  );
  if (problems.length) throw new ImportError(problems);

  // The catalog's metrics, and every recorded series the rules may read: the project's and the file's.
  const declared = new Set(project.metrics.flatMap((m) => m.series));
  const existingRules = new Map<string, RecordingRuleDefinition>();
  for (const group of project.recordingRuleGroups)
    for (const rule of group.rules) if (!existingRules.has(rule.record)) existingRules.set(rule.record, rule);
  const usage = new MetricUsage(
    (series) => declared.has(series) || existingRules.has(series) || imported.has(series),
  );
  const imported = new Set(
    plan.flatMap((g) => (g.kind === "recording" ? g.rules.map((r) => r.rule.name) : [])),
  );
  for (const group of plan) for (const r of group.rules) usage.add(r.rule.expr, { grafana: false });
  const metrics = usage.metrics();

  const semantics = semanticsOf(project, plan);
  const homes = homesOf(project, writer);
  const thresholds = interpolate(plan, project, root, homes, semantics, rewrites);

  const entries = metrics.map((m) => importedMetric({ ...m, importedFrom: file }));
  const debts = new Map<PlannedRule, MigrationDebt[]>();
  const compiled = compile(withImport(project, plan, thresholds, debts, entries, homes), {
    checkErrorsSuppressed: true,
  });
  const left = collectDebt(compiled.diagnostics, plan, debts, file);
  if (left.length) throw new ImportError(refusals(left, file));

  const notifications = notificationsOf(
    compiled.model,
    (alert) => alert.imported === true && alert.source.file === file,
  );
  const modules: RuleModule[] = plan.map((group) => moduleOf(group, debts, file));
  const { renderRulesImport } = await import("./write-project.ts");
  const { files, rendered } = await renderRulesImport({
    writer,
    modules,
    thresholds: thresholds.map(thresholdEntry),
    metrics,
    importedFrom: file,
  });
  if (!options.dryRun) writeAll(root, rendered);
  return {
    files,
    rewrites,
    debt: plan.flatMap((group) =>
      group.rules.flatMap((r) =>
        (debts.get(r) ?? []).map((d) => ({
          subject: `${r.rule.kind === "alert" ? "alert" : "recording rule"} ${r.rule.name} (line ${r.rule.line})`,
          ...d,
        })),
      ),
    ),
    metrics: metrics.map((m) => ({ name: m.name, type: m.type, inferred: m.inferred })),
    thresholds: thresholds.map((t) => ({
      name: `thresholds.${t.name}`,
      comparison: `${t.op} ${t.value}`,
      unit: t.unit,
      why: t.why,
    })),
    notifications,
  };
}

// -------------------------------------------------------------------------------------------------
// Groups, files and names

function planGroups(
  groups: PlainGroup[],
  file: string,
  project: ProjectDefinition,
  root: string,
  taken: Record<PlannedGroup["kind"], Set<string>>,
  rewrites: Rewrite[],
  problems: ImportProblem[],
  prefix: string,
): PlannedGroup[] {
  const plan: PlannedGroup[] = [];
  const interval = project.settings.evaluationInterval;
  for (const group of groups) {
    if (!group.rules.length) {
      rewrites.push({ subject: `group ${group.name}`, what: "not imported", why: "it holds no rules" });
      continue;
    }
    let name = `${prefix}${group.name.startsWith(ruleGroupPrefix) ? group.name.slice(ruleGroupPrefix.length) : group.name}`;
    if (!safeNamePattern.test(name) || windowsReservedNames.has(name) || name.length > 55) {
      // NodeExporter -> node-exporter, node.rules -> node-rules.
      const safe = suggestName(name.replace(/([a-z0-9])([A-Z])/g, "$1-$2"), 55);
      rewrites.push({
        subject: `group ${group.name}`,
        what: `is called "${safe}" in src/`,
        why: "a group's name becomes its file names: lowercase letters, digits and '-'",
      });
      name = safe;
    }
    const alerts = group.rules.filter((r) => r.kind === "alert");
    const records = group.rules.filter((r) => r.kind === "record");
    const base = name.replace(/-(alerts|recording)$/, "");
    const kinds: Array<["alerts" | "recording", PlainRule[], string]> = [];
    if (records.length) kinds.push(["recording", records, alerts.length ? `${base}-recording` : name]);
    if (alerts.length) kinds.push(["alerts", alerts, records.length ? `${base}-alerts` : name]);
    if (kinds.length === 2)
      rewrites.push({
        subject: `group ${group.name}`,
        what: `is split into ${ruleGroupPrefix}${kinds[0]![2]} (its recording rules) and ${ruleGroupPrefix}${kinds[1]![2]} (its alerts)`,
        why: "the project keeps recording rules and alerts in groups of their own; the two are evaluated side by side, so an alert may read a recorded value one evaluation old",
      });
    for (const [kind, rules, groupName] of kinds) {
      if (kinds.length === 1 && `${ruleGroupPrefix}${groupName}` !== group.name)
        rewrites.push({
          subject: `group ${group.name}`,
          what: `is named ${ruleGroupPrefix}${groupName} in build/`,
          why: `the build names every group ${ruleGroupPrefix}<name>`,
        });
      const stem = groupName.replace(/-(alerts|recording)$/, "");
      const dir = kind === "alerts" ? alertsDir : recordingDir;
      const suffix = kind === "alerts" ? "Alerts" : "Rules";
      const camel = constName(stem);
      plan.push({
        kind,
        name: groupName,
        source: group,
        file: `${dir}/${stem}.ts`,
        exportName: camel.endsWith(suffix) ? camel : `${camel}${suffix}`,
        rules: rules.map((rule) => ({
          rule,
          constName: "",
          source: { file, line: rule.line },
          expr: template(rule.expr),
          annotations: { ...rule.annotations },
          imports: [],
        })),
      });
    }
    if (group.interval && parseDurationMs(group.interval) !== parseDurationMs(interval))
      rewrites.push({
        subject: `group ${group.name}`,
        what: `is evaluated every ${interval} (the project's evaluationInterval, src/config.ts), not every ${group.interval}`,
        why: "every group of the project is evaluated at one interval",
      });
    if (group.limit && group.limit !== "0")
      rewrites.push({
        subject: `group ${group.name}`,
        what: `its limit (${group.limit}) is not kept`,
        why: "the kit has no per-group limit: a rule may return any number of series",
      });
  }
  checkNames(plan, file, project, root, taken, problems);
  return plan;
}

/** Every name the import would take that the project has, or that two of its groups would both take. */
function checkNames(
  plan: PlannedGroup[],
  file: string,
  project: ProjectDefinition,
  root: string,
  taken: Record<PlannedGroup["kind"], Set<string>>,
  problems: ImportProblem[],
): void {
  const byFile = new Map<string, PlannedGroup>();
  for (const group of plan) {
    const other = byFile.get(group.file);
    if (other)
      problems.push({
        message: `groups ${other.source.name} (line ${other.source.line}) and ${group.source.name} (line ${group.source.line}) of ${file} would both be written to ${group.file}`,
        fix: "rename one of them in the rule file: a group's name names its file.",
      });
    byFile.set(group.file, group);
    if (existsSync(path.join(root, group.file)))
      problems.push({
        message: `${group.file} exists already (group ${group.source.name}, line ${group.source.line} of ${file})`,
        fix: "rename the group in the rule file (its name names the file), or remove that module and its group from the project first.",
      });
    const index = group.kind === "alerts" ? `${alertsDir}/index.ts` : `${recordingDir}/index.ts`;
    if (taken[group.kind].has(group.exportName))
      problems.push({
        message: `${index} already has a name ${group.exportName}, which group ${group.source.name} (line ${group.source.line} of ${file}) would take`,
        fix: "rename the group in the rule file.",
      });
  }
  const alerts = new Map<string, SourceLocation>();
  for (const group of project.alertGroups) for (const a of group.rules) alerts.set(a.name, a.source);
  // A series is its name and its static labels: rules of one name told apart by labels (Sloth's, one per SLO) may
  // record beside each other, as rules/unique-name allows.
  const records = new Map<string, SourceLocation>();
  for (const group of project.recordingRuleGroups)
    for (const r of group.rules) records.set(seriesText(r.record, r.labels ?? {}), r.source);
  for (const group of plan)
    for (const { rule } of group.rules) {
      const taken =
        rule.kind === "alert" ? alerts.get(rule.name) : records.get(seriesText(rule.name, rule.labels));
      if (taken)
        problems.push({
          message: `${rule.kind === "alert" ? "alert" : "recording rule"} ${rule.name} (line ${rule.line} of ${file}) is already defined at ${taken.file}:${taken.line}`,
          fix:
            rule.kind === "alert"
              ? "one alert name, one alert: leave it out of the rule file, or remove the project's alert first."
              : "two rules recording one series conflict: leave it out of the rule file, or remove the project's rule first.",
        });
    }
}

// -------------------------------------------------------------------------------------------------
// Interpolation: thresholds, recording rules, the runbook and the dashboard

function semanticsOf(project: ProjectDefinition, plan: PlannedGroup[]): Semantics {
  const seriesIndex = new Map<string, MetricModel>();
  for (const metric of project.metrics)
    for (const series of metric.series) seriesIndex.set(series, metric as unknown as MetricModel);
  const recordingRules = new Map<string, RecordingRuleModel>();
  for (const group of project.recordingRuleGroups)
    for (const rule of group.rules) recordingRules.set(rule.record, rule as unknown as RecordingRuleModel);
  for (const group of plan)
    if (group.kind === "recording")
      for (const { rule } of group.rules)
        if (!recordingRules.has(rule.name))
          recordingRules.set(rule.name, { record: rule.name, expr: rule.expr } as RecordingRuleModel);
  // Recording rules are read through their expressions.
  return { seriesIndex, recordingRules, parse: parseKept };
}

/** Where a recording rule can be referenced from: its module, its exported name, its definition. */
interface RuleHome {
  module: string;
  name: string;
  /** The project's own rules: the definition the name holds. */
  definition?: RecordingRuleDefinition;
  /** Imported rules: their group's place in the plan and their own in the group, to avoid cycles. */
  order?: [number, number];
}

/** The project's dashboards by uid: the builder, its exported name and module, and its panels' ids. */
interface DashboardHome {
  builder: DashboardBuilder;
  name: string;
  module: string;
  panels: Set<number>;
}

/** What the generated code may reference in the project: its recording rules and its dashboards. */
interface Homes {
  rules: Map<string, RuleHome>;
  dashboards: Map<string, DashboardHome>;
}

function homesOf(project: ProjectDefinition, writer: ModuleWriter): Homes {
  return { rules: existingRuleHomes(project, writer), dashboards: dashboardHomes(project, writer) };
}

/** Where the project's recording rules are exported: the declaration whose call made each, found by its line. */
function existingRuleHomes(project: ProjectDefinition, writer: ModuleWriter): Map<string, RuleHome> {
  const rules = project.recordingRuleGroups.flatMap((g) => g.rules);
  const byFile = new Map<string, Map<number, string>>();
  const homes = new Map<string, RuleHome>();
  for (const rule of rules) {
    const file = rule.source.file;
    if (!byFile.has(file))
      byFile.set(
        file,
        file.startsWith("src/") && existsSync(path.join(writer.root, file))
          ? writer.exportedCalls(file)
          : new Map(),
      );
    const name = byFile.get(file)!.get(rule.source.line);
    if (name && !homes.has(rule.record)) homes.set(rule.record, { module: file, name, definition: rule });
  }
  return homes;
}

/** The project's dashboards, by uid, where src/dashboards/index.ts lists each by the name a module exports. */
function dashboardHomes(project: ProjectDefinition, writer: ModuleWriter): Map<string, DashboardHome> {
  const homes = new Map<string, DashboardHome>();
  const indexFile = "src/dashboards/index.ts";
  if (!existsSync(path.join(writer.root, indexFile))) return homes;
  const index = writer.listedImports(indexFile, "dashboards");
  // Only a plain list of names says which builder is which.
  if (!index.list || index.list.length !== project.dashboards.length) return homes;
  index.list.forEach((name, i) => {
    const module = index.modules.get(name);
    const builder = project.dashboards[i]!;
    if (!module) return;
    const built = builder.build();
    const panels = new Set<number>();
    const visit = (list: unknown[] | undefined) => {
      for (const p of (list ?? []) as { id?: number; panels?: unknown[] }[]) {
        if (typeof p.id === "number") panels.add(p.id);
        visit(p.panels);
      }
    };
    visit(built.panels as unknown[]);
    if (built.uid) homes.set(built.uid, { builder, name, module, panels });
  });
  return homes;
}

function interpolate(
  plan: PlannedGroup[],
  project: ProjectDefinition,
  root: string,
  homes: Homes,
  semantics: Semantics,
  rewrites: Rewrite[],
): PlannedThreshold[] {
  const rules = new Map(homes.rules);
  // Every name a module may import, and every group's: no constant of the import may take one.
  const outside = [
    ...kitImports,
    ...[...homes.rules.values()].map((h) => h.name),
    ...[...homes.dashboards.values()].map((h) => h.name),
    ...plan.map((g) => g.exportName),
  ];
  // Recording rules first: alerts interpolate their names.
  const ruleNames = new Names(outside);
  plan.forEach((group, g) => {
    if (group.kind !== "recording") return;
    group.rules.forEach((r, i) => {
      r.constName = ruleNames.take(constName(r.rule.name), ["Rule"]);
      if (!rules.has(r.rule.name))
        rules.set(r.rule.name, { module: group.file, name: r.constName, order: [g, i] });
    });
  });
  const thresholdNames = new Names(Object.keys(project.thresholds ?? {}));
  const thresholds: PlannedThreshold[] = [];
  const runbook = runbookAnchors(project, root);
  plan.forEach((group, g) => {
    const moduleNames = new Names(ruleNames.all());
    group.rules.forEach((r, i) => {
      if (group.kind === "alerts")
        r.constName = moduleNames.take(constName(r.rule.name), severitySuffix(r.rule));
      const edits: Array<{ from: number; to: number; code: Code }> = [];
      const parsed = parseKept(r.rule.expr, { grafana: false });
      for (const selector of selectors(parsed)) {
        const node = selector.metricNode;
        if (!selector.metric || node?.name !== "Identifier") continue;
        const home = rules.get(selector.metric);
        if (!home) continue;
        // A recording rule may read one defined above it, in its module or an earlier one: its module then imports
        // nothing that imports it back. Alerts' modules are imported by no rule, so they may read any.
        const later = home.order && (home.order[0] > g || (home.order[0] === g && home.order[1] >= i));
        if (group.kind === "recording" && later) continue;
        if (home.module !== group.file) r.imports.push({ module: home.module, name: home.name });
        edits.push({ from: node.from, to: node.to, code: reference(home.name) });
      }
      if (group.kind === "alerts") {
        const planned = plannedThreshold(r, parsed.text, semantics, thresholdNames);
        const guard = trafficGuardOf(parsed);
        const guarded =
          guard && guard.at.from !== planned?.at.from && (guard.op as ComparisonOperator) in thresholdHelpers
            ? {
                threshold: {
                  name: thresholdNames.take(`${r.constName}Traffic`),
                  op: guard.op as ComparisonOperator,
                  value: guard.value,
                  unit: "count" as const,
                  why: "the least traffic for the alert to mean anything: a count of events, after `and`",
                  source: r.source,
                  alert: r.rule.name,
                },
                at: guard.at,
              }
            : undefined;
        for (const [role, found] of [
          ["threshold", planned],
          ["trafficGuard", guarded],
        ] as const) {
          if (!found) continue;
          r[role] = found.threshold;
          thresholds.push(found.threshold);
          edits.push({ ...found.at, code: reference(`thresholds.${found.threshold.name}`) });
          const written = `${found.threshold.op} ${formatNumber(found.threshold.value)}`;
          const source = r.rule.expr.slice(found.at.from, found.at.to);
          if (source !== written)
            rewrites.push({
              subject: `alert ${r.rule.name} (line ${r.rule.line})`,
              what: `\`${source}\` is written \`${written}\` in its expression`,
              why: "the threshold writes itself, from src/alerts/thresholds.ts",
            });
        }
        linkRunbook(r, project, runbook, rewrites);
        linkDashboard(r, project, homes.dashboards);
        if (r.rule.for === undefined)
          rewrites.push({
            subject: `alert ${r.rule.name} (line ${r.rule.line})`,
            what: "has `for: 0s`",
            why: "the rule file gave no `for`, which Prometheus reads as 0s; the kit writes it out",
          });
      }
      edits.sort((a, b) => a.from - b.from);
      const parts: (string | Code)[] = [];
      let at = 0;
      for (const edit of edits) {
        parts.push(r.rule.expr.slice(at, edit.from), edit.code);
        at = edit.to;
      }
      parts.push(r.rule.expr.slice(at));
      r.expr = template(...parts);
    });
  });
  return thresholds;
}

/** Alerts that share a name (one per severity) get constants told apart by severity first. */
function severitySuffix(rule: PlainRule): string[] {
  const severity = rule.labels.severity;
  return severity ? [constName(`x ${severity}`).slice(1)] : [];
}

function plannedThreshold(
  r: PlannedRule,
  expr: string,
  semantics: Semantics,
  names: Names,
): { threshold: PlannedThreshold; at: { from: number; to: number } } | undefined {
  const comparison = topComparison(expr);
  if (!comparison || comparison.value === undefined || comparison.bool) return undefined;
  const op = comparison.op as ComparisonOperator;
  if (!(op in thresholdHelpers)) return undefined;
  const { unit, why } = inferThresholdUnit(comparison.left, op, comparison.value, semantics);
  return {
    threshold: {
      name: names.take(r.constName),
      op,
      value: comparison.value,
      unit,
      why,
      source: r.source,
      alert: r.rule.name,
    },
    at: comparison.at,
  };
}

/** The runbook's alert sections: heading by anchor. */
function runbookAnchors(project: ProjectDefinition, root: string): Map<string, string> {
  const file = project.runbook.file;
  const absolute = path.join(root, file);
  const text = project.runbook.text ?? (existsSync(absolute) ? readFileSync(absolute, "utf8") : "");
  return new Map(alertSections(parseRunbook(file, text)).map((s) => [s.anchor, s.heading]));
}

/** A runbook_url into RUNBOOK.md becomes `runbook:` (the playbook's heading), where the playbook is there. */
function linkRunbook(
  r: PlannedRule,
  project: ProjectDefinition,
  sections: Map<string, string>,
  rewrites: Rewrite[],
): void {
  const url = r.annotations.runbook_url;
  if (!url) return;
  const hash = url.indexOf("#");
  if (hash < 0) return;
  const page = url.slice(0, hash);
  const heading = sections.get(url.slice(hash + 1));
  const runbookName = path.posix.basename(project.runbook.file);
  if (heading === undefined || (page !== project.settings.runbookUrl && !page.endsWith(`/${runbookName}`)))
    return;
  r.runbook = heading.slice(alertSectionPrefix.length);
  delete r.annotations.runbook_url;
  if (page !== project.settings.runbookUrl)
    rewrites.push({
      subject: `alert ${r.rule.name} (line ${r.rule.line})`,
      what: `its runbook_url ${url} becomes ${project.settings.runbookUrl}${url.slice(hash)}`,
      why: "it links to the playbook in the project's runbook, at the project's runbookUrl (src/config.ts)",
    });
}

/** A dashboard_url to a panel of one of the project's dashboards becomes `dashboard: { dashboard, panel }`. */
function linkDashboard(r: PlannedRule, project: ProjectDefinition, homes: Map<string, DashboardHome>): void {
  const url = r.annotations.dashboard_url;
  if (!url) return;
  const prefix = `${project.settings.grafana.baseUrl}/d/`;
  const match = url.startsWith(prefix) ? /^([^?/#]+)\?viewPanel=(\d+)$/.exec(url.slice(prefix.length)) : null;
  if (!match) return;
  const home = homes.get(match[1]!);
  const panel = Number(match[2]);
  if (!home || !home.panels.has(panel)) return;
  r.dashboard = { constName: home.name, module: home.module, panel };
  r.imports.push({ module: home.module, name: home.name });
  delete r.annotations.dashboard_url;
}

// -------------------------------------------------------------------------------------------------
// The definitions as code, and the same code evaluated in memory

function ruleCode(group: PlannedGroup, r: PlannedRule, owed: MigrationDebt[] | undefined): CallCode {
  const debtCode = owed?.length ? owed.map((d) => call("debt", d.check, d.reason)) : undefined;
  const labels = Object.keys(r.rule.labels).length ? (r.rule.labels as Code) : undefined;
  if (group.kind === "recording")
    return call("importedRecordingRule", { record: r.rule.name, expr: r.expr, labels, debt: debtCode });
  return call("importedAlert", {
    name: r.rule.name,
    expr: r.expr,
    threshold: r.threshold ? reference(`thresholds.${r.threshold.name}`) : undefined,
    trafficGuard: r.trafficGuard ? reference(`thresholds.${r.trafficGuard.name}`) : undefined,
    for: r.rule.for ?? "0s",
    keepFiringFor: r.rule.keepFiringFor,
    labels,
    annotations: Object.keys(r.annotations).length ? (r.annotations as Code) : undefined,
    runbook: r.runbook,
    dashboard: r.dashboard
      ? { dashboard: reference(r.dashboard.constName), panel: r.dashboard.panel }
      : undefined,
    debt: debtCode,
  });
}

function moduleOf(group: PlannedGroup, debts: Map<PlannedRule, MigrationDebt[]>, file: string): RuleModule {
  const imports = new Map<string, Set<string>>();
  const add = (module: string, name: string) => {
    if (!imports.has(module)) imports.set(module, new Set());
    imports.get(module)!.add(name);
  };
  const kit = "src/engine/define/imported-rules.ts";
  add("src/engine/define/alerting.ts", "ruleGroup");
  add(kit, group.kind === "alerts" ? "importedAlert" : "importedRecordingRule");
  for (const r of group.rules) {
    if (debts.get(r)?.length) add(kit, "debt");
    if (r.threshold || r.trafficGuard) add(thresholdsModule, "thresholds");
    for (const i of r.imports) add(i.module, i.name);
  }
  return {
    kind: group.kind,
    file: group.file,
    docs: `Imported by \`o11y import rules\` from ${file} (group ${group.source.name}).`,
    imports: [...imports].map(([module, names]) => ({ module, names: [...names] })),
    constants: [
      ...group.rules.map((r) => ({ name: r.constName, value: ruleCode(group, r, debts.get(r)) as Code })),
      {
        name: group.exportName,
        value: call(
          "ruleGroup",
          group.name,
          group.rules.map((r) => reference(r.constName)),
        ),
      },
    ],
    exportName: group.exportName,
  };
}

const helpers: Record<ComparisonOperator, (value: number, unit: ThresholdUnit) => ThresholdDefinition> = {
  ">": above,
  "<": below,
  ">=": atLeast,
  "<=": atMost,
  "==": equalTo,
  "!=": notEqualTo,
};

function thresholdEntry(t: PlannedThreshold): ThresholdEntry {
  return {
    name: t.name,
    helper: thresholdHelpers[t.op],
    value: t.value,
    unit: t.unit,
    docs: `Imported from alert ${t.alert} (${t.source.file}:${t.source.line}): \`${t.op} ${t.value}\`. Unit ${t.unit}: ${t.why}.`,
  };
}

/** The project with the imported groups, thresholds and catalog entries, evaluated from the very code written. */
function withImport(
  project: ProjectDefinition,
  plan: PlannedGroup[],
  planned: PlannedThreshold[],
  debts: Map<PlannedRule, MigrationDebt[]>,
  entries: ReturnType<typeof importedMetric>[],
  homes: Homes,
): ProjectDefinition {
  const thresholds: Record<string, ThresholdDefinition> = {};
  for (const t of planned) {
    const made = helpers[t.op](t.value, t.unit);
    made.source = t.source;
    thresholds[t.name] = made;
  }
  // What the generated modules' names hold: thresholds, the project's rules and dashboards, then each constant.
  const scope = new Map<string, unknown>([["thresholds", thresholds]]);
  for (const home of homes.rules.values()) if (home.definition) scope.set(home.name, home.definition);
  for (const home of homes.dashboards.values()) scope.set(home.name, home.builder);
  const alertGroups: RuleGroupDefinition<ImportedAlertDefinition>[] = [];
  const recordingRuleGroups: RuleGroupDefinition<RecordingRuleDefinition>[] = [];
  for (const group of plan) {
    const made = group.rules.map((r) => {
      const definition = evaluate(ruleCode(group, r, debts.get(r)), scope) as
        ImportedAlertDefinition | RecordingRuleDefinition;
      // Its problems and the checks' findings are said at its line of the rule file.
      definition.source = r.source;
      scope.set(r.constName, definition);
      return definition;
    });
    const definition = ruleGroup(group.name, made);
    definition.file = group.file;
    definition.source = { file: group.file, line: 1 };
    if (group.kind === "alerts") alertGroups.push(definition as RuleGroupDefinition<ImportedAlertDefinition>);
    else recordingRuleGroups.push(definition as RuleGroupDefinition<RecordingRuleDefinition>);
  }
  return {
    ...project,
    metrics: [...project.metrics, ...entries],
    alertGroups: [...project.alertGroups, ...alertGroups],
    recordingRuleGroups: [...project.recordingRuleGroups, ...recordingRuleGroups],
    thresholds: { ...project.thresholds, ...thresholds },
  };
}

const kitFunctions: Record<string, (...args: never[]) => unknown> = {
  importedAlert,
  importedRecordingRule,
  debt,
  ruleGroup,
};

/** The generated code's value, computed with the very functions it calls. */
function evaluate(code: Code, scope: Map<string, unknown>): unknown {
  const next = (c: Code) => evaluate(c, scope);
  if (code instanceof CallCode) {
    const fn = kitFunctions[code.callee];
    if (!fn) throw new Error(`no kit function ${code.callee}`);
    return (fn as (...args: unknown[]) => unknown)(...code.args.map(next));
  }
  // A template writes each value as text: a threshold as `> 0.05`, a recording rule as its name.
  if (code instanceof TemplateCode)
    return code.parts.map((p) => (typeof p === "string" ? p : String(next(p)))).join("");
  if (code instanceof ReferenceCode) {
    const [first, ...rest] = code.path.split(".");
    let value = scope.get(first!);
    for (const key of rest) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) throw new Error(`no value for ${code.path}`);
    return value;
  }
  if (Array.isArray(code)) return code.map(next);
  if (code !== null && typeof code === "object") {
    // Own keys, a label named __proto__ among them (an assignment would set the prototype instead).
    return Object.fromEntries(
      Object.entries(code).flatMap(([key, value]) => (value === undefined ? [] : [[key, next(value)]])),
    );
  }
  return code;
}

/**
 * The errors that stop the import, each once: at its line of the rule file, and without the path to the rule inside
 * an output's file (the schema of every output that holds the rule says the same), with the checks that said it.
 */
function refusals(left: Diagnostic[], file: string): ImportProblem[] {
  const said = new Map<string, { problem: ImportProblem; checks: string[] }>();
  for (const d of left) {
    const at = d.source.file === file ? `${file}:${d.source.line}: ` : "";
    const text = `${at}${d.subject}: ${d.message.replace(/^\/groups\/\d+\/rules\/\d+\//, "")}`;
    const seen = said.get(text);
    if (seen) {
      if (!seen.checks.includes(d.check)) seen.checks.push(d.check);
      continue;
    }
    said.set(text, {
      problem: { message: text, fix: d.fix ?? "change it in the rule file, then import again." },
      checks: [d.check],
    });
  }
  return [...said.values()].map(({ problem, checks }) => ({
    ...problem,
    message: `${problem.message} [${checks.join(", ")}]`,
  }));
}

// -------------------------------------------------------------------------------------------------
// Debt

/**
 * Each error the checks found about an imported rule becomes debt at that rule, once per check; returns the errors
 * that cannot be debt (a schema's, an output engine's refusal, or about what is no rule of the import: its groups,
 * its thresholds).
 */
function collectDebt(
  diagnostics: Diagnostic[],
  plan: PlannedGroup[],
  debts: Map<PlannedRule, MigrationDebt[]>,
  file: string,
): Diagnostic[] {
  const bySubject = new Map<string, PlannedRule[]>();
  for (const group of plan)
    for (const r of group.rules) {
      const subject = `${r.rule.kind === "alert" ? "alert" : "recording rule"} ${r.rule.name}`;
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), r]);
    }
  const groups = new Set(plan.map((g) => `rule group ${g.name}`));
  const left: Diagnostic[] = [];
  for (const d of diagnostics) {
    if (d.severity !== "error" || d.suppressed !== undefined) continue;
    const owners = bySubject.get(d.subject);
    const ours = owners !== undefined || groups.has(d.subject) || d.source.file === file;
    if (!ours) continue;
    // What the outputs' engines refuse (targets/) would fail the build whatever a suppression says.
    const hard = ["schema/", "build/", "targets/", "check/suppression"].some((c) => d.check.startsWith(c));
    if (!owners || hard) {
      left.push(d);
      continue;
    }
    // Alerts that share a name are told apart by their line in the rule file.
    const owner = owners.find((r) => d.source.file === file && d.source.line === r.rule.line) ?? owners[0]!;
    const list = debts.get(owner) ?? [];
    if (!list.some((x) => x.check === d.check))
      list.push({ check: d.check, reason: `imported from ${file}: ${d.message}` });
    debts.set(owner, list);
  }
  return left;
}
