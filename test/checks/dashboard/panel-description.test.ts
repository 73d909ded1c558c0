import { describe, expect, it } from "vitest";
import { panelDescription } from "../../../src/engine/check/checks/dashboard/panel-description.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import { query, row, sel, stat, timeseries } from "../../../src/engine/define/dashboard-kit.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = compile(project).model;
const pending = [query(`sum(jetstream_consumer_num_pending{${sel}})`)];

const bad: Array<{ name: string; model: () => Model; subject: string; message: string }> = [
  {
    name: "an empty description",
    model: () => compileWith([testDashboard("silent").withPanel(stat({ id: 1, title: "Pending", description: "", unit: "short", queries: pending }))]).model,
    subject: 'dashboard silent › panel 1 "Pending"',
    message: "the panel has no description",
  },
  {
    name: "a description of blanks",
    model: () => compileWith([testDashboard("blank").withPanel(timeseries({ id: 1, title: "Pending", description: "   ", unit: "short", queries: pending }))]).model,
    subject: 'dashboard blank › panel 1 "Pending"',
    message: "the panel has no description",
  },
  {
    name: "an empty title",
    model: () => compileWith([testDashboard("untitled").withPanel(stat({ id: 1, title: "", description: "Pending messages.", unit: "short", queries: pending }))]).model,
    subject: 'dashboard untitled › panel 1 ""',
    message: "the panel has no title",
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
    subject: "dashboard gs-ecto-performance › panel",
    message: "the panel has no title and no description",
  },
];

const good: Array<{ name: string; model: () => Model }> = [
  { name: "the real dashboards", model: () => model },
  // Rows have a title and no description; only panels need the ⓘ text.
  { name: "rows without a description", model: () => compileWith([testDashboard("rows").withRow(row(100, "Consumers")).withPanel(goodPanel(101))]).model },
  { name: "a one-word description", model: () => compileWith([testDashboard("short").withPanel(stat({ id: 1, title: "Pending", description: "Backlog.", unit: "short", queries: pending }))]).model },
];

describe("dashboard/panel-description", () => {
  it.each(bad)("flags $name", ({ model: variant, subject, message }) => {
    const found = checkModel(variant(), [panelDescription]);
    expect(found).toHaveLength(1);
    const [d] = found;
    expect(d!.check).toBe("dashboard/panel-description");
    expect(d!.severity).toBe("error");
    expect(d!.subject).toContain(subject);
    expect(d!.message).toBe(message);
    expect(d!.fix).toContain("description:");
  });

  it.each(good)("accepts $name", ({ model: variant }) => {
    expect(checkModel(variant(), [panelDescription])).toEqual([]);
  });
});
