/**
 * `promtool check config` over the staged prometheus.yml: the config, and every rule file it lists, parsed by
 * the Prometheus that will load them. It catches what our own analysis cannot: syntax that lezer-promql (the
 * grammar of the newest Prometheus) accepts and this Prometheus does not, and Go template errors.
 */
import { parse as parseYaml } from "yaml";
import type { Diagnostic } from "../../diagnostics.ts";
import { locationAt, type Artifact } from "../../render/artifact.ts";
import { artifactAt, fileDiagnostic, type ExternalTool } from "./tool.ts";

const configPath = "prometheus/prometheus.yml";
const configDir = "prometheus/";

/** `rules/a.yaml: 7:15: group "g", rule 2, "Name": could not parse expression: ...` (the position is optional). */
const ruleProblem =
  /^\s*(.+?): (?:(\d+):(\d+): )?group "((?:[^"\\]|\\.)*)", rule (\d+), "((?:[^"\\]|\\.)*)": (.*)$/;
/** Progress lines, which say nothing wrong. */
const progress = /^\s*(Checking |SUCCESS|FAILED:?\s*$)/;

export const promtoolFix =
  "Prometheus would refuse to load this file, and every rule in it with it. promtool is the Prometheus version that " +
  "will run it: write the rule in syntax it accepts (o11y's own parser knows newer Prometheus syntax too).";

/** The inside of a Go-quoted string as promtool prints it (%q); JSON's escapes are the same for names. */
function unquote(quoted: string): string {
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

function groupIndex(artifact: Artifact, name: string): number {
  try {
    const document = parseYaml(artifact.content) as { groups?: Array<{ name?: unknown }> };
    return document.groups?.findIndex((group) => group.name === name) ?? -1;
  } catch {
    return -1;
  }
}

/** One rule promtool rejects: where (the position is missing for template errors), which rule, and why. */
export interface PromtoolProblem {
  /** As promtool prints it: the path it was given, or relative to the config file. */
  file: string;
  line?: number;
  column?: number;
  group: string;
  /** 1-based, within the group. */
  rule: number;
  name: string;
  message: string;
}

/** A line of promtool's output about no one rule, with the file it was checking then. */
export interface PromtoolLine {
  file?: string;
  text: string;
}

/** promtool's output, read: the rules it rejects, and every other line that is not progress. */
export function readPromtoolOutput(output: string): { rules: PromtoolProblem[]; other: PromtoolLine[] } {
  const rules: PromtoolProblem[] = [];
  const other: PromtoolLine[] = [];
  let checking: string | undefined;
  for (const line of output.split("\n")) {
    const match = ruleProblem.exec(line);
    if (!match) {
      checking = /^Checking (.+)$/.exec(line)?.[1] ?? checking;
      if (line.trim() && !progress.test(line))
        other.push({ file: checking, text: line.trim().replace(/^FAILED:\s*/, "") });
      continue;
    }
    const [, file = "", row, column, group = "", rule, name = "", message = ""] = match;
    const problem: PromtoolProblem = {
      file,
      group: unquote(group),
      rule: Number(rule),
      name: unquote(name),
      message,
    };
    if (row) ((problem.line = Number(row)), (problem.column = Number(column)));
    rules.push(problem);
  }
  return { rules, other };
}

function diagnose(output: string, artifacts: Artifact[], name: string): Diagnostic[] {
  const config = artifactAt(artifacts, configPath)!;
  const { rules, other } = readPromtoolOutput(output);
  const diagnostics: Diagnostic[] = [];
  for (const problem of rules) {
    const artifact = artifactAt(artifacts, configDir + problem.file);
    if (!artifact) {
      other.push({
        text: `${problem.file}: group "${problem.group}", rule ${problem.rule}, "${problem.name}": ${problem.message}`,
      });
      continue;
    }
    const index = groupIndex(artifact, problem.group);
    const owner = index < 0 ? undefined : locationAt(artifact, `/groups/${index}/rules/${problem.rule - 1}`);
    const where = `${configDir}${problem.file}${problem.line === undefined ? "" : `:${problem.line}:${problem.column}`}`;
    diagnostics.push({
      check: promtool.id,
      severity: "error",
      subject: owner?.subject ?? `${artifact.subject} › rule ${problem.rule} "${problem.name}"`,
      source: owner?.source ?? artifact.source,
      message: `${name} rejects it (${where}): ${problem.message}`,
      fix: promtoolFix,
    });
  }
  if (other.length > 0 || diagnostics.length === 0) {
    const text =
      other.length > 0
        ? other.map((line) => line.text).join("\n")
        : output.trim() || "it failed and printed nothing";
    diagnostics.push(
      fileDiagnostic(promtool, config, `${name} (check config) rejects ${configPath}: ${text}`, promtoolFix),
    );
  }
  return diagnostics;
}

export const promtool: ExternalTool = {
  id: "tool/promtool",
  command: "promtool",
  envVar: "O11Y_PROMTOOL",
  debianPackage: "prometheus",
  entry: configPath,
  // --lint-fatal: a lint finding (duplicate rules) fails the run too.
  args: (entryName) => ["check", "config", "--lint=all", "--lint-fatal", "--", entryName],
  readsEntryOnce: true,
  diagnose,
};
