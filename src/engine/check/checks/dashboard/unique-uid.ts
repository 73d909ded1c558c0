import { formatLocation } from "../../../source.ts";
import type { ModelCheck } from "../../check.ts";

/** Two dashboards with one uid: Grafana keeps one of them and links point at the wrong one. */
export const uniqueUid: ModelCheck = {
  id: "dashboard/unique-uid",
  kind: "correctness",
  severity: "error",
  summary: "Two dashboards share a uid.",
  scope: "model",
  check(model) {
    const seen = new Map<string, (typeof model.dashboards)[number]>();
    return model.dashboards.flatMap((dashboard) => {
      const first = seen.get(dashboard.uid);
      if (!first) {
        seen.set(dashboard.uid, dashboard);
        return [];
      }
      return [
        {
          subject: `dashboard ${dashboard.uid} "${dashboard.title}"`,
          source: dashboard.source,
          message: `uid "${dashboard.uid}" is already used by "${first.title}" (${formatLocation(first.source)})`,
          fix: "give each dashboard its own uid; links and alerts address dashboards by uid.",
        },
      ];
    });
  },
};
