import { expect, it } from "vitest";
import { rateWindow } from "../../../src/engine/check/checks/promql/rate-window.ts";
import { checkContext } from "../../../src/engine/check/run.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import {
  describeExpressionCheck,
  realModel,
  type BadExpression,
  type GoodExpression,
} from "../../helpers/checks.ts";

const model = realModel();
/** The project scrapes every 15s, so rules need windows of at least 1m; this context scrapes every 30s. */
const ctx30s = checkContext({ ...model, settings: { ...model.settings, scrapeInterval: "30s" } });

const bad: BadExpression[] = [
  {
    name: "the runbook's rate(vm_total_reductions[1m]) in a dashboard",
    expr: "rate(vm_total_reductions[1m])",
    kind: "dashboard-query",
    message: "rate() over [1m] in a dashboard: a fixed window is too short when zoomed out",
    fix: "[$__rate_interval]",
    position: { line: 1, column: 26 },
  },
  {
    name: "a fixed 5m window in a dashboard",
    expr: `sum(rate(phoenix_http_request_total{${sel}}[5m]))`,
    kind: "dashboard-query",
    message: "rate() over [5m] in a dashboard",
    fix: "[$__rate_interval]",
    position: { line: 1, column: 73 },
  },
  {
    name: "$__interval instead of $__rate_interval",
    expr: `sum(increase(phoenix_http_request_total{${sel}}[$__interval]))`,
    kind: "dashboard-query",
    // A variable, not a fixed window: the message must not call it one.
    message:
      "increase() over [$__interval] in a dashboard: a window the variable sets, not one Grafana sizes to the zoom level and keeps above four scrapes",
    fix: "[$__rate_interval]",
    position: { line: 1, column: 77 },
  },
  {
    name: "a delta() in a dashboard over fewer than four scrapes",
    expr: `delta(global_sovereign_covenant_projects_total{${sel}}[30s])`,
    kind: "dashboard-query",
    message: "delta() over [30s] spans fewer than 4 scrapes of 15s",
    fix: "at least 1m",
    position: { line: 1, column: 84 },
  },
  {
    name: "a rule rate over three scrapes",
    expr: "rate(vm_total_reductions[45s])",
    kind: "expression",
    message: "rate() over [45s] spans fewer than 4 scrapes of 15s, so one missed scrape leaves it empty",
    fix: "use a window of at least 1m.",
    position: { line: 1, column: 26 },
  },
  {
    name: "a short deriv() on the second line of a rule",
    expr: "vm_memory_total_bytes\n  + deriv(vm_memory_total_bytes[30s]) * 3600",
    kind: "expression",
    message: "deriv() over [30s] spans fewer than 4 scrapes of 15s",
    fix: "at least 1m",
    position: { line: 2, column: 33 },
  },
  {
    name: "the runbook's 1m window when the scrape interval is 30s",
    expr: "rate(vm_total_reductions[1m])",
    kind: "expression",
    context: ctx30s,
    message: "rate() over [1m] spans fewer than 4 scrapes of 30s",
    fix: "use a window of at least 2m.",
    position: { line: 1, column: 26 },
  },
];

const good: GoodExpression[] = [
  // No range at all: rate-window has nothing to say (the quantile is still wrong: promql/histogram-quantile's business).
  {
    name: "the runbook's bare histogram_quantile in a dashboard",
    expr: "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)",
    kind: "dashboard-query",
  },
  // 1m is exactly four scrapes of 15s: the minimum, accepted in rules.
  {
    name: "the runbook's rate(vm_total_reductions[1m]) in a rule",
    expr: "rate(vm_total_reductions[1m])",
    kind: "expression",
  },
  {
    // dashboard/undefined-variable names the misspelling; it is no window, fixed or otherwise.
    name: "a misspelt $__rate_intervall (left to dashboard/undefined-variable)",
    expr: `sum(rate(phoenix_http_request_total{${sel}}[$__rate_intervall]))`,
    kind: "dashboard-query",
  },
  {
    name: "$__rate_interval in a dashboard",
    expr: `sum(rate(vm_total_reductions{${sel}}[$__rate_interval]))`,
    kind: "dashboard-query",
  },
  {
    name: "a quantile over bucket rates with $__rate_interval",
    expr: `histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
    kind: "dashboard-query",
  },
  // delta() over a fixed hour is a deliberate window (net change in the last hour), not a rate.
  {
    name: "delta() over a fixed hour in a dashboard",
    expr: `delta(global_sovereign_covenant_projects_total{${sel}}[1h])`,
    kind: "dashboard-query",
  },
  {
    name: "the runbook's slow-query bucket (no range)",
    expr: 'ecto_query_duration_seconds_bucket{le="0.5"}',
    kind: "expression",
  },
  {
    name: "a range over a function that is not rate-like",
    expr: "max_over_time(jetstream_consumer_num_pending[30s])",
    kind: "expression",
  },
  {
    name: "a 5m rule window",
    expr: 'sum(rate(phoenix_http_request_total{status=~"5.."}[5m])) / sum(rate(phoenix_http_request_total[5m]))',
    kind: "expression",
  },
];

describeExpressionCheck(
  "promql/rate-window",
  rateWindow,
  {
    severity: "error",
    dashboard: "gs-beam-health",
    bad,
    good,
    realProject: "accepts every expression of the real project",
  },
  (run) => {
    it("flags a short window that carries an offset", () => {
      const found = run("rate(vm_total_reductions[30s] offset 5m)", "expression");
      expect(found.map((d) => [d.check, d.position])).toEqual([
        ["promql/rate-window", { line: 1, column: 26 }],
      ]);
      expect(found[0]!.message).toContain("rate() over [30s] spans fewer than 4 scrapes of 15s");
    });

    it("accepts the braces spelling ${__rate_interval}", () => {
      expect(run(`sum(rate(vm_total_reductions{${sel}}[\${__rate_interval}]))`, "dashboard-query")).toEqual(
        [],
      );
    });
  },
);
