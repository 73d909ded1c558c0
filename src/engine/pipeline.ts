/**
 * define -> compile -> check -> render -> validate. One function serves every command (build, check,
 * diff, bench): it touches no file, and returns every problem at once.
 */
import { checkModel } from "./check/run.ts";
import { compileModel } from "./compile/compile.ts";
import type { ProjectDefinition } from "./define/project.ts";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { manifestArtifact } from "./emit/emit.ts";
import type { Model } from "./model.ts";
import type { Artifact } from "./render/artifact.ts";
import { renderGrafana } from "./render/grafana.ts";
import { validateArtifacts } from "./validate/schemas.ts";

export interface CompileResult {
  model: Model;
  /** Every file of build/, manifest included; empty when any error was found. */
  artifacts: Artifact[];
  diagnostics: Diagnostic[];
  ok: boolean;
}

export function compile(project: ProjectDefinition): CompileResult {
  const model = compileModel(project);
  const diagnostics = checkModel(model);
  const rendered = renderGrafana(model);
  diagnostics.push(...validateArtifacts(rendered));
  const sorted = sortDiagnostics(diagnostics);
  const ok = !hasErrors(sorted);
  return { model, artifacts: ok ? [...rendered, manifestArtifact(rendered)] : [], diagnostics: sorted, ok };
}
