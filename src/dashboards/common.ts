import { settings } from "../config.ts";
import { dashboard, type DashboardSpec } from "../engine/define/dashboard-kit.ts";
import { markAsHelper } from "../engine/source.ts";

markAsHelper(import.meta.url);

export const projectTag = "global-sovereign";

/** The project's defaults for every dashboard: its datasource and the shared tag. */
export function serviceDashboard(
  spec: Omit<DashboardSpec, "defaultDatasourceUid" | "defaultJob"> & { job?: string },
) {
  return dashboard({
    ...spec,
    tags: [projectTag, ...spec.tags],
    defaultDatasourceUid: settings.datasource.uid,
    defaultJob: spec.job ?? settings.jobs.app,
  });
}
