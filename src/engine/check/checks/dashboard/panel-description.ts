import type { DashboardCheck } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/** On-call reads a panel's description (the ⓘ tooltip) to learn what it shows and what is normal. */
export const panelDescription: DashboardCheck = {
  id: "dashboard/panel-description",
  kind: "house",
  severity: "error",
  summary: "A panel without a title or a description.",
  scope: "dashboard",
  check(dashboard) {
    return dashboard.panels.flatMap((panel) => {
      const missing = [!panel.title.trim() && "title", !panel.description?.trim() && "description"].filter(
        Boolean,
      );
      if (missing.length === 0) return [];
      return [
        {
          subject: panelSubject(dashboard, panel),
          source: panel.source,
          message: `the panel has no ${missing.join(" and no ")}`,
          fix: "say what the panel shows and how to read it, in a sentence, with `description:`.",
        },
      ];
    });
  },
};
