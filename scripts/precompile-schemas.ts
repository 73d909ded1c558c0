/**
 * node --import tsx scripts/precompile-schemas.ts
 *
 * Regenerates src/engine/validate/schemas.precompiled.cjs, the precompiled (ajv standalone) validators a
 * build checks its documents with. Run it after changing anything in schemas/ or upgrading ajv; until then
 * builds compile the schemas at run time (slower, same verdicts) and a test fails.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { precompiledFile, precompiledSource, schemasDir } from "../src/engine/validate/schemas.ts";
import {
  importedDashboardSchema,
  importedDashboardSchemaFile,
  importedRulesOutputSchema,
  importedRulesSchema,
  importedRulesSchemaFiles,
} from "../src/engine/validate/imported-schema.ts";
import { projectRoot } from "../src/engine/source.ts";

// The imported dashboards' schema is derived from the dashboard schema first, so that the validators cover it.
const dashboardSchema = JSON.parse(
  readFileSync(path.join(schemasDir, "grafana-dashboard.schema.json"), "utf8"),
);
writeFileSync(
  path.join(schemasDir, importedDashboardSchemaFile),
  `${JSON.stringify(importedDashboardSchema(dashboardSchema), null, 2)}\n`,
);
// So are the schemas of rule files holding imported rules, from the rule file schema and its outputs'.
const readSchema = (file: string) => JSON.parse(readFileSync(path.join(schemasDir, file), "utf8"));
const rules = readSchema("prometheus-rules.schema.json");
const importedRules = importedRulesSchema(rules);
const derived = {
  [importedRulesSchemaFiles.prometheus]: importedRules,
  [importedRulesSchemaFiles.mimir]: importedRulesOutputSchema(
    readSchema("mimir-rules.schema.json"),
    String(importedRules.$id),
    String(rules.$id),
  ),
  [importedRulesSchemaFiles.vmalert]: importedRulesOutputSchema(
    readSchema("vmalert-rules.schema.json"),
    String(importedRules.$id),
    String(rules.$id),
  ),
};
for (const [file, schema] of Object.entries(derived))
  writeFileSync(path.join(schemasDir, file), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(precompiledFile, precompiledSource());
process.stdout.write(`wrote ${path.relative(projectRoot, precompiledFile)}\n`);
