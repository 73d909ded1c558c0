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
const ruleProblem = /^\s*(\S+?): (?:(\d+):(\d+): )?group "((?:[^"\\]|\\.)*)", rule (\d+), "((?:[^"\\]|\\.)*)": (.*)$/;
/** Progress lines, which say nothing wrong. */
const progress = /^\s*(Checking |SUCCESS|FAILED:?\s*$)/;

const fix =
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

function diagnose(output: string, artifacts: Artifact[]): Diagnostic[] {
  const config = artifactAt(artifacts, configPath)!;
  const diagnostics: Diagnostic[] = [];
  const other: string[] = [];
  for (const line of output.split("\n")) {
    const match = ruleProblem.exec(line);
    const artifact = match ? artifactAt(artifacts, configDir + match[1]) : undefined;
    if (!match || !artifact) {
      if (line.trim() && !progress.test(line)) other.push(line.trim().replace(/^FAILED:\s*/, ""));
      continue;
    }
    const [, file, row, column, group = "", rule, name, problem] = match;
    const index = groupIndex(artifact, unquote(group));
    const owner = index < 0 ? undefined : locationAt(artifact, `/groups/${index}/rules/${Number(rule) - 1}`);
    const where = row ? `${configDir}${file}:${row}:${column}` : `${configDir}${file}`;
    diagnostics.push({
      check: promtool.id,
      severity: "error",
      subject: owner?.subject ?? `${artifact.subject} › rule ${rule} "${name}"`,
      source: owner?.source ?? artifact.source,
      message: `promtool rejects it (${where}): ${problem}`,
      fix,
    });
  }
  if (other.length > 0 || diagnostics.length === 0) {
    const text = other.length > 0 ? other.join("\n") : output.trim() || "it failed and printed nothing";
    diagnostics.push(fileDiagnostic(promtool, config, `promtool check config rejects ${configPath}: ${text}`, fix));
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
  args: (entryName) => ["check", "config", "--lint=all", "--lint-fatal", entryName],
  diagnose,
};
