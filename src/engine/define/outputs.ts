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
