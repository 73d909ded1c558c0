/**
 * The outputs `settings.outputs` turns on, each rendered into its own folder of build/ from the same model (and
 * the files the Prometheus, Grafana and Alertmanager renderers wrote, which some of them carry).
 */
import { kubernetesSettingProblems, outputFolders, type OutputSettings } from "../define/outputs.ts";
import type { Model } from "../model.ts";
import type { Artifact } from "./artifact.ts";
import { renderKubernetes } from "./kubernetes.ts";
import { renderMimir } from "./mimir.ts";
import { renderVictoriaMetrics } from "./victoriametrics.ts";

export type OutputName = keyof OutputSettings;
export const outputNames = Object.keys(outputFolders) as OutputName[];

/** Folders of build/ that only hold what the model gives the other files: `o11y diff` reads those instead. */
export const derivedFolders: readonly string[] = Object.values(outputFolders);

/** Which output a build path belongs to, if any. */
export function outputOf(path: string): OutputName | undefined {
  return outputNames.find((name) => path.startsWith(`${outputFolders[name]}/`));
}

/** Each enabled output's files (of those `which` names, by default all), by output (in outputNames' order). */
export function renderOutputs(
  model: Model,
  base: Artifact[],
  which: (output: OutputName) => boolean = () => true,
): Array<{ output: OutputName; artifacts: Artifact[] }> {
  const outputs = model.settings.outputs ?? {};
  const rendered: Array<{ output: OutputName; artifacts: Artifact[] }> = [];
  // Settings no resource can carry are the targets/kubernetes-resource check's to report, once: nothing is rendered.
  if (outputs.kubernetes && which("kubernetes") && kubernetesSettingProblems(outputs.kubernetes).length === 0)
    rendered.push({ output: "kubernetes", artifacts: renderKubernetes(model, outputs.kubernetes, base) });
  if (outputs.mimir && which("mimir"))
    rendered.push({ output: "mimir", artifacts: renderMimir(model, outputs.mimir) });
  if (outputs.victoriaMetrics && which("victoriaMetrics"))
    rendered.push({
      output: "victoriaMetrics",
      artifacts: renderVictoriaMetrics(model, outputs.victoriaMetrics),
    });
  return rendered;
}
