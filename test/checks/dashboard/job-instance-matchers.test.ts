import { expect, it } from "vitest";
import { jobInstanceMatchers } from "../../../src/engine/check/checks/dashboard/job-instance-matchers.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

const both = 'lacks job=~"$job" and instance=~"$instance", so the panel ignores the pickers';

const bad: BadExpression[] = [
  {
    name: "the runbook's bare histogram_quantile",
    expr: "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)",
    message: `selector phoenix_http_request_duration_seconds_bucket ${both}`,
    position: { line: 1, column: 26 },
  },
  {
    name: "the runbook's slow-query bucket",
    expr: 'ecto_query_duration_seconds_bucket{le="0.5"}',
    message: `selector ecto_query_duration_seconds_bucket{le="0.5"} ${both}`,
    position: { line: 1, column: 1 },
  },
  {
    name: "a hard-coded job with = instead of the picker",
    expr: 'max(jetstream_consumer_num_pending{job="nats"})',
    message: `selector jetstream_consumer_num_pending{job="nats"} ${both}`,
    position: { line: 1, column: 5 },
  },
  {
    name: "the job picker without the instance picker",
    expr: 'sum(rate(phoenix_http_request_total{job=~"$job"}[$__rate_interval]))',
    message: 'lacks instance=~"$instance", so the panel ignores the pickers',
    position: { line: 1, column: 10 },
  },
  {
    name: "the second selector of a ratio, on its third line",
    expr: `sum(rate(phoenix_http_request_total{${sel}, status=~"5.."}[$__rate_interval]))\n/\nsum(rate(phoenix_http_request_total[$__rate_interval]))`,
    message: `selector phoenix_http_request_total ${both}`,
    position: { line: 3, column: 10 },
  },
];

const good: GoodExpression[] = [
  {
    name: "the kit's sel in a rate",
    expr: `sum(rate(phoenix_http_request_total{${sel}, status=~"5.."}[$__rate_interval]))`,
    kind: "dashboard-query",
  },
  {
    name: "the pickers in another order, with more matchers",
    expr: 'max by (stream_name, consumer_name) (jetstream_consumer_num_pending{is_consumer_leader="true", instance=~"$instance", job=~"$job"})',
    kind: "dashboard-query",
  },
  {
    name: "the slow-query bucket with the pickers",
    expr: `ecto_query_duration_seconds_bucket{${sel}, le="0.5"}`,
    kind: "dashboard-query",
  },
  // Alerts and rules have no pickers.
  {
    name: "the runbook's quantile in an alert expression",
    expr: "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)",
    kind: "expression",
  },
  // Variable queries come before the pickers they fill.
  {
    name: "a variable query's selector",
    expr: 'jetstream_stream_total_messages{job=~"$job"}',
    kind: "dashboard-variable",
  },
];

// Bad queries are dashboard queries; good ones say their kind.
describeExpressionCheck(
  "dashboard/job-instance-matchers",
  jobInstanceMatchers,
  {
    severity: "error",
    kind: "dashboard-query",
    dashboard: "gs-nats-streams",
    fix: "${sel}",
    bad,
    good,
    realProject: "accepts every query of the real dashboards",
  },
  (run) => {
    it("accepts the braces spelling ${job} and ${instance}", () => {
      expect(run('sum(up{job=~"${job}", instance=~"${instance}"})', "dashboard-query")).toEqual([]);
    });
  },
);
