import { panelDescription } from "../../../src/engine/check/checks/dashboard/panel-description.ts";
import { query, row, sel, stat, timeseries } from "../../../src/engine/define/dashboard-kit.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();
const pending = [query(`sum(jetstream_consumer_num_pending{${sel}})`)];

const bad: BadModel[] = [
  {
    name: "an empty description",
    model: () =>
      compileWith([
        testDashboard("silent").withPanel(
          stat({ id: 1, title: "Pending", description: "", unit: "short", queries: pending }),
        ),
      ]).model,
    subjectContains: 'dashboard silent › panel 1 "Pending"',
    messageIs: "the panel has no description",
  },
  {
    name: "a description of blanks",
    model: () =>
      compileWith([
        testDashboard("blank").withPanel(
          timeseries({ id: 1, title: "Pending", description: "   ", unit: "short", queries: pending }),
        ),
      ]).model,
    subjectContains: 'dashboard blank › panel 1 "Pending"',
    messageIs: "the panel has no description",
  },
  {
    name: "an empty title",
    model: () =>
      compileWith([
        testDashboard("untitled").withPanel(
          stat({ id: 1, title: "", description: "Pending messages.", unit: "short", queries: pending }),
        ),
      ]).model,
    subjectContains: 'dashboard untitled › panel 1 ""',
    messageIs: "the panel has no title",
  },
  {
    name: "a real panel stripped of both",
    model: () => ({
      ...model,
      dashboards: model.dashboards.map((d) => {
        if (d.uid !== "gs-ecto-performance") return d;
        const [first, ...rest] = d.panels;
        const { description: _description, ...bare } = first!;
        return { ...d, panels: [{ ...bare, title: " " }, ...rest] };
      }),
    }),
    subjectContains: "dashboard gs-ecto-performance › panel",
    messageIs: "the panel has no title and no description",
  },
];

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => model },
  // Rows have a title and no description; only panels need the ⓘ text.
  {
    name: "rows without a description",
    model: () =>
      compileWith([testDashboard("rows").withRow(row(100, "Consumers")).withPanel(goodPanel(101))]).model,
  },
  {
    name: "a one-word description",
    model: () =>
      compileWith([
        testDashboard("short").withPanel(
          stat({ id: 1, title: "Pending", description: "Backlog.", unit: "short", queries: pending }),
        ),
      ]).model,
  },
];

describeModelCheck("dashboard/panel-description", panelDescription, {
  severity: "error",
  match: "exactly",
  expect: { fix: "description:" },
  bad,
  good,
});
