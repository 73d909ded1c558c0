import { phoenix } from "../catalog/index.ts";
import { recordingRule, ruleGroup } from "../engine/define/alerting.ts";

const app = { job: "global-sovereign", instance: "app-1:4000" };
const requests = (status: string, perMinute: number) => ({
  series: `${phoenix.httpRequests}{job="${app.job}", instance="${app.instance}", method="POST", path="/api/graphql", status="${status}"}`,
  values: `0+${perMinute}x15`,
});

export const requestRate = recordingRule({
  record: "job:phoenix_http_requests:rate5m",
  expr: `sum by (job) (rate(${phoenix.httpRequests}[5m]))`,
  tests: [
    {
      name: "sums routes and statuses into requests per second",
      input: [requests("200", 57), requests("500", 3)],
      at: "10m",
      expect: [{ labels: { job: app.job }, value: 1 }],
    },
  ],
});

export const serverErrorRatio = recordingRule({
  record: "job:phoenix_http_requests_5xx:ratio_rate5m",
  // Until a job's first 5xx since restart there is no 5xx series: count that as 0, not as no data.
  expr: `(\n  sum by (job) (rate(${phoenix.httpRequests}{status=~"5.."}[5m]))\n  or\n  0 * ${requestRate}\n)\n/\n${requestRate}`,
  tests: [
    {
      name: "is the 5xx share of all requests",
      input: [requests("200", 57), requests("503", 3)],
      at: "10m",
      expect: [{ labels: { job: app.job }, value: 0.05 }],
    },
    {
      name: "is 0 before the first 5xx",
      input: [requests("200", 60)],
      at: "10m",
      expect: [{ labels: { job: app.job }, value: 0 }],
    },
  ],
});

export const latencyBuckets = recordingRule({
  record: "job:phoenix_http_request_duration_seconds_bucket:rate5m",
  expr: `sum by (job, le) (rate(${phoenix.httpRequestDuration.bucket}[5m]))`,
  tests: [
    {
      name: "keeps le and sums instances",
      input: [
        {
          series: `${phoenix.httpRequestDuration.bucket}{job="${app.job}", instance="a", le="0.5"}`,
          values: "0+30x15",
        },
        {
          series: `${phoenix.httpRequestDuration.bucket}{job="${app.job}", instance="b", le="0.5"}`,
          values: "0+30x15",
        },
      ],
      at: "10m",
      expect: [{ labels: { job: app.job, le: "0.5" }, value: 1 }],
    },
  ],
});

export const latencyP95 = recordingRule({
  record: "job:phoenix_http_request_duration_seconds:p95_rate5m",
  expr: `histogram_quantile(0.95, ${latencyBuckets})`,
  tests: [
    {
      name: "interpolates inside the bucket holding the 95th percentile",
      input: [
        {
          series: `${phoenix.httpRequestDuration.bucket}{job="${app.job}", instance="a", le="0.5"}`,
          values: "0+1080x15",
        },
        {
          series: `${phoenix.httpRequestDuration.bucket}{job="${app.job}", instance="a", le="1"}`,
          values: "0+1200x15",
        },
        {
          series: `${phoenix.httpRequestDuration.bucket}{job="${app.job}", instance="a", le="+Inf"}`,
          values: "0+1200x15",
        },
      ],
      at: "10m",
      // 18 of 20 requests per second finish within 0.5 s; rank 19 lies halfway through (0.5, 1].
      expect: [{ labels: { job: app.job }, value: 0.75 }],
    },
  ],
});

export const phoenixRules = ruleGroup("phoenix-recording", [
  requestRate,
  serverErrorRatio,
  latencyBuckets,
  latencyP95,
]);
