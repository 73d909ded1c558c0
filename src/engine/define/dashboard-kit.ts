/**
 * Small functions that return Foundation SDK builders with this project's conventions applied:
 * a `datasource` variable that every panel and query uses, `job`/`instance` variables, a legend,
 * and the author's file and line remembered for error messages.
 */
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as HeatmapPanelBuilder } from "@grafana/grafana-foundation-sdk/heatmap";
import { PanelBuilder as TablePanelBuilder } from "@grafana/grafana-foundation-sdk/table";
import {
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  ReduceDataOptionsBuilder,
  TableSortByFieldStateBuilder,
  LegendPlacement,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  type DataSourceRef,
} from "@grafana/grafana-foundation-sdk/common";
import { ThresholdsConfigBuilder, ThresholdsMode } from "@grafana/grafana-foundation-sdk/dashboard";
import { PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { YAxisConfigBuilder } from "@grafana/grafana-foundation-sdk/heatmap";
import { callerLocation } from "../source.ts";
import type { ComparisonOperator } from "./alerting.ts";
import { remember } from "./registry.ts";

/** Every panel and query reads the dashboard's `datasource` variable, so one dashboard serves any Prometheus. */
export const datasourceRef: DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** The matchers every query carries, so the job and instance pickers filter every panel. */
export const sel = 'job=~"$job", instance=~"$instance"';

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** A metric every target of this dashboard exports; the job and instance pickers list its label values. */
  anchorMetric: string;
  /** Uid of the provisioned Prometheus datasource, the `datasource` variable's default. */
  defaultDatasourceUid: string;
  /** Default for the job picker. */
  defaultJob: string;
  /** Extra template variables after datasource, job and instance (e.g. stream, consumer). */
  variables?: QueryVariableBuilder[];
}

export function dashboard(spec: DashboardSpec): DashboardBuilder {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(spec.tags)
    .readonly()
    .timezone("utc")
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .tooltip(1)
    .withVariable(
      new DatasourceVariableBuilder("datasource")
        .label("Data source")
        .type("prometheus")
        .current({ text: spec.defaultDatasourceUid, value: spec.defaultDatasourceUid }),
    )
    .withVariable(labelVariable({ name: "job", label: "Job", selector: spec.anchorMetric, default: spec.defaultJob }))
    .withVariable(labelVariable({ name: "instance", label: "Instance", selector: `${spec.anchorMetric}{job=~"$job"}` }));
  for (const variable of spec.variables ?? []) builder.withVariable(variable);
  remember(builder.build(), callerLocation());
  return builder;
}

export interface LabelVariableSpec {
  /** Variable name, used in queries as `$name`. */
  name: string;
  /** Shown next to the picker. */
  label: string;
  /** The label whose values are listed; defaults to `name`. */
  labelName?: string;
  /** Selector the values come from, e.g. `up{job=~"$job"}`. */
  selector: string;
  /** Selected when the dashboard opens; defaults to All. */
  default?: string;
}

/**
 * A multi-select picker over one label's values, refreshed when the time range changes.
 * `All` matches everything with `.*`, so `label=~"$name"` selectors keep working.
 */
export function labelVariable(spec: LabelVariableSpec): QueryVariableBuilder {
  const query = `label_values(${spec.selector}, ${spec.labelName ?? spec.name})`;
  const current = spec.default === undefined ? { text: "All", value: ["$__all"] } : { text: spec.default, value: [spec.default] };
  const variable = new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(datasourceRef)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .current(current);
  remember(variable.build(), callerLocation());
  return variable;
}

export function row(id: number, title: string): RowBuilder {
  const builder = new RowBuilder(title).id(id);
  remember(builder.build(), callerLocation());
  return builder;
}

export interface Query {
  expr: string;
  /** Legend template, e.g. `{{status}}`. */
  legend?: string;
  /** Evaluate once at the end of the range (stat and table panels). */
  instant?: boolean;
}

export function query(expr: string, legend?: string): Query {
  return legend === undefined ? { expr } : { expr, legend };
}

/**
 * A value line drawn on a panel, in the panel's unit. Pass an alert threshold itself (`thresholds.x`),
 * so the line and the alert cannot drift apart; its operator says which side is bad.
 */
export interface ThresholdLine {
  value: number;
  op?: ComparisonOperator;
}

interface PanelSpec {
  /** Stable id: alerts link to `viewPanel=<id>` and reviewers' diffs key on it. */
  id: number;
  title: string;
  description: string;
  /** Grafana unit id, e.g. `s`, `bytes`, `percentunit`, `reqps`. */
  unit: string;
  queries: Query[];
  /** Grid columns out of 24; default 12. */
  width?: number;
  /** Grid rows; default 8. */
  height?: number;
  thresholds?: ThresholdLine[];
}

function targets(queries: Query[], format?: PromQueryFormat): DataqueryBuilder[] {
  return queries.map((q) => {
    const target = new DataqueryBuilder().datasource(datasourceRef).expr(q.expr);
    if (q.legend !== undefined) target.legendFormat(q.legend);
    if (q.instant) target.instant().format(PromQueryFormat.Table);
    else target.range();
    if (format) target.format(format);
    return target;
  });
}

function thresholdsConfig(lines: ThresholdLine[] = []): ThresholdsConfigBuilder {
  // Grafana colors from each step upward: for "fires below", the base is bad and the line good.
  const belowIsBad = lines.some((line) => line.op === "<" || line.op === "<=");
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null as unknown as number, color: belowIsBad ? "red" : "green" },
    ...[...lines].sort((a, b) => a.value - b.value).map((line) => ({ value: line.value, color: belowIsBad ? "green" : "red" })),
  ]);
}

/** What every SDK panel builder offers; the helpers below share this part of the setup. */
interface PanelBuilderBase<T> {
  id(id: number): T;
  title(title: string): T;
  description(description: string): T;
  datasource(datasource: DataSourceRef): T;
  unit(unit: string): T;
  span(span: number): T;
  height(height: number): T;
  withTarget(target: DataqueryBuilder): T;
  build(): object;
}

/** Identity, datasource, unit, size and queries, and the caller's line remembered for error messages. */
function panelBase<T extends PanelBuilderBase<T>>(
  panel: T,
  spec: PanelSpec,
  size: { width: number; height: number },
  format?: PromQueryFormat,
): T {
  panel
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceRef)
    .unit(spec.unit)
    .span(spec.width ?? size.width)
    .height(spec.height ?? size.height);
  for (const target of targets(spec.queries, format)) panel.withTarget(target);
  remember(panel.build(), callerLocation());
  return panel;
}

export interface TimeseriesSpec extends PanelSpec {
  stack?: boolean;
  min?: number;
}

export function timeseries(spec: TimeseriesSpec): TimeseriesPanelBuilder {
  const panel = panelBase(new TimeseriesPanelBuilder(), spec, { width: 12, height: 8 })
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(["mean", "max", "lastNotNull"]),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(spec.stack ? 30 : 10)
    .showPoints(VisibilityMode.Never)
    .thresholds(thresholdsConfig(spec.thresholds))
    .thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(spec.thresholds?.length ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off),
    );
  if (spec.stack) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal).group("A"));
  if (spec.min !== undefined) panel.min(spec.min);
  return panel;
}

export interface StatSpec extends PanelSpec {
  /** Draw the series behind the number, for a trend at a glance. */
  sparkline?: boolean;
}

export function stat(spec: StatSpec): StatPanelBuilder {
  return panelBase(new StatPanelBuilder(), spec, { width: 6, height: 4 })
    .graphMode(spec.sparkline === false ? BigValueGraphMode.None : BigValueGraphMode.Area)
    // Grafana's default reducer is the last point, which is often missing at the range's edge.
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .thresholds(thresholdsConfig(spec.thresholds));
}

/** A latency heatmap over pre-bucketed histogram series (`sum by (le) (increase(..._bucket[...]))`). */
export function heatmap(spec: PanelSpec): HeatmapPanelBuilder {
  return panelBase(new HeatmapPanelBuilder(), spec, { width: 12, height: 8 }, PromQueryFormat.Heatmap)
    .calculate(false)
    .yAxis(new YAxisConfigBuilder().unit(spec.unit))
    .showValue(VisibilityMode.Never)
    .cellGap(1);
}

/** A table of instant results, e.g. the top slow sources. */
export function table(spec: PanelSpec): TablePanelBuilder {
  const instant = { ...spec, queries: spec.queries.map((q) => ({ ...q, instant: true })) };
  const panel = panelBase(new TablePanelBuilder(), instant, { width: 12, height: 8 }).thresholds(thresholdsConfig(spec.thresholds));
  // Several instant queries come back as one frame each; merge joins them into one row per label set.
  if (spec.queries.length > 1) panel.withTransformation({ id: "merge", options: {} });
  // An instant result's timestamp is the same on every row: hide it, and rank rows by value.
  panel.withTransformation({ id: "organize", options: { excludeByName: { Time: true } } });
  const valueField = spec.queries.length > 1 ? "Value #A" : "Value";
  panel.sortBy([new TableSortByFieldStateBuilder().displayName(valueField).desc(true)]);
  return panel;
}

/** Links each dashboard to every other one and to the runbook, so on-call can move between them. */
export function linkTogether(dashboards: DashboardBuilder[], runbookUrl: string): void {
  const built: Dashboard[] = dashboards.map((d) => d.build());
  for (const [index, builder] of dashboards.entries()) {
    for (const [otherIndex, other] of built.entries()) {
      if (otherIndex === index) continue;
      builder.link(
        new DashboardLinkBuilder(other.title ?? "")
          .type(DashboardLinkType.Link)
          .url(`/d/${other.uid}`)
          .icon("dashboard")
          .tooltip(other.description ?? "")
          .keepTime(true)
          .includeVars(false)
          .targetBlank(false)
          .asDropdown(false)
          .tags([]),
      );
    }
    builder.link(
      new DashboardLinkBuilder("Runbook")
        .type(DashboardLinkType.Link)
        .url(runbookUrl)
        .icon("doc")
        .tooltip("Alert playbooks and recovery rituals")
        .keepTime(false)
        .includeVars(false)
        .targetBlank(true)
        .asDropdown(false)
        .tags([]),
    );
  }
}
