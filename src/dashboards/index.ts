import { settings } from "../config.ts";
import { linkTogether } from "../engine/define/dashboard-kit.ts";
import { phoenixMetrics } from "./phoenix-metrics.ts";

/** The runbook's five dashboards, in the order the runbook lists them. */
export const dashboards = [phoenixMetrics];

linkTogether(dashboards, settings.runbookUrl);
