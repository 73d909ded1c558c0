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
  /** The period every SLO's error budget is counted over: the SRE workbook's four weeks (or "30d"). */
  sloPeriod: "28d" as "28d" | "30d",
};

export type Settings = typeof settings;
