/**
 * schemas/grafana-dashboard-imported.schema.json is the dashboard schema without its house rules, derived by
 * importedDashboardSchema(), and schemas/*-rules-imported.schema.json the rule files' (scripts/precompile-schemas.ts
 * writes them): they cannot drift apart, and the imported schemas still refuse what is structurally wrong.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { schemasDir } from "../../src/engine/validate/schemas.ts";
import {
  importedDashboardSchema,
  importedDashboardSchemaFile,
  importedRulesOutputSchema,
  importedRulesSchema,
  importedRulesSchemaFiles,
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

describe("the schemas of rule files with imported rules", () => {
  it("are the rule file schema's derivations (and Mimir's and vmalert's), as written by npm run schemas:precompile", () => {
    const rules = read("prometheus-rules.schema.json");
    const imported = importedRulesSchema(rules);
    expect(read(importedRulesSchemaFiles.prometheus)).toEqual(imported);
    for (const [file, output] of [
      [importedRulesSchemaFiles.mimir, "mimir-rules.schema.json"],
      [importedRulesSchemaFiles.vmalert, "vmalert-rules.schema.json"],
    ] as const)
      expect(read(file)).toEqual(
        importedRulesOutputSchema(read(output), String(imported.$id), String(rules.$id)),
      );
  });

  it("drop only the house rules: the routing labels, the four annotations, the names' conventions", () => {
    type Rule = { required: string[]; properties: Record<string, Record<string, unknown>> };
    const main = read("prometheus-rules.schema.json") as { definitions: Record<string, Rule> };
    const imported = read(importedRulesSchemaFiles.prometheus) as typeof main;
    const alert = imported.definitions.alertingRule!;
    expect(alert.required).toEqual(main.definitions.alertingRule!.required);
    expect(alert.properties.labels!.required).toBeUndefined();
    expect(alert.properties.annotations!.required).toBeUndefined();
    expect(alert.properties.alert!.pattern).toBeUndefined();
    // What Prometheus itself requires stays: durations, a valid series name, closed objects.
    expect(alert.properties.for).toEqual(main.definitions.alertingRule!.properties.for);
    expect(alert.properties.keep_firing_for).toEqual(
      main.definitions.alertingRule!.properties.keep_firing_for,
    );
    expect((imported.definitions.recordingRule!.properties.record!.allOf as unknown[]).length).toBe(1);
    expect(
      (imported.definitions.alertingRule as unknown as { additionalProperties: unknown })
        .additionalProperties,
    ).toBe(false);
  });
});
