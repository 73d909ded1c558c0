/**
 * promtool's verdict on what `o11y check` reads that is not our build: rule files from elsewhere, and one
 * expression. Its problems become diagnostics beside the checks', at the file's own lines; what our checks
 * already said of the same rule (a parse error, a template error) is not said twice.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { Diagnostic } from "../diagnostics.ts";
import { promtoolCheckRules, promtoolFix, type PromtoolProblem, type RuleFilesJudgement, type ToolsMode, type ToolsVerdict } from "../validate/tools/index.ts";
import type { RuleFile } from "./rule-file.ts";

const parseError = /^could not parse expression: (\d+):(\d+): /;

const expressionFix =
  "promtool is the Prometheus version that will run it, and would refuse a rule file holding this expression: write it in syntax " +
  "that version accepts (o11y's own parser knows newer Prometheus syntax too).";

type Place = { subject: string; source: Diagnostic["source"] };

function toDiagnostic(problem: PromtoolProblem, { subject, source }: Place, name: string, fix: string): Diagnostic {
  const diagnostic: Diagnostic = { check: "tool/promtool", severity: "error", subject, source, message: `${name} rejects it: ${problem.message}`, fix };
  const at = parseError.exec(problem.message);
  if (at) diagnostic.position = { line: Number(at[1]), column: Number(at[2]) };
  return diagnostic;
}

/**
 * What promtool said, as diagnostics: each rule's problem where `place` puts it, less what our checks said, and
 * whatever else it printed (or that it failed silently) on `whole`.
 */
function diagnosticsOf(
  judged: { rules: PromtoolProblem[]; other: string[]; name: string },
  place: (problem: PromtoolProblem) => Place,
  whole: Place,
  ours: Diagnostic[],
  fix: string,
): Diagnostic[] {
  const found = judged.rules.map((problem) => ({ problem, diagnostic: toDiagnostic(problem, place(problem), judged.name, fix) }));
  const rest = unsaid(found, ours);
  if (judged.other.length > 0 || found.length === 0) {
    rest.push({ check: "tool/promtool", severity: "error", ...whole, message: `${judged.name} rejects it: ${judged.other.join("\n") || "it failed and said nothing"}`, fix });
  }
  return rest;
}

/** The check of ours that reports what a promtool message is about, if any. */
function ourCheckFor(message: string): string | undefined {
  if (parseError.test(message) || message.startsWith("field 'expr' must be set")) return "promql/syntax";
  if (/^(annotation|label) "/.test(message)) return "alerts/annotations";
  return undefined;
}

/** Leaves out what one of our checks has already said of the same rule: a parse error, a template error. */
function unsaid(found: Array<{ diagnostic: Diagnostic; problem: PromtoolProblem }>, ours: Diagnostic[]): Diagnostic[] {
  const said = new Set(ours.map((d) => `${d.check}\n${d.source.file}\n${d.subject}`));
  return found
    .filter(({ diagnostic, problem }) => !said.has(`${ourCheckFor(problem.message)}\n${diagnostic.source.file}\n${diagnostic.subject}`))
    .map(({ diagnostic }) => diagnostic);
}

function verdictOf(judged: { verdict: ToolsVerdict }, notes: (note: string) => void): Diagnostic[] {
  judged.verdict.notes.forEach(notes);
  return judged.verdict.diagnostics;
}

/**
 * Starts promtool check rules over the files: it runs in its own process while our checks run in this one, and
 * `promtoolOnRuleFiles` reads what it said.
 */
export function startPromtoolOnRuleFiles(paths: string[], mode: ToolsMode): Promise<RuleFilesJudgement> {
  return promtoolCheckRules(paths, mode, { what: paths.join(", "), subject: paths[0] ?? "", source: { file: paths[0] ?? "", line: 1 } });
}

/**
 * promtool's problems with the files, as diagnostics at their rules' lines. `files` are those that read as YAML
 * (what promtool says of the others, their rules/file diagnostics have said); `ours` are our checks' diagnostics.
 */
export async function promtoolOnRuleFiles(
  started: Promise<RuleFilesJudgement>,
  files: Array<{ file: string; ruleFile: RuleFile }>,
  ours: Diagnostic[],
  notes: (note: string) => void,
): Promise<Diagnostic[]> {
  const judged = await started;
  if ("verdict" in judged) return verdictOf(judged, notes);
  if (files.length === 0) return [];
  const place = (problem: PromtoolProblem): Place => {
    const { file, ruleFile } = files.find((f) => f.file === problem.file) ?? files[0]!;
    const group = ruleFile.groups.find((g) => g.name === problem.group);
    const name = group?.rules[problem.rule - 1] ?? problem.name;
    const alert = ruleFile.alerts.find((a) => a.group === problem.group && a.name === name);
    const rule = alert ?? ruleFile.recordingRules.find((r) => r.group === problem.group && r.record === name);
    const subject = alert ? `alert ${name}` : rule ? `recording rule ${name}` : `rule ${problem.rule} "${problem.name}" of group ${problem.group}`;
    return { subject, source: { file, line: problem.line ?? rule?.source.line ?? 1 } };
  };
  const first = files[0]!.file;
  return diagnosticsOf(judged, place, { subject: first, source: { file: first, line: 1 } }, ours, promtoolFix);
}

/** promtool check rules over one expression, as the only rule of a temporary file. */
export async function promtoolOnExpression(expr: string, mode: ToolsMode, ours: Diagnostic[], notes: (note: string) => void): Promise<Diagnostic[]> {
  if (mode === "off") return [];
  const source = { file: "--expr", line: 1 };
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-expr-"));
  try {
    const file = path.join(dir, "expression.yaml");
    writeFileSync(file, stringify({ groups: [{ name: "expression", rules: [{ record: "o11y:expression:check", expr }] }] }, { lineWidth: 0 }));
    const judged = await promtoolCheckRules([file], mode, { what: "--expr", subject: "expression", source });
    if ("verdict" in judged) return verdictOf(judged, notes);
    const expression: Place = { subject: "expression", source };
    return diagnosticsOf(judged, () => expression, expression, ours, expressionFix);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
