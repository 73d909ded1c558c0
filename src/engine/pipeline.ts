/**
 * define -> compile -> check -> render -> validate. One function serves every command (build, check,
 * diff, bench): it touches no file, and returns every problem at once.
 */
import { checkModel } from "./check/run.ts";
import { keptVerdicts } from "./kept-verdicts.ts";
import { compileModel } from "./compile/compile.ts";
import { checkDefinitions, type ProjectDefinition } from "./define/project.ts";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { manifestArtifact } from "./emit/emit.ts";
import type { Model } from "./model.ts";
import type { Artifact } from "./render/artifact.ts";
import { tableEnd, tableStart, withAlertTable } from "./runbook.ts";
import { renderAlertmanager } from "./render/alertmanager.ts";
import { renderGrafana } from "./render/grafana.ts";
import { outputNames, renderOutputs, type OutputName } from "./render/outputs.ts";
import { renderPrometheus } from "./render/prometheus.ts";
import { checkInvariants } from "./validate/invariants.ts";
import { checkOutputInvariants, documentOf } from "./validate/output-invariants.ts";
import { kubernetesSizeProblems } from "./check/checks/targets/kubernetes-resource.ts";
import { validateArtifacts } from "./validate/schemas.ts";

export interface CompileResult {
  model: Model;
  /** The runbook with its generated alert table, written beside build/ when it changed. */
  runbook: { file: string; content: string };
  /** Every file of build/, manifest included; empty when any error was found. */
  artifacts: Artifact[];
  diagnostics: Diagnostic[];
  ok: boolean;
}

export interface CompileOptions {
  /**
   * Called, before the checks run, with the files rendered from the model alone that the gate's tools read:
   * Prometheus's, Alertmanager's and the VictoriaMetrics output's, so that promtool, amtool and vmalert can judge them
   * while the rest is checked and rendered. They are the very objects compile returns, when it returns the build.
   */
  rulesRendered?(artifacts: Artifact[]): void;
  /**
   * Judge the files as if every check's error were suppressed: the schemas' findings on a definition that a check
   * rejected, and the invariants despite such errors. For `o11y import`, whose checks' errors become suppressions:
   * what the build would still refuse must show now.
   */
  checkErrorsSuppressed?: boolean;
  /**
   * Run the expression checks on this dashboard's queries only (by uid; every other check runs whole), and keep no
   * verdict: for `o11y import`, which reads only what is said of the dashboard it imports (an expression check says
   * nothing of other sites), so the project's other queries and rules are parsed for the other checks' facts only.
   */
  expressionsOfDashboard?: string;
}

/** The outputs whose files a tool judges (vmalert the VictoriaMetrics rule files): rendered with Prometheus's, first. */
const ruleOutputs = new Set<OutputName>(["victoriaMetrics"]);

export function compile(project: ProjectDefinition, options: CompileOptions = {}): CompileResult {
  // A definition with a problem of its own is compiled with placeholders; what the checks say about it would be noise.
  const definitions = checkDefinitions(project);
  const model = compileModel(definitions.project);
  // Rendering reads the model only, never what the checks say: the rule files come first, for the tools.
  const prometheus = [...renderPrometheus(model), renderAlertmanager(model)];
  const ruleOutputFiles = renderOutputs(model, prometheus, (name) => ruleOutputs.has(name));
  options.rulesRendered?.([...prometheus, ...ruleOutputFiles.flatMap((o) => o.artifacts)]);
  const diagnostics = [
    ...definitions.diagnostics,
    ...(options.expressionsOfDashboard === undefined
      ? keptVerdicts(model, checkModel)
      : checkModel(
          model,
          undefined,
          undefined,
          (site) => site.dashboard?.uid === options.expressionsOfDashboard,
        )
    ).filter((d) => !definitions.covers(d)),
  ];
  const base = [...renderGrafana(model), ...prometheus];
  // Kubernetes, Mimir, VictoriaMetrics (settings.outputs): each in its folder, from the same model and files.
  const outputs = [...renderOutputs(model, base, (name) => !ruleOutputs.has(name)), ...ruleOutputFiles].sort(
    (a, b) => outputNames.indexOf(a.output) - outputNames.indexOf(b.output),
  );
  const rendered = [...base, ...outputs.flatMap((o) => o.artifacts)];
  // A definition a check already rejected would fail its schema too; report it once, by the check that says why.
  const rejected = new Set(
    options.checkErrorsSuppressed
      ? []
      : diagnostics.filter((d) => d.severity === "error" && d.suppressed === undefined).map((d) => d.subject),
  );
  const fileProblems = [
    ...validateArtifacts(rendered).filter((d) => !rejected.has(d.subject) && !definitions.covers(d)),
    ...kubernetesSizeProblems(rendered, documentOf),
  ];
  diagnostics.push(...fileProblems);
  // The files must hold the model exactly; after an error the cause is already reported, and this only repeats it.
  if (!hasErrors(options.checkErrorsSuppressed ? [...definitions.diagnostics, ...fileProblems] : diagnostics))
    diagnostics.push(...checkInvariants(model, rendered), ...checkOutputInvariants(model, rendered));
  const runbook = withAlertTable(model);
  if (runbook === undefined) {
    diagnostics.push({
      check: "alerts/runbook",
      severity: "error",
      subject: `runbook ${model.runbook.file}`,
      source: { file: model.runbook.file, line: 1 },
      message: "the alert quick-reference markers are missing",
      fix: `put the lines\n${tableStart}\n${tableEnd}\nwhere the generated alert table belongs.`,
    });
  }
  const sorted = sortDiagnostics(diagnostics);
  const ok = !hasErrors(sorted);
  return {
    model,
    runbook: { file: model.runbook.file, content: runbook ?? model.runbook.text },
    artifacts: ok ? [...rendered, manifestArtifact(rendered)] : [],
    diagnostics: sorted,
    ok,
  };
}
