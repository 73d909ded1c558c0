import { panelUnit } from "../../../src/engine/check/checks/dashboard/panel-unit.ts";
import { heatmap, query, row, sel, table, timeseries } from "../../../src/engine/define/dashboard-kit.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();
const message = "the panel has no unit, so its values are shown as bare numbers";

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
];

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => model },
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
  expect: { messageIs: message, fix: "Grafana unit id" },
  bad,
  good,
});
