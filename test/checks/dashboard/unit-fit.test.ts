import { unitFit } from "../../../src/engine/check/checks/dashboard/unit-fit.ts";
import { heatmap, query, sel, timeseries } from "../../../src/engine/define/dashboard-kit.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const quantile = `histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`;
const memory = `sum(vm_memory_total_bytes{${sel}})`;
const errorShare = `sum(rate(phoenix_http_request_total{${sel}, status=~"5.."}[$__rate_interval])) / sum(rate(phoenix_http_request_total{${sel}}[$__rate_interval]))`;
const reclaimed = `sum(rate(vm_garbage_collection_reclaimed_bytes_total{${sel}}[$__rate_interval]))`;
const meanDuration = `sum(rate(phoenix_http_request_duration_seconds_sum{${sel}}[$__rate_interval])) / sum(rate(phoenix_http_request_duration_seconds_count{${sel}}[$__rate_interval]))`;
const requests = `sum(rate(phoenix_http_request_total{${sel}}[$__rate_interval]))`;

/** A dashboard with one timeseries drawing `expr` in `unit`. */
const drawn = (expr: string, unit: string) => () =>
  compileWith([
    testDashboard("fit").withPanel(
      timeseries({ id: 1, title: "Signal", description: "What it shows.", unit, queries: [query(expr)] }),
    ),
  ]).model;

const subject = 'dashboard fit › panel 1 "Signal" › query A';

const bad: BadModel[] = [
  {
    name: "a latency quantile (seconds) drawn in bytes",
    model: drawn(quantile, "bytes"),
    message: "the query's values are a duration, but the panel draws them in bytes",
    fix: 'set `unit: "s"`',
  },
  {
    name: "a memory size (bytes) drawn in seconds",
    model: drawn(memory, "s"),
    message: "the query's values are a size, but the panel draws them in s",
    fix: 'set `unit: "bytes"`',
  },
  {
    name: "a share of requests drawn as a plain number",
    model: drawn(errorShare, "short"),
    message: "the query's values are a share, but the panel draws them in short",
    fix: 'set `unit: "percentunit"` (a share of 1 shown as a percentage)',
  },
  {
    name: "a share of 1 drawn in percent (0-100): a 5% share reads 0.05%",
    model: drawn(errorShare, "percent"),
    message: "the query's values are a share, but the panel draws them in percent",
  },
  {
    name: "bytes per second drawn in bytes",
    model: drawn(reclaimed, "bytes"),
    message: "the query's values are a size per second, but the panel draws them in bytes",
    fix: 'set `unit: "Bps"`',
  },
  {
    name: "a mean duration (rate of the sum over rate of the count) drawn in requests per second",
    model: drawn(meanDuration, "reqps"),
    message: "the query's values are a duration, but the panel draws them in reqps",
  },
  {
    name: "a recorded share, followed to its recording rule",
    model: drawn(`max(job:phoenix_http_requests_5xx:ratio_rate5m{job=~"$job"})`, "short"),
    message: "the query's values are a share, but the panel draws them in short",
  },
  {
    name: "a metric outside the catalog, by its name's suffix",
    model: drawn(`max(process_resident_memory_bytes{${sel}})`, "ms"),
    message: "the query's values are a size, but the panel draws them in ms",
  },
].map((c) => ({ ...c, subject }));

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => realModel() },
  { name: "a quantile in seconds", model: drawn(quantile, "s") },
  { name: "a quantile in milliseconds' unit family (dtdurations)", model: drawn(quantile, "dtdurations") },
  { name: "memory in SI bytes", model: drawn(memory, "decbytes") },
  { name: "a share in percentunit", model: drawn(errorShare, "percentunit") },
  { name: "one minus a share, in percentunit", model: drawn(`1 - ${errorShare}`, "percentunit") },
  { name: "a share or zero, in percentunit", model: drawn(`(${errorShare}) or vector(0)`, "percentunit") },
  {
    name: "a share over its budget (a burn rate), as a plain number",
    model: drawn(`(${errorShare}) / 0.01`, "short"),
  },
  { name: "a share times 100, in percent", model: drawn(`(${errorShare}) * 100`, "percent") },
  { name: "bytes per second in binBps", model: drawn(reclaimed, "binBps") },
  { name: "a mean duration in seconds", model: drawn(meanDuration, "s") },
  { name: "requests per second in reqps", model: drawn(requests, "reqps") },
  { name: "a metric nothing says the measure of, in any unit", model: drawn(`sum(up{${sel}})`, "bytes") },
  { name: "a custom unit", model: drawn(memory, "suffix:B") },
  {
    name: "a heatmap of seconds buckets: its unit is the buckets' bound",
    model: () =>
      compileWith([
        testDashboard("fit-heatmap").withPanel(
          heatmap({
            id: 1,
            title: "Latency",
            description: "Buckets.",
            unit: "s",
            queries: [
              query(
                `sum by (le) (increase(phoenix_http_request_duration_seconds_bucket{${sel}}[$__rate_interval]))`,
                "{{le}}",
              ),
            ],
          }),
        ),
      ]).model,
  },
];

describeModelCheck("dashboard/unit-fit", unitFit, { severity: "warning", match: "exactly", bad, good });
