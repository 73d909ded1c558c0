/**
 * The dashboard kit's part for dashboards brought in by `o11y import dashboard`: a dashboard keeps its own
 * layout, panel kinds and options, so these helpers take them as they were (grid positions, field config,
 * options) where the kit's own helpers (timeseries(), stat(), ...) would apply this project's conventions.
 * What no helper names is kept in `extra`, a typed escape hatch, rather than dropped. Every panel and
 * query still reads the dashboard's `datasource` variable, and the migration debt that the import found
 * (no description, no unit, ...) is written at each panel as reasoned suppressions (`debt`).
 */
import {
  DashboardBuilder,
  PanelBuilder,
  RowBuilder,
  type DataSourceRef,
  type Panel,
  type RowPanel,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { callerLocation, type SourceLocation } from "../source.ts";
import { datasourceRef } from "./dashboard-kit.ts";
import type { MigrationDebt } from "./debt.ts";
import { remember } from "./registry.ts";

export { debt, type MigrationDebt } from "./debt.ts";

/** Any JSON value: what the kit keeps as it was imported. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const debts = new WeakMap<object, MigrationDebt[]>();
const importedDashboards = new WeakSet<object>();

/** Whether a built dashboard was made by importedDashboard() (its JSON is held to the imported schema). */
export function isImported(built: object): boolean {
  return importedDashboards.has(built);
}

/** The migration debt written on a built panel, variable or dashboard, for the compile step. */
export function debtOf(built: object): MigrationDebt[] {
  return debts.get(built) ?? [];
}

function rememberImported(built: object, source: SourceLocation, owed: MigrationDebt[] | undefined): void {
  remember(built, source);
  if (owed?.length) debts.set(built, [...owed]);
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ImportedQuery {
  refId: string;
  expr: string;
  legend?: string;
  /** Target fields the kit has no name for (interval, instant, format, hide, ...), as they were. */
  extra?: JsonObject;
}

export interface ThresholdSteps {
  mode: "absolute" | "percentage";
  steps: { value: number | null; color: string }[];
}

export interface ImportedPanelSpec {
  /** Grafana's panel plugin id: timeseries, stat, gauge, bargauge, table, heatmap, text, logs, ... */
  type: string;
  id: number;
  title: string;
  description?: string;
  gridPos: GridPos;
  queries?: ImportedQuery[];
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: ThresholdSteps;
  mappings?: Json[];
  overrides?: Json[];
  transformations?: Json[];
  links?: Json[];
  /** The panel plugin's options, as they were. */
  options?: JsonObject;
  /** fieldConfig.defaults beyond unit, min, max, decimals, thresholds and mappings (color, custom, ...). */
  fieldDefaults?: JsonObject;
  /** A datasource other than the dashboard's Prometheus variable (Loki, the built-in Grafana one), as it was. */
  datasource?: Json;
  /** Any other panel field (repeat, interval, maxDataPoints, timeFrom, transparent, ...), as it was. */
  extra?: JsonObject;
  debt?: MigrationDebt[];
}

/**
 * A field override that draws one series in one fixed color: what Grafana's `aliasColors` meant on a graph, and
 * the most common override. Written as one call, an imported dashboard's hundreds of them read as a list.
 */
export function seriesColor(series: string, color: string): JsonObject {
  return {
    matcher: { id: "byName", options: series },
    properties: [{ id: "color", value: { mode: "fixed", fixedColor: color } }],
  };
}

/** A panel of any kind, as it was imported; its queries run against the dashboard's `datasource` variable. */
export function importedPanel(spec: ImportedPanelSpec): PanelBuilder {
  const source = callerLocation();
  const panel = new PanelBuilder()
    .type(spec.type)
    .id(spec.id)
    .title(spec.title)
    .gridPos({ ...spec.gridPos });
  if (spec.description !== undefined) panel.description(spec.description);
  const datasource = (spec.datasource ?? datasourceRef) as DataSourceRef;
  if (spec.queries?.length || spec.datasource !== undefined) panel.datasource(datasource);
  if (spec.queries?.length) {
    panel.targets(
      spec.queries.map((query) => {
        const target: JsonObject = { ...query.extra, refId: query.refId, expr: query.expr };
        if (query.legend !== undefined) target.legendFormat = query.legend;
        if (spec.datasource === undefined) target.datasource = { ...datasourceRef } as JsonObject;
        return { build: () => target } as never;
      }),
    );
  }
  const defaults: JsonObject = { ...spec.fieldDefaults };
  if (spec.unit !== undefined) defaults.unit = spec.unit;
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.thresholds !== undefined) defaults.thresholds = spec.thresholds as unknown as JsonObject;
  if (spec.mappings !== undefined) defaults.mappings = spec.mappings;
  panel.fieldConfig({ defaults, overrides: spec.overrides ?? [] } as never);
  if (spec.options !== undefined) panel.options(spec.options);
  if (spec.transformations !== undefined) panel.transformations(spec.transformations as never);
  if (spec.links !== undefined) panel.links(spec.links.map((link) => ({ build: () => link })) as never);
  const built = panel.build();
  Object.assign(built, spec.extra);
  rememberImported(built, source, spec.debt);
  return panel;
}

export interface ImportedRowSpec {
  id: number;
  title: string;
  gridPos: GridPos;
  collapsed?: boolean;
  /** A collapsed row holds its panels; an open row's panels follow it on the dashboard. */
  panels?: PanelBuilder[];
  extra?: JsonObject;
  debt?: MigrationDebt[];
}

export function importedRow(spec: ImportedRowSpec): RowBuilder {
  const source = callerLocation();
  const row = new RowBuilder(spec.title).id(spec.id).gridPos({ ...spec.gridPos });
  for (const panel of spec.panels ?? []) row.withPanel(panel);
  row.collapsed(spec.collapsed ?? false);
  const built = row.build();
  Object.assign(built, spec.extra);
  rememberImported(built, source, spec.debt);
  return row;
}

export interface ImportedVariableSpec {
  /** query, custom, interval, constant, datasource, textbox or adhoc. */
  type: "query" | "custom" | "interval" | "constant" | "datasource" | "textbox" | "adhoc";
  name: string;
  label?: string;
  /** A query variable's query (`label_values(up, job)`), or the values of a custom, interval or constant one. */
  query?: string;
  /** The variable's other fields (current, options, multi, includeAll, refresh, regex, ...), as they were. */
  extra?: JsonObject;
  debt?: MigrationDebt[];
}

/** A template variable of any kind, as it was imported. */
export function importedVariable(spec: ImportedVariableSpec): { build(): JsonObject } {
  const source = callerLocation();
  const built: JsonObject = { ...spec.extra, type: spec.type, name: spec.name };
  if (spec.label !== undefined) built.label = spec.label;
  if (spec.query !== undefined) built.query = spec.query;
  if (spec.type === "query" || spec.type === "adhoc") built.datasource = { ...datasourceRef } as JsonObject;
  rememberImported(built, source, spec.debt);
  return { build: () => built };
}

export interface ImportedDashboardSpec {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  /** Uid of the provisioned Prometheus datasource, the `datasource` variable's default. */
  defaultDatasourceUid: string;
  /** Template variables after `datasource`, in their order. */
  variables: { build(): JsonObject }[];
  /** Rows and panels in dashboard order; an open row's panels follow it. */
  panels: (PanelBuilder | RowBuilder)[];
  /** The dashboard's own links (linkTogether adds the project's). */
  links?: Json[];
  /** Annotation queries other than Grafana's built-in one. */
  annotations?: Json[];
  /** Dashboard fields the kit has no name for (time, refresh, timezone, graphTooltip, ...), as they were. */
  extra?: JsonObject;
  debt?: MigrationDebt[];
}

export function importedDashboard(spec: ImportedDashboardSpec): DashboardBuilder {
  const source = callerLocation();
  const builder = new DashboardBuilder(spec.title).uid(spec.uid).tags(spec.tags).readonly();
  if (spec.description !== undefined) builder.description(spec.description);
  const datasource: JsonObject = {
    type: "datasource",
    name: "datasource",
    label: "Data source",
    query: "prometheus",
    current: { text: spec.defaultDatasourceUid, value: spec.defaultDatasourceUid },
  };
  builder.withVariable({ build: () => datasource } as never);
  for (const variable of spec.variables) builder.withVariable(variable as never);
  for (const item of spec.panels) {
    const built = item.build() as Panel | RowPanel;
    const placed = [built, ...((built as RowPanel).panels ?? [])];
    const positions = placed.map((panel) => ({ ...panel.gridPos! }));
    if (built.type === "row") builder.withRow(item as RowBuilder);
    else builder.withPanel(item as PanelBuilder);
    // Kept where the source had them: the SDK moves a panel at (0, 0) to its own running position.
    placed.forEach((panel, index) => (panel.gridPos = positions[index]!));
  }
  const built = builder.build() as unknown as JsonObject;
  if (spec.links?.length) built.links = [...spec.links];
  if (spec.annotations?.length) built.annotations = { list: [...spec.annotations] };
  Object.assign(built, spec.extra);
  rememberImported(built, source, spec.debt);
  importedDashboards.add(built);
  return builder;
}
