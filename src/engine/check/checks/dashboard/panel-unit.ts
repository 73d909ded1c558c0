import { customUnitPrefixes, suggestedUnit, unitCategory } from "../../../grafana/units.ts";
import type { DashboardCheck, Finding } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/**
 * A panel without a unit shows bare numbers: is 0.3 seconds, a ratio, or requests per second? And a unit Grafana
 * does not know is no better: Grafana prints the number with the id stuck after it, unscaled.
 */
export const panelUnit: DashboardCheck = {
  id: "dashboard/panel-unit",
  kind: "house",
  severity: "error",
  summary: "A panel without a unit, or with one Grafana does not know.",
  scope: "dashboard",
  check(dashboard) {
    return dashboard.panels.flatMap((panel): Finding[] => {
      const subject = panelSubject(dashboard, panel);
      if (!panel.unit)
        return [
          {
            subject,
            source: panel.source,
            message: "the panel has no unit, so its values are shown as bare numbers",
            fix: 'set `unit:` to a Grafana unit id, e.g. "s", "bytes", "percentunit", "reqps" or "short" for plain counts.',
          },
        ];
      if (unitCategory(panel.unit) !== undefined) return [];
      const better = suggestedUnit(panel.unit);
      return [
        {
          subject,
          source: panel.source,
          message: `unit "${panel.unit}" is not a Grafana unit id, so Grafana shows the number unscaled with "${panel.unit}" after it`,
          fix: `${better ? `did you mean "${better}"? ` : ""}Use an id from Grafana's unit picker (src/engine/grafana/units.ts lists them), or a custom unit with a prefix: ${customUnitPrefixes.map((p) => `"${p}:..."`).join(", ")}.`,
        },
      ];
    });
  },
};
