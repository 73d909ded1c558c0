import type { ThresholdUnit } from "../../../define/alerting.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** Grafana units a threshold's unit may be drawn in. */
const panelUnits: Record<ThresholdUnit, string[]> = {
  ratio: ["percentunit"],
  percent: ["percent"],
  seconds: ["s"],
  bytes: ["bytes", "decbytes"],
  count: ["short", "none"],
  bool: ["bool", "short", "none"],
};

/** The dashboard_url must open the panel that shows the signal, and that panel must draw the alert's threshold. */
export const alertDashboardLink: ModelCheck = {
  id: "alerts/dashboard-link",
  kind: "house",
  severity: "error",
  summary:
    "An alert linking to a missing dashboard or panel, or to a panel that does not draw its threshold in the same unit.",
  scope: "model",
  check(model) {
    // The first dashboard of each uid, as a search in order would find it.
    const byUid = new Map<string, (typeof model.dashboards)[number]>();
    for (const dashboard of model.dashboards)
      if (!byUid.has(dashboard.uid)) byUid.set(dashboard.uid, dashboard);
    return model.alerts.flatMap((alert): Finding[] => {
      const subject = `alert ${alert.name}`;
      const source = alert.source;
      if (alert.imported && !alert.dashboard.uid)
        return [
          {
            subject,
            source,
            message: `the alert links to no panel of the project's dashboards${alert.annotations.dashboard_url ? ` (its dashboard_url: ${alert.annotations.dashboard_url})` : ""}`,
            fix: "set `dashboard: { dashboard, panel }` on the alert to the panel that shows its signal and draws its threshold.",
          },
        ];
      const dashboard = byUid.get(alert.dashboard.uid);
      if (!dashboard)
        return [
          {
            subject,
            source,
            message: `dashboard ${alert.dashboard.uid} is not built by this project`,
            fix: "link to one of the dashboards in src/dashboards/index.ts.",
          },
        ];
      const panel = dashboard.panels.find((p) => p.id === alert.dashboard.panelId);
      if (!panel) {
        return [
          {
            subject,
            source,
            message: `dashboard ${dashboard.uid} has no panel ${alert.dashboard.panelId}`,
            fix: `use one of: ${dashboard.panels.map((p) => `${p.id} "${p.title}"`).join(", ")}.`,
          },
        ];
      }
      const findings: Finding[] = [];
      // An imported alert without a threshold has none to draw (alerts/threshold says so).
      if (alert.threshold.placeholder) return findings;
      if (!panel.thresholds.includes(alert.threshold.value)) {
        findings.push({
          subject,
          source,
          message: `panel ${panel.id} "${panel.title}" does not draw the threshold ${alert.threshold.value}`,
          fix: `add \`thresholds: [thresholds.<this alert's>]\` to the panel at ${panel.source.file}:${panel.source.line}.`,
        });
      }
      if (panel.unit && !panelUnits[alert.threshold.unit].includes(panel.unit)) {
        findings.push({
          subject,
          source,
          message: `the threshold is in ${alert.threshold.unit} but panel ${panel.id} shows ${panel.unit}`,
          fix: `give the panel one of: ${panelUnits[alert.threshold.unit].join(", ")}.`,
        });
      }
      return findings;
    });
  },
};
