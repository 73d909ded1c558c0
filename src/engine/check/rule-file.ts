/**
 * A Prometheus rule file from elsewhere, read into the same model our own rules compile to, so the same
 * checks run on it. Locations are the file's own lines.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { Diagnostic } from "../diagnostics.ts";
import type { AlertModel, Model, RecordingRuleModel, RuleGroupModel } from "../model.ts";
import type { SourceLocation } from "../source.ts";

export interface RuleFile {
  alerts: AlertModel[];
  recordingRules: RecordingRuleModel[];
  groups: RuleGroupModel[];
  /** Problems reading the file itself. */
  diagnostics: Diagnostic[];
}

/**
 * `# o11y-disable ...` written as YAML comments: on the lines just above a rule, or anywhere inside it.
 * They are appended to the expression, where suppressions are read.
 */
function yamlDirectives(lines: string[], lineOf: (offset: number) => number, range: [number, number, number]): string[] {
  const first = lineOf(range[0]) - 1;
  const last = lineOf(range[1]) - 1;
  let start = first;
  while (start > 0 && /^\s*#/.test(lines[start - 1]!)) start--;
  // Comment lines after a rule belong to the next one.
  let end = last;
  while (end > first && /^\s*(#.*)?$/.test(lines[end]!)) end--;
  return lines
    .slice(start, end + 1)
    .map((line) => /#\s*o11y-disable\b.*$/.exec(line)?.[0])
    .filter((d): d is string => d !== undefined);
}

const str = (value: unknown) => (typeof value === "string" ? value : value === undefined || value === null ? "" : String(value));

export function readRuleFile(file: string, text: string, defaultInterval: string): RuleFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined): SourceLocation => ({ file, line: node?.range ? lines.linePos(node.range[0]).line : 1 });
  const textLines = text.split("\n");
  const lineOf = (offset: number) => lines.linePos(offset).line;
  const result: RuleFile = { alerts: [], recordingRules: [], groups: [], diagnostics: [] };
  for (const error of document.errors) {
    result.diagnostics.push({ check: "rules/file", severity: "error", subject: file, source: { file, line: error.linePos?.[0].line ?? 1 }, message: `not valid YAML: ${error.message.split("\n")[0]}` });
  }
  if (result.diagnostics.length) return result;
  const groups = document.get("groups", true);
  if (!isSeq(groups)) {
    result.diagnostics.push({ check: "rules/file", severity: "error", subject: file, source: { file, line: 1 }, message: "not a Prometheus rule file: no `groups:` list", fix: "point o11y check at a file with groups: [{name, rules: [...]}]." });
    return result;
  }
  for (const groupNode of groups.items) {
    if (!isMap(groupNode)) continue;
    const name = str(groupNode.get("name"));
    const interval = str(groupNode.get("interval")) || defaultInterval;
    const group: RuleGroupModel = { name, kind: "alerts", file, interval, rules: [] };
    const rules = groupNode.get("rules", true);
    for (const ruleNode of isSeq(rules) ? rules.items : []) {
      if (!isMap(ruleNode)) continue;
      const rule = ruleNode.toJSON() as Record<string, unknown>;
      const exprNode = ruleNode.get("expr", true) as Node | undefined;
      // Block scalars start on the line after `expr: |`.
      const exprSource = at(exprNode);
      if (exprNode && typeof rule.expr === "string" && /^\s*[|>]/.test(text.slice(exprNode.range![0], exprNode.range![0] + 3))) exprSource.line += 1;
      const directives = yamlDirectives(textLines, lineOf, ruleNode.range!).filter((d) => !str(rule.expr).includes(d));
      if (directives.length) rule.expr = `${str(rule.expr)}${directives.map((d) => `\n${d}`).join("")}`;
      const labels = Object.fromEntries(Object.entries((rule.labels as Record<string, unknown>) ?? {}).map(([k, v]) => [k, str(v)]));
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
          annotations: Object.fromEntries(Object.entries((rule.annotations as Record<string, unknown>) ?? {}).map(([k, v]) => [k, str(v)])),
          runbook: { heading: "", anchor: "" },
          dashboard: { uid: "", panelId: 0 },
          tests: [],
          group: name,
          source: exprSource,
        });
      } else if (typeof rule.record === "string") {
        group.rules.push(rule.record);
        result.recordingRules.push({ record: rule.record, expr: str(rule.expr), labels, tests: [], group: name, source: exprSource });
      }
    }
    result.groups.push(group);
  }
  return result;
}

/** A rule file that could not be read at all: its one diagnostic says why. */
export function unreadableRuleFile(file: string, error: unknown): RuleFile {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "there is no such file" : code === "EISDIR" ? "it is a folder" : error instanceof Error ? error.message : String(error);
  return {
    alerts: [],
    recordingRules: [],
    groups: [],
    diagnostics: [{ check: "rules/file", severity: "error", subject: file, source: { file, line: 1 }, message: `cannot be read: ${why}`, fix: "pass the path of a Prometheus rule file (YAML with `groups:`)." }],
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
