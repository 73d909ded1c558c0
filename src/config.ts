/**
 * Every knob of the deployment in one place: intervals, the datasource, the jobs the selectors assume,
 * and the base URLs that links are built from.
 */
export const settings = {
  /** How often Prometheus scrapes. Used for the datasource's `timeInterval` and by the rate-window checks. */
  scrapeInterval: "15s",
  /** How often Prometheus evaluates rule groups. */
  evaluationInterval: "30s",
  datasource: {
    name: "Prometheus",
    /** The uid every dashboard's `datasource` variable defaults to. */
    uid: "gs-prometheus",
    url: "http://localhost:9090",
  },
  grafana: {
    baseUrl: "http://localhost:3000",
    /** Folder the provisioned dashboards land in. */
    folder: "Global Sovereign",
    /** Where Grafana's container or host mounts build/grafana/dashboards. */
    dashboardsPath: "/var/lib/grafana/dashboards/global-sovereign",
  },
  /** The runbook that alerts and dashboards link to; anchors are appended. */
  runbookUrl: "https://github.com/global-sovereign/observability/blob/main/RUNBOOK.md",
  /** Scrape jobs, as Prometheus labels them. */
  jobs: {
    /** The Phoenix application's PromEx `/metrics` endpoint. */
    app: "global-sovereign",
    /** prometheus-nats-exporter in front of the NATS JetStream servers. */
    nats: "nats",
  },
  /** What prometheus.yml scrapes; replace the targets with your hosts (or use service discovery). */
  scrapeTargets: {
    "global-sovereign": ["global-sovereign:4000"],
    nats: ["nats-exporter:7777"],
  },
  alertmanagers: ["alertmanager:9093"],
  /**
   * The outputs besides the files above, each in its own folder of build/ (README, "Deploying"). Remove a key to
   * stop building that output.
   */
  outputs: {
    /** build/kubernetes/: PrometheusRules, dashboards, datasource and Alertmanager Secret, for `kubectl apply -k`. */
    kubernetes: {
      namespace: "monitoring",
      /** kube-prometheus-stack's Prometheus selects PrometheusRules labelled with its Helm release's name. */
      labels: { release: "kube-prometheus-stack" },
      /** "prometheus" (the operator's) or "thanos" (Thanos Ruler), and its version: what the rules may use. */
      ruler: "prometheus" as const,
      rulerVersion: "3.0.0",
      /** "configmap" for the Grafana chart's sidecar, or "grafana-operator" for GrafanaDashboard resources. */
      dashboards: "configmap" as const,
      sidecar: {
        dashboardLabel: "grafana_dashboard",
        datasourceLabel: "grafana_datasource",
        /** The chart's `sidecar.dashboards.folderAnnotation`. */
        folderAnnotation: "grafana_folder",
      },
      grafanaOperator: { instanceLabels: { dashboards: "grafana" } },
      /** Set it as the Alertmanager resource's `configSecret`. */
      alertmanagerSecret: "alertmanager-global-sovereign",
    },
    /** build/mimir/: one rule namespace for `mimirtool rules load|sync|diff` (Grafana Mimir, Grafana Cloud). */
    mimir: { namespace: "global-sovereign" },
    /** build/victoriametrics/: vmalert's rule files and vmagent's scrape configuration. */
    victoriaMetrics: { vmalertVersion: "1.79.5" },
  },
};

export type Settings = typeof settings;
