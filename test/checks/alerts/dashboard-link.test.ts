import { expect, it } from "vitest";
import { alertDashboardLink } from "../../../src/engine/check/checks/alerts/dashboard-link.ts";
import type { AlertModel, Model, PanelModel } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const phoenix = base.alerts.find((a) => a.name === "PhoenixHigh5xxErrorRate")!;
const subject = "alert PhoenixHigh5xxErrorRate";

const editAlert = (changes: Partial<AlertModel>): Model => ({
  ...base,
  alerts: base.alerts.map((a) => (a === phoenix ? { ...a, ...changes } : a)),
});
const editPanel = (uid: string, id: number, changes: Partial<PanelModel>): Model => ({
  ...base,
  dashboards: base.dashboards.map((d) =>
    d.uid === uid ? { ...d, panels: d.panels.map((p) => (p.id === id ? { ...p, ...changes } : p)) } : d,
  ),
});
const toPanel = (panel: number) =>
  compile(projectWith([variantAlert({ dashboard: { ...variantAlert({}).dashboard, panel } })])).model;

const bad: BadModel[] = [
  {
    name: "a panel that does not draw the threshold",
    model: () => toPanel(201),
    message: 'panel 201 "Request rate by status" does not draw the threshold 0.05',
  },
  {
    name: "a panel in another unit than the threshold",
    model: () => toPanel(201),
    message: "the threshold is in ratio but panel 201 shows reqps",
  },
  {
    name: "a panel id the dashboard does not have",
    model: () => toPanel(999),
    message: "dashboard gs-phoenix-metrics has no panel 999",
  },
  {
    name: "a row id instead of a panel id",
    model: () => toPanel(300),
    message: "dashboard gs-phoenix-metrics has no panel 300",
  },
  {
    name: "a dashboard this project does not build",
    model: () => editAlert({ dashboard: { uid: "gs-phoenix-legacy", panelId: 301 } }),
    message: "dashboard gs-phoenix-legacy is not built by this project",
  },
  {
    name: "a threshold moved without its panel",
    model: () => editAlert({ threshold: { ...phoenix.threshold, value: 0.06 } }),
    message: 'panel 301 "Error ratio" does not draw the threshold 0.06',
  },
  {
    name: "a ratio drawn on a 0-100 percent panel",
    model: () => editPanel("gs-phoenix-metrics", 301, { unit: "percent" }),
    message: "the threshold is in ratio but panel 301 shows percent",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a panel drawing several lines, the threshold among them",
    model: () => editPanel("gs-phoenix-metrics", 301, { thresholds: [0.01, 0.05] }),
  },
  {
    name: "a count threshold on a `none` panel",
    model: () => editPanel("gs-nats-streams", 201, { unit: "none" }),
  },
  {
    name: "a seconds threshold on the ecto p95 stat panel",
    model: () => ({
      ...base,
      alerts: base.alerts.map((a) =>
        a.name === "EctoQueryLatencyHigh" ? { ...a, dashboard: { ...a.dashboard, panelId: 102 } } : a,
      ),
    }),
  },
];

describeModelCheck(
  "alerts/dashboard-link",
  alertDashboardLink,
  { severity: "error", match: "message", expect: { subject }, bad, good },
  (run) => {
    it("lists the dashboard's panels when the id is wrong", () => {
      const [missing] = run(toPanel(999));
      expect(missing!.fix).toContain('301 "Error ratio"');
    });
  },
);
