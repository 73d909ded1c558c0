/**
 * What Kubernetes itself would refuse in the Kubernetes output, said once, at the setting or definition that
 * causes it: a namespace, name, label key or label value the API server rejects (`settings.outputs.kubernetes`),
 * and, after rendering, a resource too large to apply: a dashboard ConfigMap or GrafanaDashboard above what
 * `kubectl apply` (client-side) accepts, 262,144 bytes, or a PrometheusRule above the operator's 0.5 MiB.
 */
import { kubernetesSettingProblems } from "../../../define/outputs.ts";
import type { Diagnostic } from "../../../diagnostics.ts";
import type { Artifact } from "../../../render/artifact.ts";
import { clientSideApplyLimit, kubernetesDir, prometheusRuleLimit } from "../../../render/kubernetes.ts";
import type { ModelCheck } from "../../check.ts";

const settingsSource = { file: "src/config.ts", line: 1 };
const id = "targets/kubernetes-resource";

export const kubernetesResource: ModelCheck = {
  id,
  kind: "correctness",
  scope: "model",
  severity: "error",
  summary:
    "A Kubernetes resource the API server or kubectl apply would refuse: a bad namespace, name, label or annotation key, a label value, or a resource too large.",
  check(model) {
    const output = model.settings.outputs?.kubernetes;
    if (!output) return [];
    return kubernetesSettingProblems(output).map(({ at, why }) => ({
      subject: "project settings",
      source: settingsSource,
      message: `${at}: ${why}`,
      fix: `change ${at} in src/config.ts: every resource of build/kubernetes/ carries it.`,
    }));
  },
};

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * The rendered resources too large to apply, each at its definition. The size that counts for `kubectl apply` is
 * the object's JSON, which client-side apply copies into its last-applied annotation.
 */
export function kubernetesSizeProblems(
  artifacts: Artifact[],
  parsed: (a: Artifact) => unknown,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const artifact of artifacts) {
    if (!artifact.path.startsWith(`${kubernetesDir}/`)) continue;
    const report = (message: string, fix: string) =>
      out.push({
        check: id,
        severity: "error",
        subject: artifact.subject,
        source: artifact.source,
        message,
        fix,
      });
    if (artifact.schema === "kubernetes-prometheusrule" && bytes(artifact.content) > prometheusRuleLimit) {
      report(
        `its PrometheusRule (${artifact.path}) is ${bytes(artifact.content)} bytes, more than the ${prometheusRuleLimit} (0.5 MiB) the Prometheus Operator packs into one ConfigMap`,
        "split the rule group into smaller groups (each ruleGroup(...) is one PrometheusRule).",
      );
      continue;
    }
    if (artifact.schema !== "kubernetes-configmap" && artifact.schema !== "kubernetes-grafanadashboard")
      continue;
    const size = bytes(JSON.stringify(parsed(artifact)));
    if (size <= clientSideApplyLimit) continue;
    const what = artifact.schema === "kubernetes-configmap" ? "ConfigMap" : "GrafanaDashboard (compressed)";
    report(
      `its ${what} (${artifact.path}) is ${size} bytes as JSON, more than the ${clientSideApplyLimit} that kubectl apply (client-side) can keep in its last-applied annotation: the apply would fail`,
      artifact.schema === "kubernetes-configmap"
        ? 'set outputs.kubernetes.dashboards to "grafana-operator" in src/config.ts (a large dashboard is then written compressed, as gzipJson), or apply with kubectl apply --server-side (Argo CD: ServerSideApply=true), or split the dashboard.'
        : "split the dashboard, or apply with kubectl apply --server-side (Argo CD: ServerSideApply=true).",
    );
  }
  return out;
}
