import { beam } from "../catalog/index.ts";
import { beamHealth } from "../dashboards/beam-health.ts";
import { alert, ruleGroup, say } from "../engine/define/alerting.ts";
import { thresholds } from "./thresholds.ts";

const gauges = (memory: number, limit: number) => [
  { series: `${beam.memoryTotal}{job="global-sovereign", instance="app-1:4000"}`, values: `${memory}x20` },
  { series: `${beam.memoryLimit}{job="global-sovereign", instance="app-1:4000"}`, values: `${limit}x20` },
];

export const beamMemoryHigh = alert({
  name: "BeamMemoryHigh",
  severity: "medium",
  severityReason:
    say`The runbook gives none. ${thresholds.beamMemoryUsageRatio} leaves headroom before the node is killed for memory; ` +
    "a leak grows over hours, so an hour to find it is enough. A node that does die shows up at once as 5xx errors, which page.",
  service: "beam",
  team: "platform",
  expr: `${beam.memoryTotal}{job="global-sovereign"}\n/ on (job, instance)\n${beam.memoryLimit}{job="global-sovereign"}\n${thresholds.beamMemoryUsageRatio}`,
  threshold: thresholds.beamMemoryUsageRatio,
  for: "10m",
  summary: say`A BEAM node uses more than ${thresholds.beamMemoryUsageRatio} of its memory limit.`,
  description: "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory limit.",
  runbook: "BEAM Memory Usage > 80%",
  dashboard: { dashboard: beamHealth, panel: 203 },
  tests: [
    {
      name: "memory at 85% of the limit",
      input: gauges(850_000_000, 1_000_000_000),
      value: 0.85,
      expect: [
        { at: "5m", state: "pending", labels: { job: "global-sovereign", instance: "app-1:4000" } },
        {
          at: "12m",
          state: "firing",
          labels: { job: "global-sovereign", instance: "app-1:4000" },
          description: "app-1:4000 uses 85% of its memory limit.",
        },
      ],
    },
    {
      name: "memory at 75% of the limit",
      input: gauges(750_000_000, 1_000_000_000),
      value: 0.75,
      expect: [{ at: "12m", state: "silent" }],
    },
  ],
});

export const beamAlerts = ruleGroup("beam-alerts", [beamMemoryHigh]);
