/**
 * The outputs a project builds besides the files a self-hosted Prometheus, Alertmanager and Grafana load: each one
 * a folder of build/, rendered from the same model. An output is on when its key is in `settings.outputs`.
 */
import { object, oneOf, optional, text, textRecord, type Rule, type Shape } from "./validate.ts";

/** Who evaluates the rules a Kubernetes cluster is given: the operator's Prometheus, or Thanos Ruler. */
export const kubernetesRulers = ["prometheus", "thanos"] as const;
/** How dashboards reach Grafana on Kubernetes: ConfigMaps for the chart's sidecar, or grafana-operator's resources. */
export const kubernetesDashboardKinds = ["configmap", "grafana-operator"] as const;
/** What Thanos Ruler does when a store answers with part of the data (its group field `partial_response_strategy`). */
export const partialResponseStrategies = ["abort", "warn"] as const;

export interface KubernetesOutput {
  /** The namespace of every resource. */
  namespace: string;
  /** Labels on every resource: kube-prometheus-stack's Prometheus selects PrometheusRules labelled `release: <release>`. */
  labels: Record<string, string>;
  /** Who evaluates the PrometheusRules, and the version it runs (decides which rule features it accepts). */
  ruler: (typeof kubernetesRulers)[number];
  rulerVersion: string;
  /** Thanos Ruler only: written on every group. */
  partialResponseStrategy?: (typeof partialResponseStrategies)[number];
  dashboards: (typeof kubernetesDashboardKinds)[number];
  /** Grafana's chart sidecar: the labels it selects ConfigMaps by, and the annotation it reads the folder from. */
  sidecar: { dashboardLabel: string; datasourceLabel: string; folderAnnotation: string };
  /** grafana-operator: the Grafana instances (by their labels) that take the dashboards. */
  grafanaOperator: { instanceLabels: Record<string, string> };
  /** The Secret the Prometheus Operator reads Alertmanager's configuration from (key `alertmanager.yaml`). */
  alertmanagerSecret: string;
}

export interface MimirOutput {
  /** The ruler namespace of the rule file (`mimirtool rules load/sync/diff`). */
  namespace: string;
}

export interface VictoriaMetricsOutput {
  /** The vmalert version that evaluates the rules (Debian bookworm ships 1.79). */
  vmalertVersion: string;
}

export interface OutputSettings {
  kubernetes?: KubernetesOutput;
  mimir?: MimirOutput;
  victoriaMetrics?: VictoriaMetricsOutput;
}

/** The folder of build/ each output writes; no other output writes there. */
export const outputFolders = {
  kubernetes: "kubernetes",
  mimir: "mimir",
  victoriaMetrics: "victoriametrics",
} as const satisfies Record<keyof OutputSettings, string>;

const version =
  (what: string, example: string): Rule<string> =>
  (value, at, problems) => {
    const read = text(`${what}: "${example}", a version as text.`, example)(value, at, problems);
    if (/^\d+\.\d+(?:\.\d+)?$/.test(read)) return read;
    problems.wrong(at, value, 'a version such as "2.53.0"', `${what}: "${example}".`);
    return example;
  };

const kubernetesShape: Shape<KubernetesOutput> = {
  namespace: text('outputs.kubernetes.namespace: "monitoring", as text.', "monitoring"),
  labels: textRecord('outputs.kubernetes.labels: { release: "kube-prometheus-stack" }, text values.'),
  ruler: oneOf(kubernetesRulers, 'outputs.kubernetes.ruler: "prometheus" or "thanos".'),
  rulerVersion: version("outputs.kubernetes.rulerVersion", "3.0.0"),
  partialResponseStrategy: optional(
    oneOf(partialResponseStrategies, 'outputs.kubernetes.partialResponseStrategy: "abort" or "warn".'),
  ),
  dashboards: oneOf(
    kubernetesDashboardKinds,
    'outputs.kubernetes.dashboards: "configmap" (Grafana\'s sidecar) or "grafana-operator".',
  ),
  sidecar: object<KubernetesOutput["sidecar"]>(
    {
      dashboardLabel: text('sidecar.dashboardLabel: "grafana_dashboard", as text.', "grafana_dashboard"),
      datasourceLabel: text('sidecar.datasourceLabel: "grafana_datasource", as text.', "grafana_datasource"),
      folderAnnotation: text('sidecar.folderAnnotation: "grafana_folder", as text.', "grafana_folder"),
    },
    "{ dashboardLabel, datasourceLabel, folderAnnotation }",
  ),
  grafanaOperator: object<KubernetesOutput["grafanaOperator"]>(
    { instanceLabels: textRecord('grafanaOperator.instanceLabels: { dashboards: "grafana" }, text values.') },
    "{ instanceLabels }",
  ),
  alertmanagerSecret: text(
    'outputs.kubernetes.alertmanagerSecret: "alertmanager-main", as text.',
    "alertmanager-main",
  ),
};

export const outputsShape: Rule<OutputSettings | undefined> = optional(
  object<OutputSettings>(
    {
      kubernetes: optional(object(kubernetesShape, "{ namespace, labels, ruler, dashboards, ... }")),
      mimir: optional(
        object<MimirOutput>(
          { namespace: text('outputs.mimir.namespace: "my-service", as text.', "placeholder") },
          "{ namespace }",
        ),
      ),
      victoriaMetrics: optional(
        object<VictoriaMetricsOutput>(
          { vmalertVersion: version("outputs.victoriaMetrics.vmalertVersion", "1.79.5") },
          "{ vmalertVersion }",
        ),
      ),
    },
    "{ kubernetes?, mimir?, victoriaMetrics? }",
  ),
);

// Kubernetes' own rules for names and labels (k8s.io/apimachinery/pkg/util/validation), which every resource of
// the Kubernetes output must follow; schemas/kubernetes-object-meta.schema.json says the same.
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `key` is not a label or annotation key Kubernetes accepts (a qualified name), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix)))
    return `its prefix ${JSON.stringify(prefix)} is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253)`;
  if (name.length === 0 || name.length > 63 || !labelName.test(name))
    return `its name ${JSON.stringify(name)} is not 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  return undefined;
}

/** Why `value` is not a label value Kubernetes accepts, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63) return `it is ${value.length} characters long, more than 63`;
  if (!labelName.test(value))
    return "a label value is letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  return undefined;
}

/** Every setting of the Kubernetes output that no resource could carry: its path in src/config.ts, and why. */
export function kubernetesSettingProblems(output: KubernetesOutput): Array<{ at: string; why: string }> {
  const problems: Array<{ at: string; why: string }> = [];
  const at = (field: string) => `outputs.kubernetes.${field}`;
  if (output.namespace.length > 63 || !dnsLabel.test(output.namespace))
    problems.push({
      at: at("namespace"),
      why: `${JSON.stringify(output.namespace)} is not a namespace: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    });
  if (output.alertmanagerSecret.length > 253 || !dnsSubdomain.test(output.alertmanagerSecret))
    problems.push({
      at: at("alertmanagerSecret"),
      why: `${JSON.stringify(output.alertmanagerSecret)} is not a resource name: at most 253 lowercase letters, digits, '-' and '.'`,
    });
  const labels = (field: string, record: Record<string, string>) => {
    for (const [key, value] of Object.entries(record)) {
      const keyWhy = labelKeyProblem(key);
      if (keyWhy)
        problems.push({ at: at(`${field}[${JSON.stringify(key)}]`), why: `not a label key: ${keyWhy}` });
      const valueWhy = labelValueProblem(value);
      if (valueWhy)
        problems.push({
          at: at(`${field}[${JSON.stringify(key)}]`),
          why: `${JSON.stringify(value)} is not a label value a ConfigMap or any resource can hold: ${valueWhy}`,
        });
    }
  };
  labels("labels", output.labels);
  labels("grafanaOperator.instanceLabels", output.grafanaOperator.instanceLabels);
  for (const field of ["dashboardLabel", "datasourceLabel", "folderAnnotation"] as const) {
    const why = labelKeyProblem(output.sidecar[field]);
    if (why) problems.push({ at: at(`sidecar.${field}`), why: `not a label or annotation key: ${why}` });
  }
  return problems;
}
