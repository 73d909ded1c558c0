import { grafanaVersion } from "../../../src/engine/check/checks/dashboard/grafana-version.ts";
import type { DashboardModel, Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();

/** The real model held to another minimum Grafana version. */
const minimum = (version: string | undefined) => (): Model => ({
  ...base,
  settings: { ...base.settings, grafana: { ...base.settings.grafana, minimumVersion: version } },
});

/** The real model with one dashboard changed. */
const dashboard = (uid: string, edit: (d: DashboardModel) => DashboardModel) => (): Model => ({
  ...base,
  dashboards: base.dashboards.map((d) => (d.uid === uid ? edit(d) : d)),
});

const bad: BadModel[] = [
  {
    name: "a minimum older than the schemaVersion the SDK writes",
    model: minimum("12.1.0"),
    subject: "dashboard gs-phoenix-metrics",
    message:
      "schemaVersion 42 needs Grafana 12.2.0 or later, but grafana.minimumVersion in src/config.ts is 12.1.0",
    fix: "raise grafana.minimumVersion to 12.2.0",
  },
  {
    name: "a minimum older than the new heatmap",
    model: minimum("9.0.0"),
    subject: 'dashboard gs-ecto-performance › panel 202 "Query time heatmap"',
    message:
      'panel type "heatmap" needs Grafana 9.1.0 or later, but grafana.minimumVersion in src/config.ts is 9.0.0',
  },
  {
    name: "a panel type o11y has no release for",
    model: dashboard("gs-nats-streams", (d) => ({
      ...d,
      panels: d.panels.map((p, i) => (i === 0 ? { ...p, type: "grafana-worldmap-panel" } : p)),
    })),
    subject: `dashboard gs-nats-streams › panel ${base.dashboards.find((d) => d.uid === "gs-nats-streams")!.panels[0]!.id} "${base.dashboards.find((d) => d.uid === "gs-nats-streams")!.panels[0]!.title}"`,
    message: 'o11y does not know since which Grafana release the panel type "grafana-worldmap-panel" exists',
  },
  {
    name: "a schemaVersion o11y has no release for",
    model: dashboard("gs-beam-health", (d) => ({ ...d, json: { ...d.json, schemaVersion: 43 } })),
    subject: "dashboard gs-beam-health",
    message: "o11y does not know which Grafana release reads schemaVersion 43",
  },
  {
    name: "a minimum that is not a version",
    model: minimum("twelve"),
    subject: "dashboard gs-beam-health",
    message: 'grafana.minimumVersion in src/config.ts is "twelve", which is not a version',
  },
];

const good: GoodModel[] = [
  { name: "the real project (grafana.minimumVersion 12.2.0)", model: () => base },
  { name: "a later minimum", model: minimum("13.0.1") },
  { name: "a minimum written major.minor", model: minimum("12.2") },
  { name: "no minimum set: nothing to hold the dashboards to", model: minimum(undefined) },
];

describeModelCheck("dashboard/grafana-version", grafanaVersion, {
  severity: "error",
  match: "message and subject",
  bad,
  good,
});
