/**
 * A Prometheus rule file from elsewhere, read into the same model our own rules compile to, so the same
 * checks run on it. Locations are the file's own lines.
 */
import { ruleFileShapeProblems } from "./rule-file-shape.ts";
import { get, plain, readYaml, type YamlMap } from "./yaml-tree.ts";
import type { Diagnostic } from "../diagnostics.ts";
import type { AlertModel, Model, RecordingRuleModel, RuleGroupModel } from "../model.ts";
import type { SourceLocation } from "../source.ts";
import { lineAt, lineStarts } from "../text.ts";

export interface RuleFile {
  alerts: AlertModel[];
  recordingRules: RecordingRuleModel[];
  groups: RuleGroupModel[];
  /**
   * Every item of each group's `rules:` list, in order, by group name (the first group of a name): what it is
   * and its line, so a tool that counts rules (promtool: `group "g", rule 3`) can be placed, whatever the rule.
   */
  ruleItems: Map<string, Array<{ subject: string; line: number }>>;
  /** Problems reading the file itself. */
  diagnostics: Diagnostic[];
}

/**
 * `# o11y-disable ...` written as YAML comments: on the lines just above a rule, or anywhere inside it.
 * They are appended to the expression, where suppressions are read. Lines count from 1.
 */
function yamlDirectives(lines: string[], firstLine: number, lastLine: number, afterLine: number): string[] {
  // Up to the line after the previous rule: a `#` line of its block scalar is its text, not a comment.
  let start = firstLine - 1;
  while (start > afterLine && /^\s*#/.test(lines[start - 1]!)) start--;
  // Comment lines after a rule belong to the next one.
  let end = lastLine - 1;
  while (end > firstLine - 1 && /^\s*(#.*)?$/.test(lines[end]!)) end--;
  return lines
    .slice(start, end + 1)
    .map((line) => /#\s*o11y-disable\b.*$/.exec(line)?.[0])
    .filter((d): d is string => d !== undefined);
}

const str = (value: unknown) =>
  typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);

/** `labels:` or `annotations:` as strings; anything but a map (left empty, say) is none. */
const stringMap = (value: unknown): Record<string, string> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, str(v)]))
    : {};

/** 1-based line of each offset, by binary search over the line starts. */
function lineIndex(text: string): (offset: number) => number {
  const starts = lineStarts(text);
  return (offset) => lineAt(starts, offset);
}

export function readRuleFile(file: string, text: string, defaultInterval: string): RuleFile {
  const lineOf = lineIndex(text);
  const { root, problems } = readYaml(text);
  const result: RuleFile = {
    alerts: [],
    recordingRules: [],
    groups: [],
    ruleItems: new Map(),
    diagnostics: [],
  };
  for (const problem of problems) {
    const diagnostic: Diagnostic = {
      check: "rules/file",
      severity: "error",
      subject: file,
      source: { file, line: lineOf(problem.offset) },
      message: `not valid YAML: ${problem.message}`,
    };
    if (problem.fix) diagnostic.fix = problem.fix;
    result.diagnostics.push(diagnostic);
  }
  // An empty file, or `groups:` left empty, holds no rules; Prometheus loads it as such.
  if (result.diagnostics.length || root === undefined) return result;
  const groups = get(root, "groups");
  if (groups?.kind === "scalar" && groups.value === null) return result;
  if (groups?.kind !== "sequence") {
    result.diagnostics.push({
      check: "rules/file",
      severity: "error",
      subject: file,
      source: { file, line: 1 },
      message: "not a Prometheus rule file: no `groups:` list",
      fix: "point o11y check at a file with groups: [{name, rules: [...]}].",
    });
    return result;
  }
  addShapeProblems(result, file, root as YamlMap, lineOf);
  const textLines = text.split(/\r?\n/);
  for (const groupNode of groups.items) {
    if (groupNode.kind !== "map") continue;
    const name = str(plain(get(groupNode, "name")));
    const interval = str(plain(get(groupNode, "interval"))) || defaultInterval;
    const group: RuleGroupModel = { name, kind: "alerts", file, interval, rules: [] };
    const items: Array<{ subject: string; line: number }> = [];
    if (!result.ruleItems.has(name)) result.ruleItems.set(name, items);
    const rules = get(groupNode, "rules");
    let afterLine = 0;
    for (const ruleNode of rules?.kind === "sequence" ? rules.items : []) {
      const lastLine = lineOf(Math.max(ruleNode.start, ruleNode.end - 1));
      if (ruleNode.kind !== "map") {
        items.push({ subject: `rule ${items.length + 1} of group ${name}`, line: lineOf(ruleNode.start) });
        afterLine = lastLine;
        continue;
      }
      const rule = plain(ruleNode) as Record<string, unknown>;
      const exprNode = get(ruleNode, "expr");
      // A block scalar starts at its first content line, the line after `expr: |`.
      const exprSource: SourceLocation = { file, line: lineOf((exprNode ?? ruleNode).start) };
      const directives = yamlDirectives(textLines, lineOf(ruleNode.start), lastLine, afterLine).filter(
        (d) => !str(rule.expr).includes(d),
      );
      afterLine = lastLine;
      const kind =
        typeof rule.alert === "string"
          ? `alert ${rule.alert}`
          : typeof rule.record === "string"
            ? `recording rule ${rule.record}`
            : `rule ${items.length + 1} of group ${name}`;
      items.push({ subject: kind, line: exprSource.line });
      if (directives.length) rule.expr = `${str(rule.expr)}${directives.map((d) => `\n${d}`).join("")}`;
      const labels = stringMap(rule.labels);
      if (typeof rule.alert === "string") {
        group.rules.push(rule.alert);
        result.alerts.push({
          name: rule.alert,
          severity: labels.severity ?? "",
          expr: str(rule.expr),
          for: str(rule.for) || "0s",
          // A rule file declares no threshold of its own; checks that need one (alerts/threshold) do not run on it.
          threshold: { op: ">", value: Number.NaN, unit: "count", source: exprSource },
          labels,
          annotations: stringMap(rule.annotations),
          runbook: { heading: "", anchor: "" },
          dashboard: { uid: "", panelId: 0 },
          tests: [],
          group: name,
          source: exprSource,
        });
      } else if (typeof rule.record === "string") {
        group.rules.push(rule.record);
        result.recordingRules.push({
          record: rule.record,
          expr: str(rule.expr),
          labels,
          tests: [],
          group: name,
          source: exprSource,
        });
      }
    }
    result.groups.push(group);
  }
  return result;
}

/**
 * What Prometheus would refuse in the file's shape (unknown fields, wrong types, bad durations and names, ...),
 * every one of them, as `rules/file` at its line; the model is still read, as far as it goes.
 */
function addShapeProblems(
  result: RuleFile,
  file: string,
  root: YamlMap,
  lineOf: (offset: number) => number,
): void {
  for (const problem of ruleFileShapeProblems(root)) {
    result.diagnostics.push({
      check: "rules/file",
      severity: "error",
      subject: problem.subject ?? file,
      source: { file, line: lineOf(problem.offset) },
      message: problem.message,
      fix: problem.fix,
    });
  }
}

/** Why a reader refused a file (too large, not a regular file, not UTF-8), what to do, and the line it concerns. */
export interface RuleFileRefusal {
  why: string;
  fix: string;
  line: number;
}

const isRefusal = (error: unknown): error is RuleFileRefusal =>
  typeof (error as Partial<RuleFileRefusal> | null)?.why === "string";

/** A rule file that could not be read at all: its one diagnostic says why. */
export function unreadableRuleFile(file: string, error: unknown): RuleFile {
  const code = (error as NodeJS.ErrnoException).code;
  const why = isRefusal(error)
    ? error.why
    : code === "ENOENT"
      ? "there is no such file"
      : code === "EISDIR"
        ? "it is a folder"
        : error instanceof Error
          ? error.message
          : String(error);
  const fix = isRefusal(error) ? error.fix : "pass the path of a Prometheus rule file (YAML with `groups:`).";
  return {
    alerts: [],
    recordingRules: [],
    groups: [],
    ruleItems: new Map(),
    diagnostics: [
      {
        check: "rules/file",
        severity: "error",
        subject: file,
        source: { file, line: isRefusal(error) ? error.line : 1 },
        message: `cannot be read: ${why}`,
        fix,
      },
    ],
  };
}

/** The project's model with the file's rules in place of our own: its catalog and recording rules still apply. */
export function modelForRuleFile(base: Model, file: RuleFile): Model {
  return {
    ...base,
    dashboards: [],
    alerts: file.alerts,
    recordingRules: [...base.recordingRules, ...file.recordingRules],
    ruleGroups: file.groups,
  };
}
