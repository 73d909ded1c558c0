import { prometheus } from "../catalog/index.ts";
import { settings } from "../config.ts";
import { phoenixMetrics } from "../dashboards/phoenix-metrics.ts";
import { alert, inWords, ruleGroup, say } from "../engine/define/alerting.ts";
import { thresholds } from "./thresholds.ts";

// Prometheus retries every scrape interval; five minutes of failures is not a blip.
const failingFor = "5m";

const up = (value: number) => [
  { series: `${prometheus.up}{job="${settings.jobs.app}", instance="app-1:4000"}`, values: `${value}x20` },
];

export const metricsEndpointDown = alert({
  name: "MetricsEndpointDown",
  severity: "low",
  service: "promex",
  team: "platform",
  expr: `${prometheus.up}{job="${settings.jobs.app}"} ${thresholds.metricsEndpointUp}`,
  threshold: thresholds.metricsEndpointUp,
  for: failingFor,
  summary: "Prometheus cannot scrape a Global Sovereign metrics endpoint.",
  description: say`Scrapes of {{ $labels.instance }} ({{ $labels.job }}) have failed for ${inWords(failingFor)}: its dashboards and alerts are blind.`,
  runbook: "Metrics Endpoint Down",
  dashboard: { dashboard: phoenixMetrics, panel: 501 },
  tests: [
    {
      name: "the last scrapes failed",
      input: up(0),
      value: 0,
      expect: [
        { at: "2m", state: "pending", labels: { job: "global-sovereign", instance: "app-1:4000" } },
        {
          at: "7m",
          state: "firing",
          labels: { job: "global-sovereign", instance: "app-1:4000" },
          description: say`Scrapes of app-1:4000 (global-sovereign) have failed for ${inWords(failingFor)}: its dashboards and alerts are blind.`,
        },
      ],
    },
    { name: "scrapes succeed", input: up(1), value: 1, expect: [{ at: "7m", state: "silent" }] },
  ],
});

export const scrapeAlerts = ruleGroup("scrape-alerts", [metricsEndpointDown]);
