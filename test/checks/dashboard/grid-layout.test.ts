import { gridLayout } from "../../../src/engine/check/checks/dashboard/grid-layout.ts";
import { query, row, sel, stat, timeseries } from "../../../src/engine/define/dashboard-kit.ts";
import type { Model, PanelModel } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();
const pending = [query(`sum(jetstream_consumer_num_pending{${sel}})`)];

/** The real model with one panel of one dashboard moved. */
function moved(uid: string, panelId: number, gridPos: PanelModel["gridPos"]): Model {
  return {
    ...model,
    dashboards: model.dashboards.map((d) =>
      d.uid === uid ? { ...d, panels: d.panels.map((p) => (p.id === panelId ? { ...p, gridPos } : p)) } : d,
    ),
  };
}

const bad: BadModel[] = [
  {
    name: "a panel placed over another",
    model: () =>
      compileWith([
        testDashboard("overlap")
          .withPanel(goodPanel(1))
          .withPanel(
            stat({
              id: 2,
              title: "On top",
              description: "Overlaps.",
              unit: "short",
              queries: pending,
            }).gridPos({ x: 2, y: 0, w: 6, h: 4 }),
          ),
      ]).model,
    subjectContains: 'dashboard overlap › panel 2 "On top"',
    message: 'panel overlaps panel 1 "Panel 1"',
  },
  {
    // The kit's `width: 30` is refused by the SDK as it is written; an explicit gridPos is not checked until here.
    name: "a panel wider than the grid",
    model: () =>
      compileWith([
        testDashboard("wide").withPanel(
          timeseries({
            id: 1,
            title: "Wide",
            description: "Too wide.",
            unit: "short",
            queries: pending,
          }).gridPos({ x: 0, y: 0, w: 30, h: 8 }),
        ),
      ]).model,
    subjectContains: 'dashboard wide › panel 1 "Wide"',
    message: "grid position x=0 w=30 y=0 h=8 does not fit the 24-column grid",
  },
  {
    name: "a panel past the right edge",
    model: () =>
      compileWith([
        testDashboard("edge").withPanel(
          stat({
            id: 1,
            title: "Edge",
            description: "Off the edge.",
            unit: "short",
            queries: pending,
          }).gridPos({ x: 20, y: 0, w: 6, h: 4 }),
        ),
      ]).model,
    subjectContains: 'dashboard edge › panel 1 "Edge"',
    message: "grid position x=20 w=6 y=0 h=4 does not fit the 24-column grid",
  },
  {
    name: "two panels of one collapsed row over each other",
    model: () =>
      compileWith([
        testDashboard("folded-overlap").withRow(
          row(100, "Folded")
            .collapsed(true)
            .withPanel(goodPanel(101).gridPos({ x: 0, y: 1, w: 24, h: 8 }))
            .withPanel(goodPanel(102).gridPos({ x: 6, y: 4, w: 6, h: 8 })),
        ),
      ]).model,
    subjectContains: "dashboard folded-overlap › panel 102",
    message: 'panel overlaps panel 101 "Panel 101"',
  },
  {
    name: "a real panel moved onto its row header",
    model: () => moved("gs-phoenix-metrics", 101, { x: 0, y: 0, w: 6, h: 4 }),
    subjectContains: "dashboard gs-phoenix-metrics › panel 101",
    message: "panel overlaps panel 100",
  },
  {
    name: "a real panel with zero height",
    model: () => moved("gs-beam-health", 101, { x: 0, y: 1, w: 6, h: 0 }),
    subjectContains: "dashboard gs-beam-health › panel 101",
    message: "grid position x=0 w=6 y=1 h=0 does not fit the 24-column grid",
  },
];

const good: GoodModel[] = [
  { name: "the real dashboards", model: () => model },
  {
    name: "panels laid out by the kit under rows",
    model: () =>
      compileWith([
        testDashboard("flow")
          .withRow(row(100, "One"))
          .withPanel(goodPanel(101))
          .withPanel(goodPanel(102))
          .withPanel(goodPanel(103))
          .withPanel(goodPanel(104))
          .withPanel(goodPanel(105))
          .withRow(row(200, "Two"))
          .withPanel(
            timeseries({
              id: 201,
              title: "Full width",
              description: "All 24 columns.",
              unit: "short",
              width: 24,
              queries: pending,
            }),
          ),
      ]).model,
  },
  {
    // Grafana keeps a folded row's panels where they sit when it opens (and then pushes what follows down), so
    // they share y with the panels after the row without ever covering them.
    name: "a collapsed row's panels, beside the panels that follow the row",
    model: () =>
      compileWith([
        testDashboard("folded")
          .withRow(
            row(100, "Folded")
              .collapsed(true)
              .withPanel(goodPanel(101).gridPos({ x: 0, y: 1, w: 24, h: 8 }))
              .withPanel(goodPanel(102).gridPos({ x: 0, y: 9, w: 12, h: 8 })),
          )
          .withRow(row(200, "Open"))
          .withPanel(goodPanel(201).gridPos({ x: 0, y: 2, w: 24, h: 8 })),
      ]).model,
  },
  {
    name: "panels that touch edge to edge",
    model: () =>
      compileWith([
        testDashboard("touch")
          .withPanel(
            stat({
              id: 1,
              title: "Left",
              description: "Left half.",
              unit: "short",
              queries: pending,
            }).gridPos({ x: 0, y: 0, w: 12, h: 4 }),
          )
          .withPanel(
            stat({
              id: 2,
              title: "Right",
              description: "Right half.",
              unit: "short",
              queries: pending,
            }).gridPos({ x: 12, y: 0, w: 12, h: 4 }),
          )
          .withPanel(
            stat({
              id: 3,
              title: "Below",
              description: "Next line.",
              unit: "short",
              queries: pending,
            }).gridPos({ x: 0, y: 4, w: 24, h: 4 }),
          ),
      ]).model,
  },
];

describeModelCheck("dashboard/grid-layout", gridLayout, {
  severity: "error",
  match: "exactly",
  expect: { fix: true },
  bad,
  good,
});
