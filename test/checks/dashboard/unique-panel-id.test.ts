import { uniquePanelId } from "../../../src/engine/check/checks/dashboard/unique-panel-id.ts";
import { query, row, sel, stat } from "../../../src/engine/define/dashboard-kit.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();
const here = /\(test\/checks\/dashboard\/unique-panel-id\.test\.ts:\d+\)/;

const bad: BadModel[] = [
  {
    name: "two panels with one id",
    model: () =>
      compileWith([
        testDashboard("dup-panel")
          .withPanel(goodPanel(2))
          .withPanel(
            stat({
              id: 2,
              title: "Again",
              description: "Same id.",
              unit: "short",
              queries: [query(`up{${sel}}`)],
            }),
          ),
      ]).model,
    subjectContains: 'dashboard dup-panel › panel 2 "Again"',
    message: new RegExp(`^panel id 2 is already used by "Panel 2" ${here.source}$`),
  },
  {
    name: "a panel that reuses its row's id",
    model: () =>
      compileWith([testDashboard("row-id").withRow(row(100, "Traffic")).withPanel(goodPanel(100))]).model,
    subjectContains: 'dashboard row-id › panel 100 "Panel 100"',
    message: new RegExp(`^panel id 100 is already used by "Traffic" ${here.source}$`),
  },
  {
    name: "a panel with id 0 (missing)",
    model: () => compileWith([testDashboard("zero").withPanel(goodPanel(0))]).model,
    subjectContains: 'dashboard zero › panel 0 "Panel 0"',
    message: "panel id 0 is not a positive integer",
  },
  {
    name: "a real panel renumbered to a negative id",
    model: () => ({
      ...model,
      dashboards: model.dashboards.map((d) =>
        d.uid === "gs-ecto-performance"
          ? { ...d, panels: d.panels.map((p, i) => (i === 0 ? { ...p, id: -1 } : p)) }
          : d,
      ),
    }),
    subjectContains: "dashboard gs-ecto-performance › panel -1",
    message: "panel id -1 is not a positive integer",
  },
];

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => model },
  // Ids are per dashboard: viewPanel=<id> links always name the dashboard too.
  {
    name: "the same ids on two dashboards",
    model: () =>
      compileWith([testDashboard("a").withPanel(goodPanel(1)), testDashboard("b").withPanel(goodPanel(1))])
        .model,
  },
  {
    name: "rows and panels numbered by the convention",
    model: () =>
      compileWith([
        testDashboard("numbered")
          .withRow(row(100, "One"))
          .withPanel(goodPanel(101))
          .withPanel(goodPanel(102))
          .withRow(row(200, "Two"))
          .withPanel(goodPanel(201)),
      ]).model,
  },
];

describeModelCheck("dashboard/unique-panel-id", uniquePanelId, {
  severity: "error",
  match: "exactly",
  expect: { fix: true },
  bad,
  good,
});
