import { datasourceVariable } from "../../../src/engine/check/checks/dashboard/datasource-variable.ts";
import { row } from "../../../src/engine/define/dashboard-kit.ts";
import type { DashboardModel, Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();

/** The real model with one dashboard edited. */
function edited(uid: string, edit: (d: DashboardModel) => DashboardModel): Model {
  return { ...model, dashboards: model.dashboards.map((d) => (d.uid === uid ? edit(d) : d)) };
}

const noVariable = "the dashboard has no `datasource` variable of type datasource";

const bad: BadModel[] = [
  {
    name: "a dashboard without the datasource variable",
    model: () =>
      edited("gs-phoenix-metrics", (d) => ({
        ...d,
        variables: d.variables.filter((v) => v.name !== "datasource"),
      })),
    subjectContains: "dashboard gs-phoenix-metrics",
    messageIs: noVariable,
  },
  {
    name: "a `datasource` variable that is a query variable",
    model: () =>
      edited("gs-nats-streams", (d) => ({
        ...d,
        variables: d.variables.map((v) => (v.name === "datasource" ? { ...v, type: "query" } : v)),
      })),
    subjectContains: "dashboard gs-nats-streams",
    messageIs: noVariable,
  },
  {
    name: "a panel pinned to the provisioned uid",
    model: () =>
      compileWith([
        testDashboard("pinned").withPanel(
          goodPanel(1).datasource({ type: "prometheus", uid: "gs-prometheus" }),
        ),
      ]).model,
    subjectContains: 'dashboard pinned › panel 1 "Panel 1"',
    messageIs: 'the panel or its queries use datasource "gs-prometheus" instead of "${datasource}"',
  },
  {
    name: "a real panel whose query has no datasource (Grafana's default)",
    model: () =>
      edited("gs-ecto-performance", (d) => ({
        ...d,
        panels: d.panels.map((p, i) =>
          i === 0 ? { ...p, targets: p.targets.map(({ datasource: _datasource, ...t }) => t) } : p,
        ),
      })),
    subjectContains: "dashboard gs-ecto-performance › panel",
    messageIs: 'the panel or its queries use datasource "(default)" instead of "${datasource}"',
  },
];

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => model },
  {
    name: "a dashboard built with the kit",
    model: () => compileWith([testDashboard("kit").withPanel(goodPanel(1)).withPanel(goodPanel(2))]).model,
  },
  // Rows run no query, so they need no datasource.
  {
    name: "rows without a datasource",
    model: () =>
      compileWith([testDashboard("rows").withRow(row(100, "Now")).withPanel(goodPanel(101))]).model,
  },
];

describeModelCheck("dashboard/datasource-variable", datasourceVariable, {
  severity: "error",
  match: "exactly",
  expect: { fix: true },
  bad,
  good,
});
