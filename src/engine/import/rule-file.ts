/**
 * Reads a Prometheus rule file (`groups:`), or a prometheus-operator PrometheusRule resource (`spec.groups`), into
 * plain groups and rules with their lines, for `o11y import rules`. What Prometheus would refuse is refused here
 * with it, at its line: YAML that does not parse, a file that is not a rule file, the shape rulefmt validates
 * (unknown fields, bad durations and names, duplicate group names: rule-file-shape.ts, shared with `o11y check`),
 * an expression that does not parse, a label or annotation template that does not parse. It touches no file.
 */
import { ruleFileShapeProblems } from "../check/rule-file-shape.ts";
import { get, plain, readYaml, type YamlMap, type YamlNode } from "../check/yaml-tree.ts";
import { checkAlertTemplate } from "../promql/alert-template.ts";
import { parsePromQL, positionOf } from "../promql/parse.ts";
import { lineAt, lineStarts } from "../text.ts";
import type { ImportProblem, Rewrite } from "./report.ts";

export interface PlainRule {
  kind: "alert" | "record";
  /** The alert's name, or the series the rule records. */
  name: string;
  expr: string;
  /** As written; absent when the rule has none. */
  for?: string;
  keepFiringFor?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Line of the rule (its `- alert:` or `- record:` item). */
  line: number;
}

export interface PlainGroup {
  name: string;
  interval?: string;
  limit?: string;
  rules: PlainRule[];
  line: number;
}

export interface RuleFileReading {
  groups: PlainGroup[];
  rewrites: Rewrite[];
  problems: ImportProblem[];
}

const notRuleFileFix =
  "import a Prometheus rule file (groups: [{ name, rules: [...] }]) or a PrometheusRule resource (spec.groups).";

const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : value === null || value === undefined ? undefined : String(value);

/** `labels:` or `annotations:` as strings, in the order written. */
const stringMap = (value: unknown): Record<string, string> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, text(v) ?? ""]))
    : {};

export function readRuleFile(source: string, options: { file: string }): RuleFileReading {
  const { file } = options;
  const starts = lineStarts(source);
  const lineOf = (offset: number) => lineAt(starts, offset);
  const reading: RuleFileReading = { groups: [], rewrites: [], problems: [] };
  const refuse = (message: string, fix: string) => {
    reading.problems.push({ message, fix });
    return reading;
  };
  const { root, problems } = readYaml(source);
  if (problems.length) {
    for (const problem of problems)
      reading.problems.push({
        message: `${file} is not valid YAML (line ${lineOf(problem.offset)}): ${problem.message}`,
        fix: problem.fix ?? "fix the YAML there; `o11y check` reads the file the same way.",
      });
    return reading;
  }
  if (root?.kind !== "map")
    return refuse(`${file} is not a Prometheus rule file: it is not a map with groups:`, notRuleFileFix);
  let holder: YamlMap = root;
  const kind = get(root, "kind");
  if (kind?.kind === "scalar" && kind.value === "PrometheusRule") {
    const spec = get(root, "spec");
    if (spec?.kind !== "map") return refuse(`${file} is a PrometheusRule without a spec`, notRuleFileFix);
    holder = spec;
    const name = plain(get(get(root, "metadata"), "name"));
    reading.rewrites.push({
      subject: "file",
      what: `the groups of PrometheusRule ${typeof name === "string" ? name : "(no name)"} (spec.groups) are imported; its metadata is not`,
      why: "the build writes its own PrometheusRule resources (settings.outputs.kubernetes), with the project's metadata",
    });
  }
  const groups = get(holder, "groups");
  if (groups?.kind !== "sequence")
    return refuse(`${file} is not a Prometheus rule file: it has no groups: list`, notRuleFileFix);
  for (const problem of ruleFileShapeProblems(holder))
    reading.problems.push({
      message: `${file}:${lineOf(problem.offset)}: ${problem.subject ? `${problem.subject}: ` : ""}${problem.message}`,
      fix: problem.fix,
    });
  // The shape is wrong somewhere: its rules are not read (what they say could be anything).
  if (reading.problems.length) return reading;
  for (const groupNode of groups.items)
    reading.groups.push(readGroup(groupNode as YamlMap, file, lineOf, reading));
  if (!reading.groups.some((g) => g.rules.length))
    return refuse(`${file} holds no rules`, "import a rule file with at least one alert or recording rule.");
  return reading;
}

function readGroup(
  node: YamlMap,
  file: string,
  lineOf: (offset: number) => number,
  reading: RuleFileReading,
): PlainGroup {
  const name = text(plain(get(node, "name"))) ?? "";
  const group: PlainGroup = { name, rules: [], line: lineOf(node.start) };
  const interval = text(plain(get(node, "interval")));
  if (interval) group.interval = interval;
  const limit = text(plain(get(node, "limit")));
  if (limit) group.limit = limit;
  const rules = get(node, "rules");
  for (const ruleNode of rules?.kind === "sequence" ? rules.items : []) {
    const rule = readRule(ruleNode, lineOf);
    const where = `${file}:${rule.line}: ${rule.kind === "alert" ? "alert" : "recording rule"} ${rule.name}`;
    const parsed = parsePromQL(rule.expr, { grafana: false });
    if (parsed.errorAt !== undefined) {
      const { line, column } = positionOf(rule.expr, parsed.errorAt);
      reading.problems.push({
        message: `${where}: the expression does not parse as PromQL (its line ${line}, column ${column}): ${rule.expr.split("\n")[line - 1]?.trim() ?? ""}`,
        fix: "fix the expression (promtool check rules shows Prometheus's own error), then import again.",
      });
    }
    for (const [kind, map] of [
      ["label", rule.labels],
      ["annotation", rule.annotations],
    ] as const) {
      for (const [key, value] of Object.entries(map))
        for (const problem of checkAlertTemplate(value))
          reading.problems.push({
            message: `${where}: ${kind} ${key} template, at character ${problem.offset + 1}: ${problem.message}`,
            fix: "fix the template: Prometheus refuses the whole rule file when one does not parse.",
          });
    }
    group.rules.push(rule);
  }
  return group;
}

function readRule(node: YamlNode, lineOf: (offset: number) => number): PlainRule {
  const fields = plain(node) as Record<string, unknown>;
  const alert = text(fields.alert);
  const rule: PlainRule = {
    kind: alert !== undefined ? "alert" : "record",
    name: alert ?? text(fields.record) ?? "",
    expr: text(fields.expr) ?? "",
    labels: stringMap(fields.labels),
    annotations: stringMap(fields.annotations),
    line: lineOf(node.start),
  };
  const pending = text(fields.for);
  if (pending) rule.for = pending;
  const keep = text(fields.keep_firing_for);
  if (keep) rule.keepFiringFor = keep;
  return rule;
}
