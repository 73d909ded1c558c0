import { phoenix } from "../catalog/index.ts";
import { heatmap, query, row, sel, stat, table, timeseries } from "../engine/define/dashboard-kit.ts";
import { thresholds } from "../alerts/thresholds.ts";
import { prometheus } from "../catalog/index.ts";
import { alertInputPresentRecord } from "../recording-rules/input-names.ts";
import { serviceDashboard } from "./common.ts";

const requests = phoenix.httpRequests;
const duration = phoenix.httpRequestDuration;

/** Per-second rate of the duration buckets, `le` kept, the input every latency quantile needs. */
const bucketRate = (by = "le") => `sum by (${by}) (rate(${duration.bucket}{${sel}}[$__rate_interval]))`;
const quantile = (q: number, by = "le") => `histogram_quantile(${q}, ${bucketRate(by)})`;
/** A status class's share of requests; 0, not "no data", before the first such response since a restart. */
const statusRatio = (statusClass: string) =>
  `(sum(rate(${requests}{${sel}, status=~"${statusClass}.."}[$__rate_interval])) or vector(0))\n/\nsum(rate(${requests}{${sel}}[$__rate_interval]))`;

export const phoenixMetrics = serviceDashboard({
  uid: "gs-phoenix-metrics",
  title: "Phoenix Metrics",
  description: "API performance of the Phoenix endpoint: traffic, latency and errors (RED).",
  tags: ["phoenix", "api"],
  anchorMetric: requests.name,
})
  .withRow(row(100, "Overview"))
  .withPanel(
    stat({
      id: 101,
      title: "Request rate",
      description: "Requests per second completed by the endpoint, all routes.",
      unit: "reqps",
      queries: [query(`sum(rate(${requests}{${sel}}[$__rate_interval]))`, "requests")],
    }),
  )
  .withPanel(
    stat({
      id: 102,
      title: "p95 latency",
      description: "95th percentile of request duration across all routes.",
      unit: "s",
      queries: [query(quantile(0.95), "p95")],
    }),
  )
  .withPanel(
    stat({
      id: 103,
      title: "5xx ratio",
      description: "Share of requests answered with a 5xx status; red from the critical alert's threshold.",
      unit: "percentunit",
      queries: [query(statusRatio("5"), "5xx")],
      thresholds: [thresholds.phoenix5xxRatio],
    }),
  )
  .withPanel(
    stat({
      id: 104,
      title: "4xx ratio",
      description:
        "Share of requests answered with a 4xx status: client errors, rate limiting (429) included.",
      unit: "percentunit",
      queries: [query(statusRatio("4"), "4xx")],
    }),
  )
  .withRow(row(200, "Traffic"))
  .withPanel(
    timeseries({
      id: 201,
      title: "Request rate by status",
      description: "Requests per second, stacked by HTTP status code.",
      unit: "reqps",
      stack: true,
      queries: [query(`sum by (status) (rate(${requests}{${sel}}[$__rate_interval]))`, "{{status}}")],
    }),
  )
  .withPanel(
    timeseries({
      id: 202,
      title: "Request rate by route",
      description: "Requests per second for each route pattern and method.",
      unit: "reqps",
      queries: [
        query(`sum by (method, path) (rate(${requests}{${sel}}[$__rate_interval]))`, "{{method}} {{path}}"),
      ],
    }),
  )
  .withRow(row(300, "Errors"))
  .withPanel(
    timeseries({
      id: 301,
      title: "Error ratio",
      description:
        "Share of requests answered with 4xx and with 5xx statuses. The red line is the PhoenixHigh5xxErrorRate alert's threshold.",
      unit: "percentunit",
      thresholds: [thresholds.phoenix5xxRatio],
      min: 0,
      queries: [query(statusRatio("5"), "5xx"), query(statusRatio("4"), "4xx")],
    }),
  )
  .withPanel(
    timeseries({
      id: 302,
      title: "5xx rate by route",
      description: "Server errors per second for each route, to find the failing endpoint.",
      unit: "reqps",
      queries: [
        query(
          `sum by (method, path) (rate(${requests}{${sel}, status=~"5.."}[$__rate_interval]))`,
          "{{method}} {{path}}",
        ),
      ],
    }),
  )
  .withRow(row(400, "Latency"))
  .withPanel(
    timeseries({
      id: 401,
      title: "Latency p50 / p95 / p99",
      description: "Request duration quantiles across all routes, from the duration histogram.",
      unit: "s",
      queries: [query(quantile(0.5), "p50"), query(quantile(0.95), "p95"), query(quantile(0.99), "p99")],
    }),
  )
  .withPanel(
    heatmap({
      id: 402,
      title: "Latency heatmap",
      description: "Distribution of request durations over time; each cell counts requests in one bucket.",
      unit: "s",
      queries: [query(`sum by (le) (increase(${duration.bucket}{${sel}}[$__rate_interval]))`, "{{le}}")],
    }),
  )
  .withPanel(
    timeseries({
      id: 403,
      title: "p95 latency by route",
      description: "95th percentile request duration for each route pattern.",
      unit: "s",
      queries: [query(quantile(0.95, "le, method, path"), "{{method}} {{path}}")],
    }),
  )
  .withPanel(
    table({
      id: 404,
      title: "Slowest routes",
      description: "The ten routes with the highest mean response time right now.",
      unit: "s",
      queries: [
        query(
          `topk(10, sum by (method, path) (rate(${duration.sum}{${sel}}[$__rate_interval])) / sum by (method, path) (rate(${duration.count}{${sel}}[$__rate_interval])))`,
          "{{method}} {{path}}",
        ),
      ],
    }),
  )
  .withRow(row(500, "Scrape"))
  .withPanel(
    timeseries({
      id: 501,
      title: "Metrics endpoint up",
      description:
        "1 when Prometheus's last scrape of the instance's /metrics succeeded. Below the line for 5 minutes fires MetricsEndpointDown.",
      unit: "bool",
      width: 24,
      queries: [query(`max by (instance) (${prometheus.up}{${sel}})`, "{{instance}}")],
      thresholds: [thresholds.metricsEndpointUp],
    }),
  )
  .withPanel(
    timeseries({
      id: 502,
      title: "Alert inputs exported",
      description:
        "1 while a scrape job exports a metric that alerts read, 0 while it is scraped but exports none of it: the alerts on that metric cannot fire. Below the line for an hour fires AlertInputMetricMissing.",
      unit: "bool",
      width: 24,
      queries: [
        query(
          `${alertInputPresentRecord}{job=~"$job"}\n# o11y-disable dashboard/job-instance-matchers: recorded per job and metric, it has no instance`,
          "{{job}} {{metric}}",
        ),
      ],
      thresholds: [thresholds.alertInputPresent],
    }),
  );
