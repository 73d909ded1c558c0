/**
 * A small project of our own (a shop: requests, a queue, latency), written as plain data so that the
 * fuzzer can change any field, and built into definitions through the real define helpers, as content
 * code does. `validSpec()` compiles without an error; the properties start from it.
 *
 * The spec is deliberately typed loosely (`unknown` leaves): a mutation puts a number where a string
 * belongs, and the builder passes it on, as a JavaScript author (or a cast) could.
 */
import {
  alert,
  above,
  atLeast,
  below,
  recordingRule,
  ruleGroup,
  type AlertDefinition,
  type RecordingRuleDefinition,
} from "../../src/engine/define/alerting.ts";
import { counter, gauge, histogram, type MetricDefinition } from "../../src/engine/define/catalog.ts";
import {
  dashboard,
  heatmap,
  linkTogether,
  query,
  row,
  stat,
  table,
  timeseries,
} from "../../src/engine/define/dashboard-kit.ts";
import type { ProjectDefinition } from "../../src/engine/define/project.ts";
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { tableEnd, tableStart } from "../../src/engine/runbook.ts";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Loose = any;

export const sel = 'job=~"$job", instance=~"$instance"';

export interface ProjectSpec {
  settings: Loose;
  metrics: Loose[];
  recordingRules: Loose[];
  alerts: Loose[];
  dashboards: Loose[];
  severities: Loose[];
  runbook: Loose;
  /** Names of the one alert group and the one recording-rule group; they name files of build/. */
  groups: { alerts: Loose; recording: Loose };
}

const app = 'job="shop", instance="shop-1:4000"';

/** The valid starting point; a fresh copy each call, since mutations write into it. */
export function validSpec(): ProjectSpec {
  return {
    settings: {
      scrapeInterval: "15s",
      evaluationInterval: "30s",
      datasource: { name: "Prometheus", uid: "shop-prometheus", url: "http://localhost:9090" },
      grafana: {
        baseUrl: "http://localhost:3000",
        folder: "Shop",
        dashboardsPath: "/var/lib/grafana/dashboards/shop",
      },
      runbookUrl: "https://example.com/shop/RUNBOOK.md",
      scrapeTargets: { shop: ["shop-1:4000"] },
      alertmanagers: ["alertmanager:9093"],
    },
    metrics: [
      {
        kind: "gauge",
        name: "up",
        help: "1 when the scrape succeeded.",
        unit: "bool",
        labels: {},
        origin: { kind: "prometheus", detail: "scrape", status: "exported" },
      },
      {
        kind: "counter",
        name: "shop_requests_total",
        help: "HTTP requests served.",
        unit: "short",
        labels: { method: "HTTP method", status: "HTTP status code" },
        origin: { kind: "telemetry", detail: "[:shop, :request, :stop]", status: "exported" },
      },
      {
        kind: "gauge",
        name: "shop_queue_depth",
        help: "Jobs waiting.",
        unit: "short",
        labels: { queue: "queue name" },
        origin: { kind: "exporter", detail: "queue exporter", status: "exported" },
      },
      {
        kind: "histogram",
        name: "shop_request_duration_seconds",
        help: "Request latency.",
        unit: "s",
        labels: { route: "route" },
        buckets: [0.1, 0.5, 1],
        origin: { kind: "promex", detail: "Phoenix plugin", status: "required" },
      },
    ],
    recordingRules: [
      {
        record: "job:shop_requests:rate5m",
        expr: "sum by (job) (rate(shop_requests_total[5m]))",
        labels: {},
        tests: [
          {
            name: "sums statuses",
            input: [{ series: `shop_requests_total{${app}, method="GET", status="200"}`, values: "0+60x15" }],
            at: "10m",
            expect: [{ labels: { job: "shop" }, value: 1 }],
          },
        ],
      },
      {
        record: "job:shop_requests_5xx:ratio_rate5m",
        expr: 'sum by (job) (rate(shop_requests_total{status=~"5.."}[5m]))\n/\njob:shop_requests:rate5m',
        labels: { team: "shop" },
        tests: [
          {
            name: "is the 5xx share",
            input: [
              { series: `shop_requests_total{${app}, method="GET", status="200"}`, values: "0+57x15" },
              { series: `shop_requests_total{${app}, method="GET", status="500"}`, values: "0+3x15" },
            ],
            at: "10m",
            expect: [{ labels: { job: "shop" }, value: 0.05 }],
          },
        ],
      },
    ],
    alerts: [
      {
        name: "ShopHighErrorRate",
        severity: "critical",
        service: "shop",
        team: "platform",
        threshold: { op: "above", value: 0.05, unit: "ratio" },
        expr: "job:shop_requests_5xx:ratio_rate5m",
        // A ratio of requests: only with enough of them (alerts/traffic-guard).
        guard: {
          expr: "sum by (job) (increase(shop_requests_total[5m]))",
          threshold: { op: "atLeast", value: 100, unit: "count" },
        },
        for: "5m",
        summary: "The shop answers more than 5% of requests with a 5xx error.",
        description: "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} failed.",
        runbook: "High Error Rate",
        dashboard: { dashboard: 0, panel: 101 },
        labels: { tier: "web" },
        tests: [
          {
            name: "52 of every 1000 requests fail",
            input: [
              { series: `shop_requests_total{${app}, method="GET", status="500"}`, values: "0+52x20" },
              { series: `shop_requests_total{${app}, method="GET", status="200"}`, values: "0+948x20" },
            ],
            value: 0.052,
            traffic: 5000,
            expect: [
              { at: "3m", state: "pending", labels: { job: "shop" } },
              {
                at: "8m",
                state: "firing",
                labels: { job: "shop" },
                description: "5.2% of requests to shop failed.",
              },
            ],
          },
          {
            name: "48 of every 1000 requests fail",
            input: [
              { series: `shop_requests_total{${app}, method="GET", status="500"}`, values: "0+48x20" },
              { series: `shop_requests_total{${app}, method="GET", status="200"}`, values: "0+952x20" },
            ],
            value: 0.048,
            traffic: 5000,
            expect: [{ at: "8m", state: "silent" }],
          },
          {
            name: "2 of 20 requests a minute fail: 100 in 5 minutes",
            input: [
              { series: `shop_requests_total{${app}, method="GET", status="500"}`, values: "0+2x20" },
              { series: `shop_requests_total{${app}, method="GET", status="200"}`, values: "0+18x20" },
            ],
            value: 0.1,
            traffic: 100,
            expect: [
              { at: "6m", state: "pending", labels: { job: "shop" } },
              {
                at: "11m",
                state: "firing",
                labels: { job: "shop" },
                description: "10% of requests to shop failed.",
              },
            ],
          },
          {
            name: "10% of 19.8 requests a minute fail: 99 in 5 minutes",
            input: [
              { series: `shop_requests_total{${app}, method="GET", status="500"}`, values: "0+1.98x20" },
              { series: `shop_requests_total{${app}, method="GET", status="200"}`, values: "0+17.82x20" },
            ],
            value: 0.1,
            traffic: 99,
            expect: [{ at: "11m", state: "silent" }],
          },
        ],
      },
    ],
    dashboards: [
      {
        uid: "shop-overview",
        title: "Shop Overview",
        description: "Requests, errors, latency and the queue.",
        tags: ["shop"],
        anchorMetric: "up",
        defaultDatasourceUid: "shop-prometheus",
        defaultJob: "shop",
        rows: [
          {
            id: 100,
            title: "Traffic",
            panels: [
              {
                kind: "timeseries",
                id: 101,
                title: "5xx share",
                description: "Share of requests answered with a 5xx status.",
                unit: "percentunit",
                thresholds: [{ value: 0.05, op: ">" }],
                queries: [
                  {
                    expr: `sum(rate(shop_requests_total{${sel}, status=~"5.."}[$__rate_interval])) / sum(rate(shop_requests_total{${sel}}[$__rate_interval]))`,
                    legend: "5xx",
                  },
                ],
              },
              {
                kind: "stat",
                id: 102,
                title: "Queue",
                description: "Jobs waiting.",
                unit: "short",
                queries: [{ expr: `sum(shop_queue_depth{${sel}})` }],
              },
            ],
          },
          {
            id: 200,
            title: "Latency",
            panels: [
              {
                kind: "heatmap",
                id: 201,
                title: "Latency",
                description: "Request latency distribution.",
                unit: "s",
                queries: [
                  {
                    expr: `sum by (le) (increase(shop_request_duration_seconds_bucket{${sel}}[$__rate_interval]))`,
                    legend: "{{le}}",
                  },
                ],
              },
              {
                kind: "table",
                id: 202,
                title: "Slowest routes",
                description: "p95 by route.",
                unit: "s",
                width: 12,
                queries: [
                  {
                    expr: `histogram_quantile(0.95, sum by (route, le) (rate(shop_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    severities: ["critical", "high", "medium", "low"].map((severity, index) => ({
      severity,
      responseTime: ["Immediate", "< 15 min", "< 1 hour", "< 4 hours"][index],
      notifyWithin: ["1m", "15m", "1h", "4h"][index],
      action: "Look at the dashboard.",
      receiver: `shop-${severity}`,
      channels: [
        { kind: "slack", channel: "#shop", webhookUrlFile: "/etc/alertmanager/secrets/shop/slack-webhook-url" },
      ],
      groupWait: ["10s", "1m", "5m", "15m"][index],
      groupInterval: "5m",
      repeatInterval: "4h",
    })),
    groups: { alerts: "shop-alerts", recording: "shop-recording" },
    runbook: {
      file: "RUNBOOK.md",
      text: [
        "# Shop runbook",
        "",
        "### Alert: High Error Rate",
        "",
        "Look at the 5xx panel.",
        "",
        "## Alerts",
        "",
        tableStart,
        tableEnd,
        "",
      ].join("\n"),
    },
  };
}

const metricMakers = new Map<unknown, (spec: Loose) => MetricDefinition>([
  ["counter", counter],
  ["gauge", gauge],
  ["histogram", histogram],
]);
const thresholdMakers = new Map<unknown, (value: Loose, unit: Loose) => Loose>([
  ["above", above],
  ["below", below],
  ["atLeast", atLeast],
]);
const panelMakers = new Map<unknown, (spec: Loose) => Loose>([
  ["timeseries", timeseries],
  ["stat", stat],
  ["heatmap", heatmap],
  ["table", table],
]);

/** A dashboard that an alert links to but the project does not list, as when one is left out of its index. */
const unlisted = () =>
  dashboard({
    uid: "unlisted",
    title: "Unlisted",
    description: "Not in the project.",
    tags: [],
    anchorMetric: "up",
    defaultDatasourceUid: "shop-prometheus",
    defaultJob: "shop",
  });

/** A field of a spec; a mutation may have made the container itself something else, so every read is guarded. */
const list = (value: Loose): Loose[] => (Array.isArray(value) ? value : []);

/**
 * The definitions of `spec`, made by the define helpers exactly as content code makes them. Only the
 * spec's shape decides which helper is called; the values, whatever they are, go to the helper as they are.
 */
export function buildProject(spec: ProjectSpec): ProjectDefinition {
  const metrics = list(spec.metrics).map((m) => (metricMakers.get(m?.kind) ?? gauge)(m));
  const rules: RecordingRuleDefinition[] = list(spec.recordingRules).map((r) => recordingRule(r));
  const dashboards: DashboardBuilder[] = list(spec.dashboards).map((d) => {
    const builder = dashboard(d);
    for (const r of list(d?.rows)) {
      builder.withRow(row(r?.id, r?.title));
      for (const p of list(r?.panels)) {
        const queries = list(p?.queries).map((q) => query(q?.expr, q?.legend));
        builder.withPanel((panelMakers.get(p?.kind) ?? timeseries)({ ...p, queries }));
      }
    }
    return builder;
  });
  linkTogether(dashboards, spec.settings?.runbookUrl);
  const alerts: AlertDefinition[] = list(spec.alerts).map((a) => {
    const t = a?.threshold;
    const threshold = (thresholdMakers.get(t?.op) ?? above)(t?.value, t?.unit);
    const target = a?.dashboard;
    const g = a?.guard?.threshold;
    const trafficGuard = g ? (thresholdMakers.get(g?.op) ?? above)(g?.value, g?.unit) : undefined;
    const { guard: _guard, ...rest } = a ?? {};
    const guardText =
      trafficGuard && typeof a?.guard?.expr === "string"
        ? `\nand on (job)\n${a.guard.expr} ${trafficGuard}`
        : "";
    return alert({
      ...rest,
      threshold,
      ...(trafficGuard ? { trafficGuard } : {}),
      // As content writes it, `${signal} ${thresholds.x}`; an expression that is not text goes to alert() as it is.
      expr: typeof a?.expr === "string" ? `${a.expr} ${threshold}${guardText}` : a?.expr,
      dashboard: {
        dashboard:
          typeof target?.dashboard === "number"
            ? (dashboards[target.dashboard] ?? unlisted())
            : target?.dashboard,
        panel: target?.panel,
      },
    });
  });
  return {
    settings: spec.settings,
    metrics,
    dashboards,
    alertGroups: [ruleGroup(spec.groups?.alerts, alerts)],
    recordingRuleGroups: [ruleGroup(spec.groups?.recording, rules)],
    severities: spec.severities,
    runbook: spec.runbook,
  };
}
