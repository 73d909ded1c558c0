import { alert, ruleGroup, say } from "../engine/define/alerting.ts";
import { phoenixMetrics } from "../dashboards/phoenix-metrics.ts";
import { serverErrorRatio } from "../recording-rules/phoenix.ts";
import { phoenix } from "../catalog/index.ts";
import { thresholds } from "./thresholds.ts";

const requests = (status: string, perMinute: number) => ({
  series: `${phoenix.httpRequests}{job="global-sovereign", instance="app-1:4000", method="POST", path="/api/graphql", status="${status}"}`,
  values: `0+${perMinute}x20`,
});

export const phoenixHigh5xxErrorRate = alert({
  name: "PhoenixHigh5xxErrorRate",
  severity: "critical",
  service: "phoenix",
  team: "platform",
  expr: `${serverErrorRatio} ${thresholds.phoenix5xxRatio}`,
  threshold: thresholds.phoenix5xxRatio,
  for: "5m",
  summary: say`The API answers more than ${thresholds.phoenix5xxRatio} of requests with a 5xx error.`,
  description:
    "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} failed with a 5xx status over the last 5 minutes.",
  runbook: "High 5xx Error Rate",
  dashboard: { dashboard: phoenixMetrics, panel: 301 },
  tests: [
    {
      name: "52 of every 1000 requests fail",
      input: [requests("500", 52), requests("200", 948)],
      value: 0.052,
      expect: [
        { at: "3m", state: "pending", labels: { job: "global-sovereign" } },
        {
          at: "8m",
          state: "firing",
          labels: { job: "global-sovereign" },
          description:
            "5.2% of requests to global-sovereign failed with a 5xx status over the last 5 minutes.",
        },
      ],
    },
    {
      name: "48 of every 1000 requests fail",
      input: [requests("500", 48), requests("200", 952)],
      value: 0.048,
      expect: [{ at: "8m", state: "silent" }],
    },
  ],
});

export const phoenixAlerts = ruleGroup("phoenix-alerts", [phoenixHigh5xxErrorRate]);
