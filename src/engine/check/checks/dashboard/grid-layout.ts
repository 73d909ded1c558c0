import type { DashboardCheck, Finding } from "../../check.ts";
import { panelSubject } from "../../check.ts";
import type { PanelModel } from "../../../model.ts";

const columns = 24;

function overlaps(a: PanelModel["gridPos"], b: PanelModel["gridPos"]): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Panels must sit inside Grafana's 24 columns and not cover each other, or Grafana reflows them unpredictably.
 * The panels of a collapsed row are a layout of their own: they share y with the panels after the row, which
 * Grafana pushes down when the row opens.
 */
export const gridLayout: DashboardCheck = {
  id: "dashboard/grid-layout",
  kind: "correctness",
  severity: "error",
  summary: "A panel outside the 24-column grid, or overlapping another.",
  scope: "dashboard",
  check(dashboard) {
    const findings: Finding[] = [];
    const all = [...dashboard.rows, ...dashboard.panels].sort(
      (a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x,
    );
    for (const [index, panel] of all.entries()) {
      const { x, y, w, h } = panel.gridPos;
      if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > columns) {
        findings.push({
          subject: panelSubject(dashboard, panel),
          source: panel.source,
          message: `grid position x=${x} w=${w} y=${y} h=${h} does not fit the ${columns}-column grid`,
          fix: `keep x + width within ${columns} and width and height positive.`,
        });
      }
      for (let j = index + 1; j < all.length; j++) {
        const other = all[j]!;
        if (panel.foldedInto !== other.foldedInto || !overlaps(panel.gridPos, other.gridPos)) continue;
        findings.push({
          subject: panelSubject(dashboard, other),
          source: other.source,
          message: `panel overlaps panel ${panel.id} "${panel.title}"`,
          fix: "let the kit lay panels out (no explicit gridPos), or move one of them.",
        });
      }
    }
    return findings;
  },
};
