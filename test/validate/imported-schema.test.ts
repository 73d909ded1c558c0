/**
 * schemas/grafana-dashboard-imported.schema.json is the dashboard schema without its house rules, derived by
 * importedDashboardSchema() (scripts/precompile-schemas.ts writes it): the two cannot drift apart, and the
 * imported schema still refuses what is structurally wrong.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { schemasDir } from "../../src/engine/validate/schemas.ts";
import {
  importedDashboardSchema,
  importedDashboardSchemaFile,
} from "../../src/engine/validate/imported-schema.ts";

const read = (file: string) =>
  JSON.parse(readFileSync(path.join(schemasDir, file), "utf8")) as Record<string, unknown>;

describe("the imported dashboards' schema", () => {
  it("is the dashboard schema's derivation, as written by npm run schemas:precompile", () => {
    expect(read(importedDashboardSchemaFile)).toEqual(
      importedDashboardSchema(read("grafana-dashboard.schema.json")),
    );
  });

  it("drops only the house rules: panel description, unit, datasource, queries, titles and tags", () => {
    const main = read("grafana-dashboard.schema.json") as {
      definitions: Record<string, { required: string[] }>;
    };
    const imported = read(importedDashboardSchemaFile) as typeof main;
    expect(
      main.definitions.panel!.required.filter((r) => !imported.definitions.panel!.required.includes(r)),
    ).toEqual(["description", "datasource", "targets"]);
    expect(imported.definitions.row!.required).toEqual(main.definitions.row!.required);
    expect((imported as unknown as { additionalProperties: unknown }).additionalProperties).toBe(false);
  });
});
