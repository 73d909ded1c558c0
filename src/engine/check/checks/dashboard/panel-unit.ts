import type { DashboardCheck } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/** A panel without a unit shows bare numbers: is 0.3 seconds, a ratio, or requests per second? */
export const panelUnit: DashboardCheck = {
  id: "dashboard/panel-unit",
  kind: "house",
  severity: "error",
  summary: "A panel without a unit.",
  scope: "dashboard",
  check(dashboard) {
    return dashboard.panels
      .filter((panel) => !panel.unit)
      .map((panel) => ({
        subject: panelSubject(dashboard, panel),
        source: panel.source,
        message: "the panel has no unit, so its values are shown as bare numbers",
        fix: 'set `unit:` to a Grafana unit id, e.g. "s", "bytes", "percentunit", "reqps" or "short" for plain counts.',
      }));
  },
};
