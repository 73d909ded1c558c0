import { alert, ruleGroup, say } from "../engine/define/alerting.ts";
import { phoenixMetrics } from "../dashboards/phoenix-metrics.ts";
import { serverErrorRatio } from "../recording-rules/phoenix.ts";
import { phoenix } from "../catalog/index.ts";
import { thresholds } from "./thresholds.ts";

const requests = (status: string, perMinute: number) => ({
  series: `${phoenix.httpRequests}{job="global-sovereign", instance="app-1:4000", method="POST", path="/api/graphql", status="${status}"}`,
  values: `0+${perMinute}x30`,
});

export const phoenixHigh5xxErrorRate = alert({
  name: "PhoenixHigh5xxErrorRate",
  severity: "critical",
  service: "phoenix",
  team: "platform",
  expr: `${serverErrorRatio} ${thresholds.phoenix5xxRatio}\nand on (job)\nsum by (job) (increase(${phoenix.httpRequests}[5m])) ${thresholds.phoenixMinRequests}`,
  threshold: thresholds.phoenix5xxRatio,
  trafficGuard: thresholds.phoenixMinRequests,
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
      traffic: 5000,
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
      traffic: 5000,
      expect: [{ at: "8m", state: "silent" }],
    },
    {
      name: "2 of 20 requests a minute fail: 100 requests in 5 minutes, just enough traffic",
      input: [requests("500", 2), requests("200", 18)],
      value: 0.1,
      traffic: 100,
      // From 5m on the window holds 100 requests (a counter starting at 0 is not extrapolated below zero).
      expect: [
        { at: "6m", state: "pending", labels: { job: "global-sovereign" } },
        {
          at: "11m",
          state: "firing",
          labels: { job: "global-sovereign" },
          description:
            "10% of requests to global-sovereign failed with a 5xx status over the last 5 minutes.",
        },
      ],
    },
    {
      name: "10% of 19.8 requests a minute fail: 99 requests in 5 minutes, too few to page on",
      input: [requests("500", 1.98), requests("200", 17.82)],
      value: 0.1,
      traffic: 99,
      expect: [{ at: "11m", state: "silent" }],
    },
  ],
});

export const phoenixAlerts = ruleGroup("phoenix-alerts", [phoenixHigh5xxErrorRate]);
