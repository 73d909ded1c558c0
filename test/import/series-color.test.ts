/**
 * An imported override that draws one series in one fixed color is written as `seriesColor(series, color)`, and only
 * one that seriesColor() gives back exactly, to the order of its keys: anything else stays JSON, so the built
 * dashboard holds the source's overrides as they were, in their order.
 */
import { describe, expect, it } from "vitest";
import { CallCode, type Code } from "../../src/engine/import/code.ts";
import { readDashboard } from "../../src/engine/import/dashboard.ts";
import { dashboardCode, evaluate } from "../../src/engine/import/import-dashboard.ts";
import type { ProjectDefinition } from "../../src/engine/define/project.ts";

const noDebt = () => ({ dashboard: [], variables: new Map(), panels: new Map() });
// Overrides hold no reference to the project's settings: nothing of it is read.
const noProject = {} as ProjectDefinition;

const color = (series: string, fixedColor: string) => ({
  matcher: { id: "byName", options: series },
  properties: [{ id: "color", value: { mode: "fixed", fixedColor } }],
});

/** The `overrides` the import generates for one panel of the given source. */
function overridesCode(panel: Record<string, unknown>): Code[] {
  const text = JSON.stringify({
    uid: "t",
    title: "t",
    schemaVersion: 39,
    panels: [{ id: 1, title: "p", gridPos: { x: 0, y: 0, w: 12, h: 8 }, ...panel }],
  });
  const code = dashboardCode(readDashboard(text, { file: "t.json" }).dashboard, noDebt(), "t.json");
  const spec = (code.args[0] as { panels: CallCode[] }).panels[0]!.args[0] as { overrides?: Code[] };
  return spec.overrides ?? [];
}

const asCall = (code: Code) => (code instanceof CallCode ? [code.callee, ...code.args] : undefined);

describe("seriesColor in imported overrides", () => {
  it.each<{ name: string; override: unknown; call: unknown[] | undefined }>([
    {
      name: "byName, one fixed color",
      override: color("Busy", "#EAB839"),
      call: ["seriesColor", "Busy", "#EAB839"],
    },
    {
      name: "a series name that needs quoting",
      override: color('it\'s "odd" \\ ${x}', "red"),
      call: ["seriesColor", 'it\'s "odd" \\ ${x}', "red"],
    },
    {
      name: "keys in another order",
      override: { properties: color("a", "red").properties, matcher: color("a", "red").matcher },
      call: undefined,
    },
    {
      name: "a second property",
      override: {
        ...color("a", "red"),
        properties: [...color("a", "red").properties, { id: "unit", value: "s" }],
      },
      call: undefined,
    },
    {
      name: "a regexp matcher",
      override: { ...color("a", "red"), matcher: { id: "byRegexp", options: "a.*" } },
      call: undefined,
    },
    {
      name: "a palette rather than a fixed color",
      override: {
        matcher: { id: "byName", options: "a" },
        properties: [{ id: "color", value: { mode: "palette-classic", fixedColor: "red" } }],
      },
      call: undefined,
    },
    {
      name: "a fixed color with a setting more",
      override: {
        matcher: { id: "byName", options: "a" },
        properties: [{ id: "color", value: { mode: "fixed", fixedColor: "red", seriesBy: "last" } }],
      },
      call: undefined,
    },
  ])("$name", ({ override, call }) => {
    const [code] = overridesCode({
      type: "timeseries",
      fieldConfig: { defaults: {}, overrides: [override] },
    });
    expect(asCall(code!)).toEqual(call);
    // Either way, evaluated it is the source's override, key for key.
    expect(JSON.stringify(evaluate(code!, noProject))).toBe(JSON.stringify(override));
  });

  it("keeps the order of a graph's series colors among its other overrides", () => {
    const overrides = [
      { matcher: { id: "byName", options: "x" }, properties: [{ id: "unit", value: "s" }] },
      color("y", "blue"),
    ];
    const code = overridesCode({
      type: "graph",
      aliasColors: { Busy: "#EAB839", Idle: "#052B51" },
      fieldConfig: { defaults: {}, overrides },
    });
    expect(code.map((c) => asCall(c)?.[1] ?? "json")).toEqual(["json", "y", "Busy", "Idle"]);
    expect(JSON.stringify(code.map((c) => evaluate(c, noProject)))).toBe(
      JSON.stringify([...overrides, color("Busy", "#EAB839"), color("Idle", "#052B51")]),
    );
  });
});
