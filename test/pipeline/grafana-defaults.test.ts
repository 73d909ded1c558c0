/**
 * The dashboards carry what this project chose and nothing Grafana ignores or assumes anyway: the Foundation SDK's
 * interval-variable settings on every variable, `repeatDirection` on panels that do not repeat, and fields that
 * restate Grafana's defaults. Each must stay out of every built dashboard: a test per field, so one that comes back
 * (an SDK upgrade, a new helper) fails here by name.
 */
import { describe, expect, it } from "vitest";
import { withoutGrafanaDefaults } from "../../src/engine/compile/grafana-defaults.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { testDashboard, goodPanel } from "../helpers/dashboards.ts";

const { model } = compile(project);
type Json = Record<string, unknown>;

const panels = (list: Json[] = []): Json[] =>
  list.flatMap((p) => [p, ...panels(p.panels as Json[] | undefined)]);
const everything = model.dashboards.map((d) => ({
  uid: d.uid,
  json: d.json,
  links: (d.json.links as Json[]) ?? [],
  variables: ((d.json.templating as Json).list as Json[]) ?? [],
  panels: panels(d.json.panels as Json[]),
}));

/** [where, field, the value it must not have (undefined: any)]. */
const absent: Array<
  [where: "dashboard" | "link" | "variable" | "panel" | "stat" | "table", field: string, value?: unknown]
> = [
  ["variable", "auto"],
  ["variable", "auto_count"],
  ["variable", "auto_min"],
  ["variable", "allowCustomValue", true],
  ["variable", "skipUrlSync", false],
  ["panel", "repeatDirection"],
  ["panel", "transparent", false],
  ["dashboard", "fiscalYearStartMonth", 0],
  ["link", "asDropdown", false],
  ["link", "includeVars", false],
  ["link", "keepTime", false],
  ["link", "targetBlank", false],
  ["link", "placement"],
  ["stat", "options.colorMode", "value"],
  ["stat", "options.justifyMode", "auto"],
  ["stat", "options.orientation", "auto"],
  ["stat", "options.textMode", "auto"],
  ["stat", "options.wideLayout", true],
  ["stat", "options.showPercentChange", false],
  ["stat", "options.percentChangeColorMode", "standard"],
  ["table", "options.cellHeight", "sm"],
  ["table", "options.frameIndex", 0],
  ["table", "options.showHeader", true],
  ["table", "options.showTypeIcons", false],
  ["table", "options.footer"],
  ["table", "fieldConfig.defaults.custom.align", "auto"],
  ["table", "fieldConfig.defaults.custom.inspect", false],
];

const at = (object: Json, path: string): unknown =>
  path.split(".").reduce<unknown>((o, key) => (o as Json | undefined)?.[key], object);

describe("built dashboards carry no field Grafana ignores or assumes", () => {
  it.each(absent)("%s: no %s %j", (where, field, value) => {
    const holders = everything.flatMap((d) => {
      const objects =
        where === "dashboard"
          ? [d.json]
          : where === "link"
            ? d.links
            : where === "variable"
              ? d.variables.filter((v) => v.type !== "interval")
              : d.panels.filter((p) => where === "panel" || p.type === where);
      return objects
        .filter((o) => (where === "panel" ? o.repeat === undefined : true))
        .filter((o) => {
          const found = at(o, field);
          return (
            found !== undefined && (value === undefined || JSON.stringify(found) === JSON.stringify(value))
          );
        })
        .map((o) => `${d.uid} ${String(o.name ?? o.id ?? o.title ?? "")}`);
    });
    expect(holders).toEqual([]);
  });

  it("has something to remove: the SDK writes them", () => {
    const raw = testDashboard("raw").withPanel(goodPanel(1)).build() as unknown as Json;
    const variable = (raw.templating as Json).list as Json[];
    expect(variable[0]).toHaveProperty("auto_count");
    expect((raw.panels as Json[])[0]).toHaveProperty("repeatDirection");
  });

  it("keeps what is meant: an interval variable's auto step, a repeated panel's direction, values that differ", () => {
    const dashboard = withoutGrafanaDefaults({
      templating: { list: [{ type: "interval", name: "step", auto: true, auto_count: 30, auto_min: "10s" }] },
      panels: [
        {
          type: "stat",
          repeat: "instance",
          repeatDirection: "v",
          transparent: true,
          options: { textMode: "value" },
        },
      ],
    });
    expect(dashboard).toEqual({
      templating: { list: [{ type: "interval", name: "step", auto: true, auto_count: 30, auto_min: "10s" }] },
      panels: [
        {
          type: "stat",
          repeat: "instance",
          repeatDirection: "v",
          transparent: true,
          options: { textMode: "value" },
        },
      ],
    });
  });
});
