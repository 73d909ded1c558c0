import { settings } from "../config.ts";
import { linkTogether } from "../engine/define/dashboard-kit.ts";
import { beamHealth } from "./beam-health.ts";
import { covenantOverview } from "./covenant-overview.ts";
import { ectoPerformance } from "./ecto-performance.ts";
import { natsStreams } from "./nats-streams.ts";
import { phoenixMetrics } from "./phoenix-metrics.ts";
import { sloOverview } from "../slos/index.ts";

/** The runbook's five dashboards, in the order the runbook lists them. */
export const dashboards = [
  covenantOverview,
  phoenixMetrics,
  ectoPerformance,
  beamHealth,
  natsStreams,
  sloOverview,
];

linkTogether(dashboards, settings.runbookUrl);
