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
import { callerLocation, callSite, formatLocation, type SourceLocation } from "../source.ts";
import { comparisonOperators, takeInterpolatedThresholds, type ComparisonOperator } from "./alerting.ts";
import { remember, rememberThresholds } from "./registry.ts";
import {
  addProblems,
  boolean,
  finite,
  list,
  object,
  oneOf,
  optional,
  promql,
  readSpec,
  satisfying,
  takeUnknownMembers,
  text,
  type DefinitionProblem,
  type Shape,
} from "./validate.ts";

export { say } from "./wording.ts";

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

const isBuilder = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { build?: unknown }).build === "function";

const dashboardShape: Shape<DashboardSpec> = {
  uid: text('uid: "gs-phoenix-metrics", the dashboard\'s stable id in its URL.'),
  title: text('title: "Phoenix Metrics", as text.'),
  description: text("description: what the dashboard is for, as text."),
  tags: list(text('tags: ["phoenix"], each tag as text.'), 'tags: ["phoenix"], a list of text.'),
  anchorMetric: promql(
    "anchorMetric: `${phoenix.httpRequests}`, a metric every target of the dashboard exports.",
  ),
  defaultDatasourceUid: text('defaultDatasourceUid: "gs-prometheus", the provisioned datasource\'s uid.'),
  defaultJob: text('defaultJob: "global-sovereign", the job picker\'s default.'),
  variables: optional(
    list(
      satisfying(
        isBuilder,
        "a template variable builder",
        "variables: [labelVariable({ ... })], each made by labelVariable().",
        () => undefined as unknown as QueryVariableBuilder,
      ),
      "variables: [labelVariable({ ... }), ...], a list.",
    ),
  ),
};

export function dashboard(spec: DashboardSpec): DashboardBuilder {
  const source = callerLocation();
  takeInterpolatedThresholds();
  const uidGiven = typeof spec === "object" && spec !== null && typeof spec.uid === "string";
  const read = readSpec(
    spec,
    dashboardShape,
    "dashboard({ uid, title, description, tags, anchorMetric, ... })",
    source,
    takeUnknownMembers(),
  );
  spec = read.spec;
  // So that messages still say which dashboard.
  if (!uidGiven) spec.uid = `(no uid, ${formatLocation(source)})`;
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
    .withVariable(
      labelVariableBuilder({
        name: "job",
        label: "Job",
        selector: spec.anchorMetric,
        default: spec.defaultJob,
      }),
    )
    .withVariable(
      labelVariableBuilder({
        name: "instance",
        label: "Instance",
        selector: `${spec.anchorMetric}{job=~"$job"}`,
      }),
    );
  for (const variable of spec.variables ?? []) if (variable !== undefined) builder.withVariable(variable);
  rememberBuilt(builder.build(), source, read.problems);
  return builder;
}

/** The built object's line and problems, for the compile step and for checkDefinitions. */
function rememberBuilt(built: object, source: SourceLocation, problems: DefinitionProblem[]): void {
  remember(built, source);
  addProblems(built, problems);
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
  const source = callerLocation();
  const read = readSpec(
    spec,
    labelVariableShape,
    "labelVariable({ name, label, selector })",
    source,
    takeUnknownMembers(),
  );
  const variable = labelVariableBuilder(read.spec, source);
  addProblems(variable.build(), read.problems);
  return variable;
}

const labelVariableShape: Shape<LabelVariableSpec> = {
  name: text('name: "stream", the variable\'s name, used in queries as $stream.'),
  label: text('label: "Stream", shown next to the picker.'),
  labelName: optional(text('labelName: "stream_name", the label whose values are listed, as text.')),
  selector: promql('selector: `${nats.streamMessages}{job=~"$job"}`, the series the values come from.'),
  default: optional(text("default: the value selected when the dashboard opens, as text.")),
};

/** The variable's builder, remembered at `source` (by default the first line outside the engine: the dashboard's caller). */
function labelVariableBuilder(
  spec: LabelVariableSpec,
  source: SourceLocation = callerLocation(),
): QueryVariableBuilder {
  const query = `label_values(${spec.selector}, ${spec.labelName ?? spec.name})`;
  const current =
    spec.default === undefined
      ? { text: "All", value: ["$__all"] }
      : { text: spec.default, value: [spec.default] };
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
  remember(variable.build(), source);
  return variable;
}

const rowShape: Shape<{ id: number; title: string }> = {
  id: finite("row(100, title): the row's id first: 100, 200, ...", { integer: true }),
  title: text('row(100, "Requests"): its title second, as text.'),
};

export function row(id: number, title: string): RowBuilder {
  const source = callerLocation();
  const read = readSpec({ id, title }, rowShape, "row(id, title)", source);
  const builder = new RowBuilder(read.spec.title).id(read.spec.id);
  rememberBuilt(builder.build(), source, read.problems);
  return builder;
}

export interface Query {
  expr: string;
  /** Legend template, e.g. `{{status}}`. */
  legend?: string;
  /** Evaluate once at the end of the range (stat and table panels). */
  instant?: boolean;
}

/** Where each query() was called: diagnostics of its PromQL point into the text written there (query-source.ts). */
const querySites = new WeakMap<Query, SourceLocation>();

export function query(expr: string, legend?: string): Query {
  const made: Query = legend === undefined ? { expr } : { expr, legend };
  querySites.set(made, callSite());
  return made;
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
    // The SDK returns the same object from every build(): the compile step finds the query's call by it.
    const site = querySites.get(q);
    if (site) remember(target.build(), site);
    return target;
  });
}

function thresholdsConfig(lines: ThresholdLine[] = []): ThresholdsConfigBuilder {
  // Grafana colors from each step upward: for "fires below", the base is bad and the line good.
  const belowIsBad = lines.some((line) => line.op === "<" || line.op === "<=");
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([
      { value: null as unknown as number, color: belowIsBad ? "red" : "green" },
      ...[...lines]
        .sort((a, b) => a.value - b.value)
        .map((line) => ({ value: line.value, color: belowIsBad ? "green" : "red" })),
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

const panelShape: Shape<PanelSpec> = {
  id: finite("id: 205, a stable id: rows are 100, 200, ... and their panels 101, 102, ...", {
    integer: true,
  }),
  title: text('title: "Request rate by method", as text.'),
  description: text("description: what the panel shows and how to read it, as text."),
  unit: text('unit: "reqps", a Grafana unit id, as text.'),
  queries: list(
    object<Query>(
      {
        expr: promql("query(`sum(rate(${phoenix.httpRequests}{${sel}}[$__rate_interval]))`): PromQL text."),
        legend: optional(text('query(expr, "{{method}}"): the legend template, as text.')),
        instant: optional(boolean("instant: true or false.")),
      },
      "query(expr, legend)",
    ),
    "queries: [query(`...`), ...], a list of query() results.",
  ),
  width: optional(
    finite("width: 6, grid columns out of Grafana's 24 (default 12).", { integer: true, min: 1, max: 24 }),
  ),
  height: optional(finite("height: 8, grid rows (default 8).", { integer: true, min: 1 })),
  thresholds: optional(
    list(
      object<ThresholdLine>(
        {
          value: finite("thresholds: [thresholds.x], each drawn at a finite number, in the panel's unit."),
          op: optional(
            oneOf(comparisonOperators, 'op: ">", "<", ... as above(), below() and atLeast() set it.'),
          ),
        },
        "a threshold from src/alerts/thresholds.ts, or { value: 0.05 }",
      ),
      "thresholds: [thresholds.x], a list.",
    ),
  ),
};

/** A panel helper's spec with placeholders where it is wrong, and what is wrong, at the caller's line. */
function readPanel<T extends PanelSpec>(
  spec: T,
  shape: Shape<T>,
  helper: string,
): { spec: T; source: SourceLocation; problems: DefinitionProblem[]; thresholds: readonly object[] } {
  const source = callerLocation();
  // A threshold in a panel's query is the panel's: not the next alert's to take.
  const thresholds = takeInterpolatedThresholds();
  const read = readSpec(
    spec,
    shape,
    `${helper}({ id, title, description, unit, queries })`,
    source,
    takeUnknownMembers(),
  );
  return { ...read, source, thresholds };
}

const timeseriesShape: Shape<TimeseriesSpec> = {
  ...panelShape,
  stack: optional(boolean("stack: true to stack the series, else leave it out.")),
  min: optional(finite("min: 0, the y axis' lower bound, a finite number.")),
};
const statShape: Shape<StatSpec> = {
  ...panelShape,
  sparkline: optional(boolean("sparkline: false to hide the series behind the number, else leave it out.")),
};

/** Identity, datasource, unit, size and queries, and the caller's line remembered for error messages. */
function panelBase<T extends PanelBuilderBase<T>>(
  panel: T,
  {
    spec,
    source,
    problems,
    thresholds = [],
  }: {
    spec: PanelSpec;
    source: SourceLocation;
    problems: DefinitionProblem[];
    thresholds?: readonly object[];
  },
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
  rememberBuilt(panel.build(), source, problems);
  rememberThresholds(panel.build(), thresholds);
  return panel;
}

export interface TimeseriesSpec extends PanelSpec {
  stack?: boolean;
  min?: number;
}

export function timeseries(spec: TimeseriesSpec): TimeseriesPanelBuilder {
  const read = readPanel(spec, timeseriesShape, "timeseries");
  spec = read.spec;
  const panel = panelBase(new TimeseriesPanelBuilder(), read, { width: 12, height: 8 })
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
      new GraphThresholdsStyleConfigBuilder().mode(
        spec.thresholds?.length ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off,
      ),
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
  const read = readPanel(spec, statShape, "stat");
  spec = read.spec;
  return (
    panelBase(new StatPanelBuilder(), read, { width: 6, height: 4 })
      .graphMode(spec.sparkline === false ? BigValueGraphMode.None : BigValueGraphMode.Area)
      // Grafana's default reducer is the last point, which is often missing at the range's edge.
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
      .thresholds(thresholdsConfig(spec.thresholds))
  );
}

/** A latency heatmap over pre-bucketed histogram series (`sum by (le) (increase(..._bucket[...]))`). */
export function heatmap(spec: PanelSpec): HeatmapPanelBuilder {
  const read = readPanel(spec, panelShape, "heatmap");
  spec = read.spec;
  return panelBase(new HeatmapPanelBuilder(), read, { width: 12, height: 8 }, PromQueryFormat.Heatmap)
    .calculate(false)
    .yAxis(new YAxisConfigBuilder().unit(spec.unit))
    .showValue(VisibilityMode.Never)
    .cellGap(1);
}

/** A table of instant results, e.g. the top slow sources. */
export function table(spec: PanelSpec): TablePanelBuilder {
  const read = readPanel(spec, panelShape, "table");
  spec = read.spec;
  const instant = { ...spec, queries: spec.queries.map((q) => ({ ...q, instant: true })) };
  const panel = panelBase(
    new TablePanelBuilder(),
    { ...read, spec: instant },
    { width: 12, height: 8 },
  ).thresholds(thresholdsConfig(spec.thresholds));
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
  // Anything else in the list is the project's to report (checkDefinitions), not to trip over here.
  dashboards = Array.isArray(dashboards) ? dashboards.filter(isBuilder) : [];
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
