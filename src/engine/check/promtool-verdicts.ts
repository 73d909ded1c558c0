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
import {
  promtoolCheckRules,
  promtoolFix,
  type PromtoolLine,
  type PromtoolProblem,
  type RuleFilesJudgement,
  type ToolsMode,
  type ToolsVerdict,
} from "../validate/tools/index.ts";
import type { RuleFile } from "./rule-file.ts";

const parseError = /^could not parse expression: (\d+):(\d+): /;

const expressionFix =
  "promtool is the Prometheus version that will run it, and would refuse a rule file holding this expression: write it in syntax " +
  "that version accepts (o11y's own parser knows newer Prometheus syntax too).";

type Place = { subject: string; source: Diagnostic["source"] };

function toDiagnostic(
  problem: PromtoolProblem,
  { subject, source }: Place,
  name: string,
  fix: string,
): Diagnostic {
  const diagnostic: Diagnostic = {
    check: "tool/promtool",
    severity: "error",
    subject,
    source,
    message: `${name} rejects it: ${problem.message}`,
    fix,
  };
  const at = parseError.exec(problem.message);
  if (at) diagnostic.position = { line: Number(at[1]), column: Number(at[2]) };
  return diagnostic;
}

/**
 * What promtool said, as diagnostics: each rule's problem where `place` puts it, less what our checks said; its
 * other lines on the place `whole` gives their file (none: dropped); and if it said nothing, that it failed.
 */
function diagnosticsOf(
  judged: { rules: PromtoolProblem[]; other: PromtoolLine[]; name: string },
  place: (problem: PromtoolProblem) => Place,
  whole: (file: string | undefined) => Place | undefined,
  ours: Diagnostic[],
  fix: string,
): Diagnostic[] {
  const found = judged.rules.map((problem) => ({
    problem,
    diagnostic: toDiagnostic(problem, place(problem), judged.name, fix),
  }));
  const rest = unsaid(found, ours);
  const lines = new Map<string, { at: Place; texts: string[] }>();
  for (const line of judged.other) {
    const at = whole(line.file);
    if (!at) continue;
    const key = `${at.source.file}\n${at.subject}`;
    if (!lines.has(key)) lines.set(key, { at, texts: [] });
    lines.get(key)!.texts.push(line.text);
  }
  for (const { at, texts } of lines.values())
    rest.push({
      check: "tool/promtool",
      severity: "error",
      ...at,
      message: `${judged.name} rejects it: ${texts.join("\n")}`,
      fix,
    });
  const silent = judged.rules.length === 0 && judged.other.length === 0 ? whole(undefined) : undefined;
  if (silent)
    rest.push({
      check: "tool/promtool",
      severity: "error",
      ...silent,
      message: `${judged.name} rejects it, and said nothing`,
      fix,
    });
  return rest;
}

/** The check of ours that reports what a promtool message is about, if any. */
function ourCheckFor(message: string): string | undefined {
  if (parseError.test(message) || message.startsWith("field 'expr' must be set")) return "promql/syntax";
  if (/^(annotation|label) "/.test(message)) return "alerts/template";
  return undefined;
}

/** Leaves out what one of our checks has already said of the same rule: a parse error, a template error. */
function unsaid(
  found: Array<{ diagnostic: Diagnostic; problem: PromtoolProblem }>,
  ours: Diagnostic[],
): Diagnostic[] {
  const said = new Set(ours.map((d) => `${d.check}\n${d.source.file}\n${d.subject}`));
  return found
    .filter(
      ({ diagnostic, problem }) =>
        !said.has(`${ourCheckFor(problem.message)}\n${diagnostic.source.file}\n${diagnostic.subject}`),
    )
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
  return promtoolCheckRules(paths, mode, {
    what: paths.join(", "),
    subject: paths[0] ?? "",
    source: { file: paths[0] ?? "", line: 1 },
  });
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
  const byPath = new Map(files.map((f) => [f.file, f]));
  // What promtool says of a file that did not read as YAML, its rules/file diagnostic has said.
  const rules = judged.rules.filter((problem) => byPath.has(problem.file));
  const place = (problem: PromtoolProblem): Place => {
    const { file, ruleFile } = byPath.get(problem.file)!;
    const item = ruleFile.ruleItems.get(problem.group)?.[problem.rule - 1];
    // promtool prints 0:0 where it has no position.
    const line = problem.line ? problem.line : (item?.line ?? 1);
    return {
      subject: item?.subject ?? `rule ${problem.rule} "${problem.name}" of group ${problem.group}`,
      source: { file, line },
    };
  };
  const whole = (file: string | undefined): Place | undefined => {
    const at = file === undefined ? files[0]?.file : byPath.has(file) ? file : undefined;
    return at === undefined ? undefined : { subject: at, source: { file: at, line: 1 } };
  };
  return diagnosticsOf({ ...judged, rules }, place, whole, ours, promtoolFix);
}

/** promtool check rules over one expression, as the only rule of a temporary file. */
export async function promtoolOnExpression(
  expr: string,
  mode: ToolsMode,
  ours: Diagnostic[],
  notes: (note: string) => void,
): Promise<Diagnostic[]> {
  if (mode === "off") return [];
  const source = { file: "--expr", line: 1 };
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-expr-"));
  try {
    const file = path.join(dir, "expression.yaml");
    writeFileSync(
      file,
      stringify(
        { groups: [{ name: "expression", rules: [{ record: "o11y:expression:check", expr }] }] },
        { lineWidth: 0 },
      ),
    );
    const judged = await promtoolCheckRules([file], mode, { what: "--expr", subject: "expression", source });
    if ("verdict" in judged) return verdictOf(judged, notes);
    const expression: Place = { subject: "expression", source };
    return diagnosticsOf(
      judged,
      () => expression,
      () => expression,
      ours,
      expressionFix,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
