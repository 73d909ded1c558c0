import { counter, histogram } from "../engine/define/catalog.ts";

const routeLabels = {
  method: "HTTP method, e.g. GET or POST.",
  path: "Phoenix route pattern, e.g. /api/graphql (not the raw URL, so cardinality stays bounded).",
  status: "HTTP status code, e.g. 200, 404, 503.",
};

export const httpRequests = counter({
  name: "phoenix_http_request_total",
  help: "HTTP requests completed by the Phoenix endpoint.",
  unit: "reqps",
  labels: routeLabels,
  origin: {
    kind: "telemetry",
    detail: "[:phoenix, :endpoint, :stop] event, exported as a counter",
    status: "exported",
  },
  notes:
    'The runbook\'s error-rate example `rate(phoenix_http_request_total{status=~"5.."}[5m])` is an absolute rate; ' +
    "the alert and the dashboard use the ratio of 5xx to all requests, which does not grow with traffic.",
});

export const httpRequestDuration = histogram({
  name: "phoenix_http_request_duration_seconds",
  help: "Time from request start to response sent, per route.",
  unit: "s",
  labels: routeLabels,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  origin: {
    kind: "telemetry",
    detail: "[:phoenix, :endpoint, :stop] duration, exported as a histogram",
    status: "exported",
  },
  notes:
    "The runbook's `histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)` computes a quantile over " +
    "bucket counts accumulated since the process started, mixed across every route and instance. A quantile needs " +
    "the per-second rate of each bucket, summed with `le` kept: " +
    "`histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket[$__rate_interval])))`.",
});
