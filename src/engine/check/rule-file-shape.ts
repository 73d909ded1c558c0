/**
 * What Prometheus 2.42 refuses in the shape of a rule file, found without promtool: its reader (`rulefmt`)
 * decodes the YAML strictly with yaml.v3 (no unknown field, the right type in every field) and then validates
 * groups and rules. Each problem is placed at its node. What the checks judge (the expression's PromQL, alert
 * templates) is not repeated here, and nothing Prometheus loads is refused, with one exception: an alias as the
 * value of `alert`, `record` or `expr`, which Prometheus 2.42 reads as the anchor's name, not its value.
 */
import { parseDurationMs } from "../duration.ts";
import { closest } from "../text.ts";
import type { YamlMap, YamlNode } from "./yaml-tree.ts";

export interface ShapeProblem {
  /** Offset of the node it concerns. */
  offset: number;
  /** The group or rule it concerns; none for the file itself. */
  subject?: string;
  message: string;
  fix: string;
}

interface Field {
  /** The key as text; undefined for a key that is a list or a map. */
  name: string | undefined;
  key: YamlNode;
  value: YamlNode;
  alias?: string;
}

const topFields = ["groups"] as const;
const groupFields = ["name", "interval", "limit", "rules"] as const;
const ruleFields = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"] as const;

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A plain YAML number, which yaml.v3 decodes into an int field (`limit`). */
const yamlNumber =
  /^[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+)$/;
/** time.Duration's range, in milliseconds: longer durations are "out of range" to Prometheus. */
const maxDurationMs = 9_223_372_036_854;

const kindOf = (node: YamlNode) =>
  node.kind === "sequence" ? "a list" : node.kind === "map" ? "a map" : "text";
/** The value of a scalar: "" for an empty one (null); undefined for a list or a map. */
const scalar = (node: YamlNode | undefined) => (node?.kind === "scalar" ? (node.value ?? "") : undefined);

type Report = (node: YamlNode, message: string, fix: string) => void;

/**
 * A map's fields with `<<` merge keys applied as yaml.v3 applies them: the map's own keys win, then the first
 * merged map that has the key. A merge of anything but a map or a list of maps is a problem.
 */
function fieldsOf(map: YamlMap, report: Report): Field[] {
  const own: Field[] = [];
  let merged: Field[] | undefined;
  for (const { key, value, alias } of map.entries) {
    const name = key.kind === "scalar" ? (key.value ?? "") : undefined;
    if (name !== "<<") {
      own.push(alias === undefined ? { name, key, value } : { name, key, value, alias });
      continue;
    }
    const sources = value.kind === "sequence" ? value.items : [value];
    if (value.kind === "scalar" || sources.some((source) => source.kind !== "map")) {
      report(
        value,
        "a merge key (<<) takes a map or a list of maps",
        "merge a map, e.g. <<: *defaults, where &defaults names a map.",
      );
      continue;
    }
    for (const source of sources) (merged ??= []).push(...fieldsOf(source as YamlMap, report));
  }
  if (!merged) return own;
  const names = new Set(own.map((field) => field.name));
  for (const field of merged) {
    if (names.has(field.name)) continue;
    names.add(field.name);
    own.push(field);
  }
  return own;
}

/** The fields of `known` by name; any other field is reported at its key, with the closest known name. */
function knownFields<Name extends string>(
  fields: Field[],
  known: readonly Name[],
  where: string,
  report: Report,
): Partial<Record<Name, Field>> {
  const found: Partial<Record<Name, Field>> = {};
  for (const field of fields) {
    if (field.name !== undefined && (known as readonly string[]).includes(field.name)) {
      found[field.name as Name] = field;
      continue;
    }
    const name = field.name === undefined ? `a key that is ${kindOf(field.key)}` : `"${field.name}"`;
    const suggestion = field.name === undefined ? undefined : closest(field.name, known);
    const fix = suggestion ? `did you mean ${suggestion}?` : `${where} has only ${known.join(", ")}.`;
    report(field.key, `unknown field ${name} in ${where}: Prometheus 2.42 refuses the file`, fix);
  }
  return found;
}

/** A duration field: empty (null) is none; otherwise what model.ParseDuration accepts, within time.Duration. */
function durationProblem(node: YamlNode): string | undefined {
  const text = scalar(node);
  if (text === undefined) return `must be a duration, not ${kindOf(node)}`;
  if (node.kind === "scalar" && node.value === null) return undefined;
  const ms = parseDurationMs(text);
  if (Number.isNaN(ms)) return `"${text}" is not a Prometheus duration`;
  if (ms > maxDurationMs) return `"${text}" is longer than Prometheus can count (about 292 years)`;
  return undefined;
}
const durationFix =
  "write it like 30s, 5m or 1h30m: whole numbers with units y, w, d, h, m, s or ms, largest first.";

/** Problems in file order, each said once (an aliased node is reached once per alias), for the subject set last. */
class Problems {
  readonly list: ShapeProblem[] = [];
  private readonly said = new Set<string>();
  subject: string | undefined;
  readonly report: Report = (node, message, fix) => {
    const id = `${node.start}\u0000${message}`;
    if (this.said.has(id)) return;
    this.said.add(id);
    this.list.push(
      this.subject === undefined
        ? { offset: node.start, message, fix }
        : { offset: node.start, subject: this.subject, message, fix },
    );
  };
}

/** Every shape problem of a rule file whose root is a map with a `groups:` list, in file order. */
export function ruleFileShapeProblems(root: YamlMap): ShapeProblem[] {
  const problems = new Problems();
  const { report } = problems;
  const groups = knownFields(fieldsOf(root, report), topFields, "a rule file", report).groups?.value;
  if (groups?.kind !== "sequence") return problems.list;

  const groupNames = new Set<string>();
  for (let groupIndex = 0; groupIndex < groups.items.length; groupIndex++) {
    const groupNode = groups.items[groupIndex]!;
    problems.subject = `group ${groupIndex + 1}`;
    if (groupNode.kind !== "map") {
      report(
        groupNode,
        `a group must be a map (name, rules), not ${kindOf(groupNode)}`,
        "write each group as name: ... and rules: [...].",
      );
      continue;
    }
    const fields = fieldsOf(groupNode, report);
    const nameNode = fields.find((f) => f.name === "name")?.value;
    const name = scalar(nameNode) ?? "";
    if (name) problems.subject = `group ${name}`;
    const field = knownFields(fields, groupFields, "a group", report);

    if (nameNode && nameNode.kind !== "scalar")
      report(
        nameNode,
        `the group's name must be text, not ${kindOf(nameNode)}`,
        "name the group with a string.",
      );
    else if (!name)
      report(nameNode ?? groupNode, "the group has no name", "give every group a name, unique in the file.");
    else if (groupNames.has(name))
      report(
        groupNode,
        `group name "${name}" is used twice in the file: Prometheus refuses it`,
        "give each group a name of its own.",
      );
    else groupNames.add(name);

    const interval = field.interval?.value;
    const intervalProblem = interval && durationProblem(interval);
    if (intervalProblem) report(interval!, `interval ${intervalProblem}`, durationFix);
    const limit = field.limit?.value;
    const limitText = limit && scalar(limit);
    if (limit && (limitText === undefined || (limitText !== "" && !yamlNumber.test(limitText)))) {
      report(
        limit,
        `limit must be a whole number, not ${limitText === undefined ? kindOf(limit) : `"${limitText}"`}`,
        "write the most alerts or series the group may produce, e.g. limit: 100, or leave limit out.",
      );
    }

    const rules = field.rules?.value;
    if (!rules || scalar(rules) === "") continue;
    if (rules.kind !== "sequence") {
      report(
        rules,
        `rules must be a list of rules, not ${kindOf(rules)}`,
        "write rules: followed by one - record: or - alert: item per rule.",
      );
      continue;
    }
    for (let ruleIndex = 0; ruleIndex < rules.items.length; ruleIndex++)
      ruleProblems(
        rules.items[ruleIndex]!,
        () => `rule ${ruleIndex + 1} of group ${name || groupIndex + 1}`,
        problems,
      );
  }
  return problems.list;
}

/** The text of a field's value, if it is a scalar with a value. */
const textOf = (field: Field | undefined) =>
  field?.value.kind === "scalar" && field.value.value !== null ? field.value.value : undefined;

/** One item of a group's rules: its fields, their types, and what rulefmt's Validate asks of a rule. */
function ruleProblems(ruleNode: YamlNode, numbered: () => string, problems: Problems): void {
  const { report } = problems;
  if (ruleNode.kind !== "map") {
    problems.subject = numbered();
    report(
      ruleNode,
      `a rule must be a map (record or alert, expr, ...), not ${kindOf(ruleNode)}`,
      "write the rule as - record: ... or - alert: ..., with expr: on the next line.",
    );
    return;
  }
  const fields = fieldsOf(ruleNode, report);
  const alertName = textOf(fields.find((f) => f.name === "alert"));
  const recordName = textOf(fields.find((f) => f.name === "record"));
  // As ruleItems names it, so that promtool's verdicts and ours read alike.
  problems.subject =
    alertName !== undefined
      ? `alert ${alertName}`
      : recordName !== undefined
        ? `recording rule ${recordName}`
        : numbered();
  const field = knownFields(fields, ruleFields, "a rule", report);

  // A field said to be of the wrong kind is not said to be missing as well.
  let miswritten: Set<string> | undefined;
  for (const name of ["alert", "record", "expr"] as const) {
    const f = field[name];
    if (f?.alias !== undefined) {
      // At the key: the value is the anchored node, written elsewhere.
      report(
        f.key,
        `${name} is written as the alias *${f.alias}: Prometheus 2.42 reads that as the text "${f.alias}", not the anchored value`,
        `write the ${name === "expr" ? "expression" : "name"} out in full here.`,
      );
    } else if (f && f.value.kind !== "scalar") {
      report(
        f.value,
        `${name} must be text, not ${kindOf(f.value)}`,
        `write the ${name === "expr" ? "PromQL expression" : "name"} as a string.`,
      );
      (miswritten ??= new Set()).add(name);
    }
  }
  if (alertName && recordName) {
    report(
      field.record!.key,
      "the rule has both alert and record: a rule is one or the other",
      "keep alert: for an alerting rule, record: for a recording rule; split it into two rules if you need both.",
    );
  } else if (!alertName && !recordName && !miswritten?.has("alert") && !miswritten?.has("record")) {
    report(
      ruleNode,
      "the rule has neither alert nor record, so Prometheus cannot tell what it is",
      "start the rule with alert: <name> or record: <level:metric:operations>.",
    );
  }
  if (!textOf(field.expr) && !miswritten?.has("expr")) {
    report(
      field.expr?.value ?? ruleNode,
      "the rule has no expr",
      "write the PromQL expression the rule evaluates under expr:.",
    );
  }
  const recording = recordName && !alertName;

  for (const name of ["for", "keep_firing_for"] as const) {
    const value = field[name]?.value;
    if (!value) continue;
    const problem = durationProblem(value);
    if (problem) report(value, `${name} ${problem}`, durationFix);
    else if (recording && parseDurationMs(scalar(value) || "0") > 0)
      report(
        value,
        `a recording rule has no ${name}: Prometheus refuses it`,
        `remove ${name}, or make the rule an alert.`,
      );
  }
  if (recording && !metricName.test(recordName)) {
    report(
      field.record!.value,
      `"${recordName}" is not a valid series name: Prometheus refuses it`,
      "use letters, digits, _ and : only, not starting with a digit, e.g. job:http_requests:rate5m.",
    );
  }

  for (const name of ["labels", "annotations"] as const) {
    const map = field[name]?.value;
    if (!map || scalar(map) === "") continue;
    if (map.kind !== "map") {
      report(
        map,
        `${name} must be a map of names to text, not ${kindOf(map)}`,
        `write ${name} as name: value lines.`,
      );
      continue;
    }
    const entries = fieldsOf(map, report);
    if (name === "annotations" && recording && entries.length > 0) {
      report(
        map,
        "a recording rule has no annotations: Prometheus refuses it",
        "remove annotations, or make the rule an alert.",
      );
    }
    const what = name === "labels" ? "label" : "annotation";
    for (const entry of entries) {
      const key = entry.name;
      if (key === undefined || !labelName.test(key) || (name === "labels" && key === "__name__")) {
        const shown = key === undefined ? `a key that is ${kindOf(entry.key)}` : `"${key}"`;
        report(
          entry.key,
          `${shown} is not a valid ${what} name${key === "__name__" ? " (__name__ is the series name, set by record:)" : ""}`,
          "use letters, digits and _ only, not starting with a digit.",
        );
      }
      if (entry.value.kind !== "scalar")
        report(
          entry.value,
          `the value of ${what} ${key ?? ""} must be text, not ${kindOf(entry.value)}`,
          "write the value as a string; quote it if it has a colon or starts with a special character.",
        );
    }
  }
}
