/**
 * The schema of dashboards that `o11y import` brought in: the dashboard schema without the house rules it
 * carries (every panel with a description, a unit, a datasource and queries, a title on every panel and row, at
 * least one tag), because an imported dashboard may lack them by design, and says so: those same rules are
 * checks (`dashboard/panel-description`, `dashboard/panel-unit`, `dashboard/datasource-variable`), whose findings
 * the import writes down as reasoned migration debt that `o11y check` lists. Everything structural stays.
 *
 * schemas/grafana-dashboard-imported.schema.json is this function's output for schemas/grafana-dashboard.schema.json
 * (scripts/precompile-schemas.ts writes it; a test holds the two together).
 */
type Schema = Record<string, unknown>;

const at = (schema: Schema, ...keys: string[]): Schema =>
  keys.reduce<Schema>((node, key) => node[key] as Schema, schema);

export const importedDashboardSchemaFile = "grafana-dashboard-imported.schema.json";

export function importedDashboardSchema(dashboard: Schema): Schema {
  const schema = structuredClone(dashboard);
  schema.$id = `${String(schema.$id)}-imported`;
  schema.title = `${String(schema.title)}, as imported by o11y import`;
  schema.description =
    "A dashboard brought in by `o11y import`: the dashboard schema without its house rules (description, unit, datasource, queries and title on every panel, a tag), which the checks report instead as the import's migration debt.";
  const panel = at(schema, "definitions", "panel");
  panel.required = (panel.required as string[]).filter(
    (key) => !["description", "datasource", "targets"].includes(key),
  );
  delete at(panel, "properties", "title").minLength;
  delete at(panel, "properties", "description").minLength;
  const defaults = at(panel, "properties", "fieldConfig", "properties", "defaults");
  defaults.required = [];
  delete at(schema, "definitions", "row", "properties", "title").minLength;
  delete at(schema, "properties", "tags").minItems;
  return schema;
}

/**
 * The schemas of rule files that hold rules `o11y import rules` brought in: the rule file schema without the house
 * rules an imported alert may lack by design (the labels severity, service and team, severity one of the runbook's
 * levels, the four annotations and their links, a PascalCase name) or an imported recording rule (the
 * level:metric:operations name). Those same rules are checks (`alerts/labels`, `alerts/severity`,
 * `alerts/annotations`, `alerts/dashboard-link`, `rules/name`), whose findings the import writes down as migration
 * debt. What Prometheus itself requires stays: closed objects, durations, label names, a valid series name.
 * Mimir's and vmalert's rule files take the same groups.
 */
export const importedRulesSchemaFiles = {
  prometheus: "prometheus-rules-imported.schema.json",
  mimir: "mimir-rules-imported.schema.json",
  vmalert: "vmalert-rules-imported.schema.json",
} as const;

export function importedRulesSchema(rules: Schema): Schema {
  const schema = structuredClone(rules);
  schema.$id = `${String(schema.$id)}-imported`;
  schema.title = `${String(schema.title)}, with rules imported by o11y import`;
  schema.description =
    "A rule file under build/prometheus/rules/ that holds rules brought in by `o11y import rules`: the rule file schema without its house rules (an alert's severity, service and team labels, its four annotations, a PascalCase name; a recording rule's level:metric:operations name), which the checks report instead as the import's migration debt.";
  const alert = at(schema, "definitions", "alertingRule");
  const alertName = at(alert, "properties", "alert");
  delete alertName.pattern;
  alertName.minLength = 1;
  alertName.description = "The alert's name, as its rule file had it.";
  for (const key of ["labels", "annotations"]) {
    const map = at(alert, "properties", key);
    delete map.required;
    delete map.properties;
    map.description = `The ${key} as the rule file had them; what the project requires of them is a check's (migration debt).`;
  }
  const record = at(schema, "definitions", "recordingRule", "properties", "record");
  record.allOf = (record.allOf as Schema[]).slice(0, 1);
  record.description = "The recorded series' name, as its rule file had it: a valid series name.";
  return schema;
}

/** Mimir's namespace file or vmalert's rule file with the imported rule file's groups. */
export function importedRulesOutputSchema(output: Schema, importedRulesId: string, rulesId: string): Schema {
  const schema = JSON.parse(
    JSON.stringify(output).replaceAll(`"${rulesId}`, `"${importedRulesId}`),
  ) as Schema;
  schema.$id = `${String(schema.$id)}-imported`;
  schema.title = `${String(schema.title)}, with rules imported by o11y import`;
  return schema;
}
