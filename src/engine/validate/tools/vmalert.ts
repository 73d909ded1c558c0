/**
 * `vmalert -dryRun` over the staged rule files of the VictoriaMetrics output: VictoriaMetrics' own rule reader
 * (MetricsQL's parser, its templates, its rule fields) judges them, so a rule it would refuse never reaches
 * build/. It runs when the output is on (settings.outputs.victoriaMetrics) and vmalert is installed.
 */
import { parse as parseYaml } from "yaml";
import type { Diagnostic } from "../../diagnostics.ts";
import { locationAt, schemaKind, type Artifact } from "../../render/artifact.ts";
import { vmalertRulesDir } from "../../render/victoriametrics.ts";
import { fileDiagnostic, type ExternalTool } from "./tool.ts";

/** `invalid group "g" in file "f": <why>`, one per line after `errors(N): ` (vmalert 1.79). */
const groupProblem = /invalid group "((?:[^"\\]|\\.)*)" in file "((?:[^"\\]|\\.)*)": ([^\n]*)/g;
/** `invalid rule "g"."name": ...` or `invalid expression for rule "g"."name": ...`. */
const ruleProblem = /^invalid (?:expression for )?rule "(?:[^"\\]|\\.)*"\."((?:[^"\\]|\\.)*)": (.*)$/;

export const vmalertFix =
  "VictoriaMetrics' vmalert would refuse to load this file: write the rule in syntax and fields it accepts " +
  "(see README, Deploying: VictoriaMetrics), or turn the victoriaMetrics output off in src/config.ts.";

const unquote = (text: string) => {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
};

/** Index of the rule named `name` in the group named `group` of a rule file, or -1. */
function ruleIndex(artifact: Artifact, group: string, name: string): { group: number; rule: number } {
  try {
    const groups = (parseYaml(artifact.content) as { groups?: Array<{ name?: unknown; rules?: unknown[] }> })
      .groups;
    const g = groups?.findIndex((each) => each.name === group) ?? -1;
    const rules = (g < 0 ? [] : (groups![g]!.rules ?? [])) as Array<{ alert?: unknown; record?: unknown }>;
    return { group: g, rule: rules.findIndex((r) => r.alert === name || r.record === name) };
  } catch {
    return { group: -1, rule: -1 };
  }
}

function diagnose(output: string, artifacts: Artifact[], name: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [, groupText = "", fileText = "", why = ""] of output.matchAll(groupProblem)) {
    const group = unquote(groupText);
    const file = unquote(fileText);
    const artifact = artifacts.find((a) => a.path === file);
    const rule = ruleProblem.exec(why);
    const at = artifact && rule ? ruleIndex(artifact, group, unquote(rule[1]!)) : undefined;
    const owner =
      artifact && at && at.rule >= 0
        ? locationAt(artifact, `/groups/${at.group}/rules/${at.rule}`)
        : undefined;
    diagnostics.push({
      check: vmalert.id,
      severity: "error",
      subject: owner?.subject ?? artifact?.subject ?? `rule group ${group}`,
      source: owner?.source ?? artifact?.source ?? { file: "src/config.ts", line: 1 },
      message: `${name} rejects it (${file}, group "${group}"): ${rule ? rule[2] : why}`,
      fix: vmalertFix,
    });
  }
  if (diagnostics.length > 0) return diagnostics;
  // Not about one group (a file it cannot read, a flag): its fatal line, without the log prefix.
  const fatal = output
    .split("\n")
    .filter((line) => /\t(fatal|error|panic)\t/.test(line))
    .map((line) => line.split("\t").slice(3).join("\t").trim());
  const about = artifacts.find((a) => a.path.startsWith(`${vmalertRulesDir}/`));
  const text = fatal.join("\n") || output.trim() || "it failed and printed nothing";
  return about
    ? [fileDiagnostic(vmalert, about, `${name} (-dryRun) rejects the rule files: ${text}`, vmalertFix)]
    : [];
}

export const vmalert: ExternalTool = {
  id: "tool/vmalert",
  command: "vmalert",
  envVar: "O11Y_VMALERT",
  debianPackage: "victoria-metrics",
  entry: `${vmalertRulesDir}/`,
  judges: (artifacts) => artifacts.filter((a) => schemaKind(a.schema) === "vmalert-rules"),
  about: { subject: "victoriaMetrics output", source: { file: "src/config.ts", line: 1 } },
  // Paths are the build's own (never starting with "-"); -rule takes one file each.
  args: (_entryName, files = []) => ["-dryRun", ...files.map((file) => `-rule=${file}`)],
  diagnose,
};
