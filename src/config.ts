/**
 * Every knob of the deployment in one place: intervals, the datasource, the jobs the selectors assume,
 * and the base URLs that links are built from.
 */

/**
 * Where each part runs: placeholders for one machine, the addresses RUNBOOK.md uses (Grafana on :3000, Prometheus
 * on :9090, the app's /metrics on :4000). Every address the build writes comes from here: set yours once.
 */
export const addresses = {
  /** Prometheus, as Grafana's datasource reaches it. */
  prometheus: "http://localhost:9090",
  /** Alertmanager, as Prometheus reaches it (host:port). */
  alertmanager: "localhost:9093",
  /** Grafana, as people open it: alerts' dashboard links start here. */
  grafana: "http://localhost:3000",
  /** The Phoenix application's PromEx endpoint, as Prometheus scrapes it (host:port). */
  app: "localhost:4000",
  /** prometheus-nats-exporter, as Prometheus scrapes it (host:port). */
  natsExporter: "localhost:7777",
};

export const settings = {
  /** How often Prometheus scrapes. Used for the datasource's `timeInterval` and by the rate-window checks. */
  scrapeInterval: "15s",
  /** How often Prometheus evaluates rule groups. */
  evaluationInterval: "30s",
  datasource: {
    name: "Prometheus",
    /** The uid every dashboard's `datasource` variable defaults to. */
    uid: "gs-prometheus",
    url: addresses.prometheus,
  },
  grafana: {
    baseUrl: addresses.grafana,
    /**
     * The oldest Grafana the dashboards are held to (dashboard/grafana-version): their schemaVersion and panel
     * types must be known to it. The Foundation SDK writes schemaVersion 42, which Grafana 12.2 introduced.
     */
    minimumVersion: "12.2.0",
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
    "global-sovereign": [addresses.app],
    nats: [addresses.natsExporter],
  },
  alertmanagers: [addresses.alertmanager],
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
  /** The period every SLO's error budget is counted over: the SRE workbook's four weeks (or "30d"). */
  sloPeriod: "28d" as "28d" | "30d",
};

export type Settings = typeof settings;
