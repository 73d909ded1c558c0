/**
 * The kit's imported-dashboard helpers: a dashboard keeps its layout and options as imported, and the migration
 * debt written at a panel suppresses exactly what it names, with its reason, on the panel and its queries.
 */
import { describe, expect, it } from "vitest";
import {
  debt,
  importedDashboard,
  importedPanel,
  importedVariable,
  type MigrationDebt,
} from "../../src/engine/define/imported-dashboard.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";

function dashboardWith(owed: MigrationDebt[]) {
  return importedDashboard({
    uid: "imported-test",
    title: "Imported test",
    tags: [],
    defaultDatasourceUid: "gs-prometheus",
    variables: [importedVariable({ type: "custom", name: "env", query: "prod,staging" })],
    panels: [
      importedPanel({
        type: "timeseries",
        id: 7,
        title: "Up",
        gridPos: { x: 3, y: 0, w: 9, h: 5 },
        queries: [{ refId: "A", expr: "up", legend: "{{instance}}" }],
        options: { legend: { showLegend: false } },
        extra: { interval: "1m" },
        debt: owed,
      }),
    ],
  });
}

const diagnosticsOf = (owed: MigrationDebt[]) =>
  compile({ ...project, dashboards: [...project.dashboards, dashboardWith(owed)] }).diagnostics.filter(
    // Links come from linkTogether() in src/dashboards/index.ts, where the import registers a dashboard.
    (d) => d.subject.startsWith("dashboard imported-test") && d.check !== "dashboard/links",
  );

describe("importedDashboard()", () => {
  it("keeps the grid position, options and extra fields as imported, and reads the datasource variable", () => {
    const built = dashboardWith([]).build();
    const panel = built.panels![0] as unknown as Record<string, unknown>;
    expect(panel.gridPos).toEqual({ x: 3, y: 0, w: 9, h: 5 });
    expect(panel.options).toEqual({ legend: { showLegend: false } });
    expect(panel.interval).toBe("1m");
    expect(panel.targets).toEqual([
      {
        refId: "A",
        expr: "up",
        legendFormat: "{{instance}}",
        datasource: { type: "prometheus", uid: "${datasource}" },
      },
    ]);
    expect(built.templating!.list!.map((v) => v.name)).toEqual(["datasource", "env"]);
  });

  it("without debt, the house rules it breaks are errors", () => {
    const errors = diagnosticsOf([]).filter((d) => d.severity === "error" && d.suppressed === undefined);
    expect(errors.map((d) => d.check).sort()).toEqual(
      ["dashboard/job-instance-matchers", "dashboard/panel-description", "dashboard/panel-unit"].sort(),
    );
  });

  it("debt suppresses what it names, on the panel and its queries, with its reason; nothing else", () => {
    const found = diagnosticsOf([
      debt("dashboard/panel-description", "imported from x.json: the panel has no description"),
      debt("dashboard/job-instance-matchers", "imported from x.json: no pickers"),
    ]);
    const open = found.filter((d) => d.severity === "error" && d.suppressed === undefined);
    expect(open.map((d) => d.check)).toEqual(["dashboard/panel-unit"]);
    const query = found.find((d) => d.check === "dashboard/job-instance-matchers")!;
    expect(query.subject).toBe('dashboard imported-test › panel 7 "Up" › query A');
    expect(query.suppressed).toBe("imported from x.json: no pickers");
  });

  it("debt naming no check, or giving no reason, is an error of its own", () => {
    const found = diagnosticsOf([debt("dashboard/no-such-check", "why"), debt("dashboard/panel-unit", " ")]);
    const own = found.filter((d) => d.check === "check/suppression").map((d) => d.message);
    expect(own).toEqual(
      expect.arrayContaining([
        "o11y-disable names dashboard/no-such-check, which is not a check",
        "o11y-disable dashboard/panel-unit has no reason (write it after a colon)",
      ]),
    );
  });
});
