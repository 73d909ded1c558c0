import { panelUnit } from "../../../src/engine/check/checks/dashboard/panel-unit.ts";
import { heatmap, query, row, sel, table, timeseries } from "../../../src/engine/define/dashboard-kit.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();
const message = "the panel has no unit, so its values are shown as bare numbers";

/** A dashboard with one timeseries in `unit`. */
const inUnit = (unit: string) => () =>
  compileWith([
    testDashboard("unit").withPanel(
      timeseries({
        id: 1,
        title: "Latency",
        description: "p95 request duration.",
        unit,
        queries: [
          query(
            `histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          ),
        ],
      }),
    ),
  ]).model;
const unknown = (unit: string) =>
  `unit "${unit}" is not a Grafana unit id, so Grafana shows the number unscaled with "${unit}" after it`;

/** The real model with the first panel of one dashboard stripped of its unit. */
function withoutUnit(uid: string): Model {
  return {
    ...model,
    dashboards: model.dashboards.map((d) => {
      if (d.uid !== uid) return d;
      const [first, ...rest] = d.panels;
      const { unit: _unit, ...bare } = first!;
      return { ...d, panels: [bare, ...rest] };
    }),
  };
}

const bad: BadModel[] = [
  {
    name: "a timeseries with an empty unit",
    model: () =>
      compileWith([
        testDashboard("no-unit").withPanel(
          timeseries({
            id: 1,
            title: "Request rate",
            description: "Requests per second.",
            unit: "",
            queries: [query(`sum(rate(phoenix_http_request_total{${sel}}[$__rate_interval]))`)],
          }),
        ),
      ]).model,
    subjectContains: 'dashboard no-unit › panel 1 "Request rate"',
  },
  {
    name: "a heatmap with an empty unit",
    model: () =>
      compileWith([
        testDashboard("no-unit-heatmap").withPanel(
          heatmap({
            id: 1,
            title: "Query latency",
            description: "Ecto query duration buckets.",
            unit: "",
            queries: [
              query(
                `sum by (le) (increase(ecto_query_duration_seconds_bucket{${sel}}[$__rate_interval]))`,
                "{{le}}",
              ),
            ],
          }),
        ),
      ]).model,
    subjectContains: 'dashboard no-unit-heatmap › panel 1 "Query latency"',
  },
  {
    name: "a real panel whose unit was removed",
    model: () => withoutUnit("gs-nats-streams"),
    subjectContains: "dashboard gs-nats-streams › panel 101",
  },
  // Grafana's value formatter falls back to printing the id after the number: no scaling, no error.
  {
    name: "a unit spelt out (seconds)",
    model: inUnit("seconds"),
    messageIs: unknown("seconds"),
    fix: 'did you mean "s"?',
  },
  {
    name: "a unit with a typo (perecntunit)",
    model: inUnit("perecntunit"),
    messageIs: unknown("perecntunit"),
    fix: 'did you mean "percentunit"?',
  },
  {
    name: "a ratio called a ratio",
    model: inUnit("ratio"),
    messageIs: unknown("ratio"),
    fix: 'did you mean "percentunit"?',
  },
  {
    name: "a unit in the wrong case (Bytes)",
    model: inUnit("Bytes"),
    messageIs: unknown("Bytes"),
    fix: 'did you mean "bytes"?',
  },
  {
    name: "a custom unit without Grafana's prefix",
    model: inUnit("unknown:msg"),
    messageIs: unknown("unknown:msg"),
    fix: '"suffix:..."',
  },
  {
    name: "nothing like any unit",
    model: inUnit("zzzzzzzzzzzz"),
    messageIs: unknown("zzzzzzzzzzzz"),
    fix: "Grafana's unit picker",
  },
];

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => model },
  ...[
    "s",
    "ms",
    "µs",
    "bytes",
    "decbytes",
    "Bps",
    "binBps",
    "percentunit",
    "reqps",
    "mps",
    "bool",
    "bool_yes_no",
    "currencyUSD",
    "dtdurations",
  ].map((unit) => ({ name: `Grafana's unit ${unit}`, model: inUnit(unit) })),
  // Grafana's custom units: its value formatter reads the prefix.
  ...["suffix:msg", "prefix:$", "si:B", "count:jobs", "currency:CHF", "bool:up/down", "time:YYYY-MM-DD"].map(
    (unit) => ({ name: `the custom unit ${unit}`, model: inUnit(unit) }),
  ),
  // An id Grafana renamed, which its formatter still maps.
  { name: "Grafana's old id farenheit", model: inUnit("farenheit") },
  // Rows are containers, not panels: they carry no unit and are not asked for one.
  {
    name: "rows without a unit",
    model: () =>
      compileWith([testDashboard("rows").withRow(row(100, "Now")).withPanel(goodPanel(101))]).model,
  },
  {
    name: "a table with a unit",
    model: () =>
      compileWith([
        testDashboard("table").withPanel(
          table({
            id: 1,
            title: "Pending",
            description: "Pending messages per consumer.",
            unit: "short",
            queries: [query(`max by (consumer_name) (jetstream_consumer_num_pending{${sel}})`)],
          }),
        ),
      ]).model,
  },
];

describeModelCheck("dashboard/panel-unit", panelUnit, {
  severity: "error",
  match: "exactly",
  expect: { messageIs: message, fix: "Grafana unit" },
  bad,
  good,
});
