import { alertGroups } from "./alerts/index.ts";
import { thresholds } from "./alerts/thresholds.ts";
import { routing, severityPolicies } from "./alerts/severities.ts";
import * as catalog from "./catalog/index.ts";
import { settings } from "./config.ts";
import { dashboards } from "./dashboards/index.ts";
import type { MetricDefinition } from "./engine/define/catalog.ts";
import type { ProjectDefinition } from "./engine/define/project.ts";
import { recordingRuleGroups } from "./recording-rules/index.ts";
import { slos } from "./slos/index.ts";

const metrics: MetricDefinition[] = Object.values(catalog).flatMap((group) => Object.values(group));

/** Everything the engine compiles: the one entry point of the content. */
export const project: ProjectDefinition = {
  settings,
  metrics,
  dashboards,
  alertGroups,
  recordingRuleGroups,
  severities: severityPolicies,
  routing,
  slos,
  sloPeriod: settings.sloPeriod,
  runbook: { file: "RUNBOOK.md" },
  thresholds,
};
