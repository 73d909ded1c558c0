import { formatLocation } from "../../../source.ts";
import type { DashboardCheck } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/** Panel ids (rows included) must be unique and positive: `viewPanel=<id>` links and diffs key on them. */
export const uniquePanelId: DashboardCheck = {
  id: "dashboard/unique-panel-id",
  kind: "correctness",
  severity: "error",
  summary: "A panel id that is missing or used twice in one dashboard.",
  scope: "dashboard",
  check(dashboard) {
    const seen = new Map<number, (typeof dashboard.panels)[number]>();
    return [...dashboard.rows, ...dashboard.panels].flatMap((panel) => {
      if (!Number.isInteger(panel.id) || panel.id <= 0) {
        return [
          {
            subject: panelSubject(dashboard, panel),
            source: panel.source,
            message: `panel id ${panel.id} is not a positive integer`,
            fix: "give the panel a stable positive id with `id:`.",
          },
        ];
      }
      const first = seen.get(panel.id);
      if (!first) {
        seen.set(panel.id, panel);
        return [];
      }
      return [
        {
          subject: panelSubject(dashboard, panel),
          source: panel.source,
          message: `panel id ${panel.id} is already used by "${first.title}" (${formatLocation(first.source)})`,
          fix: "pick an unused id; by convention a row's panels are numbered after the row (row 200, panels 201, 202, ...).",
        },
      ];
    });
  },
};
