/**
 * Random and mutated definitions through `compile()`: whatever an author writes, no exception escapes,
 * every problem is a diagnostic that points at a file and line, and a build either emits a complete set of
 * valid artifacts or nothing at all.
 *
 * Cases start from a small valid project of our own (project-spec.ts) and change up to four of its fields
 * (a wrong type, NaN, a hostile string, a field deleted, an element duplicated, a part moved elsewhere).
 */
import fc from "fast-check";
import { loadedProject } from "../../src/engine/define/project.ts";
import { formatDiagnostic, type Diagnostic } from "../../src/engine/diagnostics.ts";
import { compile, type CompileResult } from "../../src/engine/pipeline.ts";
import { validateArtifacts } from "../../src/engine/validate/schemas.ts";
import { mutate, mutation, retextMutation, type Mutation } from "./arbitraries.ts";
import { buildProject, validSpec, type ProjectSpec } from "./project-spec.ts";

/** The runbook's file name stays as it is: compile reads that file when the runbook has no text. */
export const keepRunbookFile = (path: Array<string | number>) => path[0] === "runbook" && path[1] === "file";

/** Any change: wrong types included. The counterexample is the list of mutations; the spec is rebuilt from it. */
export const definitionMutations = fc.array(mutation(), { maxLength: 4 });

/** Well-typed definitions with hostile values: strings, numbers, lists of any length. */
export const wellTypedMutations = fc.array(retextMutation, { maxLength: 6 });

export function mutatedSpec(list: Mutation[]): { spec: ProjectSpec; changes: string[] } {
  const spec = validSpec();
  const changes = mutate(spec, list, keepRunbookFile);
  return { spec, changes };
}

/** What is wrong with a diagnostic as the CLI would print it, if anything. */
export function diagnosticProblem(d: Diagnostic): string | undefined {
  if (typeof d.check !== "string" || !/^[a-z]+\/[a-z0-9-]+$/.test(d.check))
    return `check id ${String(d.check)}`;
  if (d.severity !== "error" && d.severity !== "warning") return `severity ${String(d.severity)}`;
  if (typeof d.subject !== "string" || d.subject.trim() === "") return "no subject";
  if (typeof d.message !== "string" || d.message.trim() === "") return "no message";
  const { file, line } = d.source ?? {};
  if (typeof file !== "string" || file === "" || file === "<unknown>")
    return `no source file (${String(file)})`;
  if (!Number.isInteger(line) || line < 1) return `no source line (${String(line)})`;
  return undefined;
}

/** What is wrong with a path under build/, if anything: it must stay inside build/ on every file system. */
export function artifactPathProblem(path: string): string | undefined {
  if (typeof path !== "string" || path === "") return "empty";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute";
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return "a control character or backslash";
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return "an empty, . or .. segment";
  if (segments.some((s) => s !== s.trim() || s.endsWith(".")))
    return "a segment with outer spaces or a trailing dot";
  return undefined;
}

/** The property's verdict on one compile: undefined when it holds, else what broke. */
export function judgeCompile(result: CompileResult): string | undefined {
  for (const d of result.diagnostics) {
    const problem = diagnosticProblem(d);
    if (problem) return `diagnostic without a location or text (${problem}): ${formatDiagnostic(d)}`;
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error" && d.suppressed === undefined);
  if (result.ok !== (errors.length === 0)) return `ok is ${result.ok} with ${errors.length} errors`;
  if (!result.ok)
    return result.artifacts.length === 0 ? undefined : `not ok, yet ${result.artifacts.length} artifacts`;
  if (result.artifacts.length === 0) return "ok, yet no artifacts";
  if (!result.artifacts.some((a) => a.path === "manifest.json")) return "ok, yet no manifest";
  const seen = new Map<string, string>();
  for (const artifact of result.artifacts) {
    const problem = artifactPathProblem(artifact.path);
    if (problem) return `artifact path ${JSON.stringify(artifact.path)}: ${problem}`;
    // Two paths that differ only in case are one file on macOS and Windows checkouts.
    const key = artifact.path.toLowerCase();
    if (seen.has(key))
      return `artifact paths ${JSON.stringify(seen.get(key))} and ${JSON.stringify(artifact.path)} are the same file`;
    seen.set(key, artifact.path);
  }
  const invalid = validateArtifacts(result.artifacts);
  if (invalid.length)
    return `ok, yet an artifact does not validate:\n${invalid.map(formatDiagnostic).join("\n")}`;
  return undefined;
}

/** The first lines of an error's stack: where it was thrown. */
const stackOf = (error: unknown) =>
  error instanceof Error ? (error.stack ?? error.message).split("\n").slice(0, 4).join("\n") : String(error);

export function compileSpec(spec: ProjectSpec): CompileResult {
  let project;
  try {
    project = buildProject(spec);
  } catch (error) {
    throw new Error(
      `a define helper threw instead of leaving the problem to a diagnostic: ${stackOf(error)}`,
    );
  }
  try {
    // As the CLI loads it: a definition with no line of its own (a plain object) is placed at the project module.
    return compile(loadedProject(project, { file: "test/fuzz/project-spec.ts", line: 1 }, []));
  } catch (error) {
    throw new Error(`compile threw: ${stackOf(error)}`);
  }
}

/** One case of the property: throws what broke, with the changes that broke it. */
export function compileCase(list: Mutation[]): void {
  const { spec, changes } = mutatedSpec(list);
  let verdict: string | undefined;
  try {
    verdict = judgeCompile(compileSpec(spec));
  } catch (error) {
    verdict = (error as Error).message;
  }
  if (verdict) throw new Error(`${verdict}\nchanges to the valid project: ${changes.join("; ") || "none"}`);
}
