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
