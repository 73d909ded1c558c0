import { ecto } from "../catalog/index.ts";
import { ectoPerformance } from "../dashboards/ecto-performance.ts";
import { alert, ruleGroup, say } from "../engine/define/alerting.ts";
import { queryTimeP95 } from "../recording-rules/ecto.ts";
import { thresholds } from "./thresholds.ts";

/** Cumulative bucket counts per minute, as the histogram exports them. */
const buckets = (counts: Record<string, number>) =>
  Object.entries(counts).map(([le, perMinute]) => ({
    series: `${ecto.queryDuration.bucket}{job="global-sovereign", instance="app-1:4000", repo="GlobalSovereign.Repo", source="projects_phase4", command="select", le="${le}"}`,
    values: `0+${perMinute}x20`,
  }));

export const ectoQueryLatencyHigh = alert({
  name: "EctoQueryLatencyHigh",
  severity: "high",
  severityReason:
    "The runbook gives none. Slow queries slow every request that touches the database, but the API still answers: " +
    "not a page at once like 5xx errors, yet worth acting on within 15 minutes before the pool saturates.",
  service: "ecto",
  team: "platform",
  expr: `${queryTimeP95} ${thresholds.ectoQueryP95Seconds}`,
  threshold: thresholds.ectoQueryP95Seconds,
  for: "5m",
  summary: say`Database queries are slow: p95 query time is above ${thresholds.ectoQueryP95Seconds}.`,
  description:
    "p95 Ecto query time on {{ $labels.job }} is {{ $value | humanizeDuration }} over the last 5 minutes.",
  runbook: "Database Query Latency > 500ms",
  dashboard: { dashboard: ectoPerformance, panel: 201 },
  tests: [
    {
      name: "p95 lands just above 500 ms",
      // Rank 950 of 1000 lies 5/55 of the way through (0.5, 1]: 0.5 + 0.5 * 5/55.
      input: buckets({ "0.25": 900, "0.5": 945, "1": 1000, "+Inf": 1000 }),
      value: 0.5454545,
      expect: [
        { at: "3m", state: "pending", labels: { job: "global-sovereign" } },
        {
          at: "8m",
          state: "firing",
          labels: { job: "global-sovereign" },
          description: "p95 Ecto query time on global-sovereign is 545.5ms over the last 5 minutes.",
        },
      ],
    },
    {
      name: "p95 lands just below 500 ms",
      // Rank 950 lies 50/60 of the way through (0.25, 0.5]: 0.25 + 0.25 * 50/60.
      input: buckets({ "0.25": 900, "0.5": 960, "1": 1000, "+Inf": 1000 }),
      value: 0.4583333,
      expect: [{ at: "8m", state: "silent" }],
    },
  ],
});

export const ectoAlerts = ruleGroup("ecto-alerts", [ectoQueryLatencyHigh]);
