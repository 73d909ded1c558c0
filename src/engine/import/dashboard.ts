/**
 * Reads an exported Grafana dashboard of any era (Grafana 4's `rows` to Grafana 12's `{type, uid}` datasources)
 * into the plain specs of the kit's imported-dashboard helpers, with every change it makes on the way written
 * down as a rewrite. It touches no file and loads no definition: the writer and the debt pass do that.
 */
import type {
  ImportedPanelSpec,
  ImportedQuery,
  ImportedRowSpec,
  ImportedVariableSpec,
  Json,
  JsonObject,
  ThresholdSteps,
} from "../define/imported-dashboard.ts";
import { ImportError, type ImportProblem, type Rewrite } from "./report.ts";

/** A row as plain data: its panels are specs, not builders. */
export interface PlainRow extends Omit<ImportedRowSpec, "panels"> {
  panels?: ImportedPanelSpec[];
}

export type PlainItem = { kind: "row"; row: PlainRow } | { kind: "panel"; panel: ImportedPanelSpec };

export interface PlainDashboard {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  variables: ImportedVariableSpec[];
  items: PlainItem[];
  links?: Json[];
  annotations?: Json[];
  extra?: JsonObject;
}

export interface DashboardReading {
  dashboard: PlainDashboard;
  rewrites: Rewrite[];
  /** What cannot be imported (a panel type never seen, ...); the caller adds its own and reports them together. */
  problems: ImportProblem[];
}

/** Panel plugins Grafana ships (and the legacy ones it migrates), and the community plugins most dashboards use. */
export const knownPanelTypes: ReadonlySet<string> = new Set([
  "timeseries",
  "graph",
  "stat",
  "singlestat",
  "gauge",
  "bargauge",
  "table",
  "table-old",
  "heatmap",
  "text",
  "logs",
  "piechart",
  "barchart",
  "histogram",
  "state-timeline",
  "status-history",
  "news",
  "dashlist",
  "alertlist",
  "annolist",
  "nodeGraph",
  "traces",
  "flamegraph",
  "geomap",
  "canvas",
  "candlestick",
  "trend",
  "xychart",
  "datagrid",
  "welcome",
  "gettingstarted",
  "grafana-piechart-panel",
  "grafana-worldmap-panel",
  "grafana-clock-panel",
  "grafana-polystat-panel",
]);

/** The panel fields of Grafana's current dashboard schema (schemas/grafana-dashboard.schema.json) beside the named ones. */
const panelFields = new Set([
  "pluginVersion",
  "transparent",
  "repeat",
  "repeatDirection",
  "maxPerRow",
  "maxDataPoints",
  "interval",
  "timeFrom",
  "timeShift",
  "hideTimeOverride",
  "cacheTimeout",
  "queryCachingTTL",
]);
const fieldDefaultFields = new Set([
  "custom",
  "displayName",
  "displayNameFromDS",
  "description",
  "path",
  "writeable",
  "filterable",
  "noValue",
  "fieldMinMax",
  "links",
  "actions",
  "color",
]);

/** The fields every panel has, whatever its kind. */
const panelBasics = ["id", "title", "description", "gridPos", "datasource", "targets"];

/** What a legacy panel keeps as it is when it becomes its current kind. */
const legacyKept = [
  ...panelBasics,
  "links",
  "interval",
  "maxDataPoints",
  "timeFrom",
  "timeShift",
  "hideTimeOverride",
  "repeat",
  "repeatDirection",
  "maxPerRow",
  "transparent",
  "cacheTimeout",
  "pluginVersion",
];

const variableTypes = ["query", "custom", "interval", "constant", "datasource", "textbox", "adhoc"] as const;

/** The `datasource` variable every imported query reads, in the spelling Grafana writes. */
const datasourceVariable = "${datasource}";

export interface ReadOptions {
  /** The file as the user named it, for messages. */
  file: string;
  /** Panel types to keep as they are although Grafana does not ship them (plugins). */
  allowPanelTypes?: readonly string[];
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses the text of an exported dashboard; ImportError with every problem when it is not one. */
export function readDashboard(text: string, options: ReadOptions): DashboardReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ImportError([
      {
        message: `${options.file} is not JSON: ${(error as Error).message}`,
        fix: "export the dashboard from Grafana (Share › Export › Save to file) and import that file.",
      },
    ]);
  }
  // The HTTP API wraps it: { dashboard: {...}, meta: {...} }.
  if (isObject(parsed) && isObject(parsed.dashboard) && !("panels" in parsed) && !("rows" in parsed))
    parsed = parsed.dashboard;
  if (
    !isObject(parsed) ||
    !(Array.isArray(parsed.panels) || Array.isArray(parsed.rows)) ||
    typeof parsed.title !== "string"
  ) {
    throw new ImportError([
      {
        message: `${options.file} is not a Grafana dashboard: it needs a title and a list of panels (or, before Grafana 5, rows)`,
        fix: "export the dashboard itself from Grafana (Share › Export), not a folder, a library panel or an alert.",
      },
    ]);
  }
  return new Reader(parsed, options).read();
}

class Reader {
  private readonly rewrites: Rewrite[] = [];
  private readonly problems: ImportProblem[] = [];
  /** Names that stand for the Prometheus datasource: `DS_PROMETHEUS` inputs and datasource variables. */
  private readonly datasourceNames = new Set<string>();
  private readonly allowed: ReadonlySet<string>;

  constructor(
    private readonly source: JsonObject,
    private readonly options: ReadOptions,
  ) {
    this.allowed = new Set([...knownPanelTypes, ...(options.allowPanelTypes ?? [])]);
  }

  private rewrite(subject: string, what: string, why: string): void {
    this.rewrites.push({ subject, what, why });
  }

  read(): DashboardReading {
    const d = this.source;
    for (const input of Array.isArray(d.__inputs) ? d.__inputs : []) {
      if (isObject(input) && input.type === "datasource" && typeof input.name === "string") {
        if (input.pluginId === "prometheus" || input.pluginId === undefined)
          this.datasourceNames.add(input.name);
      }
    }
    if (this.datasourceNames.size)
      this.rewrite(
        "dashboard",
        `import inputs ${[...this.datasourceNames].map((n) => `\${${n}}`).join(", ")} become the \`datasource\` variable`,
        "the kit's dashboards choose their Prometheus with a variable (dashboard/datasource-variable)",
      );
    const variables = this.readVariables();
    const title = d.title as string;
    const uid = this.readUid(d.uid, title);
    const items =
      Array.isArray(d.rows) && !Array.isArray(d.panels)
        ? this.readLegacyRows(d.rows)
        : this.readPanels(d.panels as Json[]);
    const dashboard: PlainDashboard = {
      uid,
      title,
      tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === "string") : [],
      variables,
      items,
    };
    if (typeof d.description === "string" && d.description) dashboard.description = d.description;
    if (Array.isArray(d.links) && d.links.length) dashboard.links = d.links;
    const annotations =
      isObject(d.annotations) && Array.isArray(d.annotations.list) ? d.annotations.list : [];
    if (annotations.length) dashboard.annotations = annotations.map((a) => this.annotation(a));
    const extra: JsonObject = {};
    for (const key of [
      "time",
      "timepicker",
      "refresh",
      "timezone",
      "graphTooltip",
      "fiscalYearStartMonth",
      "liveNow",
      "weekStart",
    ]) {
      if (d[key] !== undefined && d[key] !== null) extra[key] = d[key]!;
    }
    if (extra.refresh === false) {
      extra.refresh = "";
      this.rewrite(
        "dashboard",
        'refresh false becomes ""',
        "Grafana's current schema spells no auto-refresh as an empty string",
      );
    }
    if (isObject(extra.time)) extra.time = { from: extra.time.from ?? "now-6h", to: extra.time.to ?? "now" };
    if (Object.keys(extra).length) dashboard.extra = extra;
    const dropped = [
      "__inputs",
      "__requires",
      "__elements",
      "id",
      "version",
      "iteration",
      "editable",
      "schemaVersion",
    ].filter((key) => d[key] !== undefined);
    if (dropped.length)
      this.rewrite(
        "dashboard",
        `${dropped.join(", ")} not carried over`,
        "the build writes its own id, version and schemaVersion, and provisions dashboards read-only",
      );
    return { dashboard, rewrites: this.rewrites, problems: this.problems };
  }

  private readUid(uid: unknown, title: string): string {
    const given = typeof uid === "string" && uid ? uid : title;
    const safe = given
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/, "");
    if (!safe) {
      this.problems.push({
        message: "the dashboard has neither a uid nor a title that a uid can be made of",
        fix: 'give it a uid of letters and digits in Grafana (Settings › JSON Model, "uid"), then export it again.',
      });
      return "dashboard";
    }
    if (safe !== uid)
      this.rewrite(
        "dashboard",
        typeof uid === "string" && uid
          ? `uid "${uid}" becomes "${safe}"`
          : `no uid: "${safe}", from the title`,
        "a uid names the dashboard's file in build/: lowercase letters, digits and -, at most 40 (names/path-safe-name)",
      );
    return safe;
  }

  // -----------------------------------------------------------------------------------------------
  // Datasources

  /** Whether a panel's, query's or variable's datasource is the dashboard's Prometheus. */
  private isPrometheus(ds: Json | undefined): boolean {
    if (ds === undefined || ds === null) return true;
    if (typeof ds === "string")
      return (
        !/^-- (Grafana|Dashboard|Mixed) --$/.test(ds) &&
        !/loki|elastic|influx|tempo|jaeger|graphite|mysql|postgres|cloudwatch/i.test(ds)
      );
    if (isObject(ds)) {
      if (typeof ds.type === "string") return ds.type === "prometheus";
      return typeof ds.uid === "string" ? this.isPrometheus(ds.uid) : true;
    }
    return false;
  }

  /** `${DS_PROMETHEUS}` and `$DS_PROMETHEUS` in text become `${datasource}`. */
  private datasourceText(text: string): string {
    let out = text;
    for (const name of this.datasourceNames) {
      out = out.split(`\${${name}}`).join(datasourceVariable);
      out = out.replace(
        new RegExp(`\\$${name.replace(/[-.]/g, "\\$&")}(?![A-Za-z0-9_])`, "g"),
        datasourceVariable,
      );
    }
    return out;
  }

  private annotation(annotation: Json): Json {
    if (!isObject(annotation)) return annotation;
    if (annotation.builtIn === 1 || !this.isPrometheus(annotation.datasource)) return annotation;
    return { ...annotation, datasource: { type: "prometheus", uid: datasourceVariable } };
  }

  // -----------------------------------------------------------------------------------------------
  // Variables

  private readVariables(): ImportedVariableSpec[] {
    const templating = this.source.templating;
    const list = isObject(templating) && Array.isArray(templating.list) ? templating.list : [];
    // Datasource variables first: queries anywhere may name them.
    for (const v of list) {
      if (
        isObject(v) &&
        v.type === "datasource" &&
        typeof v.name === "string" &&
        (v.query === "prometheus" || v.query === undefined)
      ) {
        this.datasourceNames.add(v.name);
      }
    }
    const out: ImportedVariableSpec[] = [];
    for (const [index, v] of list.entries()) {
      if (!isObject(v) || typeof v.name !== "string" || typeof v.type !== "string") {
        this.problems.push({
          message: `templating.list[${index}] is not a template variable (it needs a name and a type)`,
          fix: "remove it in Grafana (Settings › Variables) or give it a name and type, then export again.",
        });
        continue;
      }
      const subject = `variable $${v.name}`;
      if (v.type === "datasource" && this.datasourceNames.has(v.name)) {
        if (v.name !== "datasource")
          this.rewrite(
            subject,
            `replaced by the \`datasource\` variable; $${v.name} becomes \${datasource}`,
            "the kit's dashboards choose their Prometheus with one variable of that name (dashboard/datasource-variable)",
          );
        continue;
      }
      if (!(variableTypes as readonly string[]).includes(v.type)) {
        this.problems.push({
          message: `${subject} is of type "${v.type}", which o11y import does not know`,
          fix: `use one of ${variableTypes.join(", ")}, or remove it in Grafana before exporting.`,
        });
        continue;
      }
      const spec: ImportedVariableSpec = { type: v.type as ImportedVariableSpec["type"], name: v.name };
      if (typeof v.label === "string" && v.label) spec.label = v.label;
      const extra: JsonObject = {};
      for (const [key, value] of Object.entries(v)) {
        if (["type", "name", "label", "query", "datasource"].includes(key)) continue;
        extra[key] = typeof value === "string" ? this.datasourceText(value) : value;
      }
      if (typeof v.query === "string") spec.query = v.query;
      else if (isObject(v.query) && typeof v.query.query === "string") {
        spec.query = v.query.query;
        this.rewrite(
          subject,
          "its query object becomes its query text",
          "the text is what Prometheus runs; Grafana reads either",
        );
      }
      if ((v.type === "query" || v.type === "adhoc") && !this.isPrometheus(v.datasource)) {
        this.problems.push({
          message: `${subject} queries datasource ${JSON.stringify(v.datasource)}, not Prometheus`,
          fix: "o11y import brings in Prometheus dashboards; change the variable's datasource in Grafana or remove it.",
        });
      } else if (
        (v.type === "query" || v.type === "adhoc") &&
        v.datasource !== undefined &&
        !this.isVariableRef(v.datasource)
      ) {
        this.rewrite(
          subject,
          `datasource ${JSON.stringify(v.datasource)} becomes \${datasource}`,
          "a hard-coded datasource breaks on every Grafana where it is named differently (dashboard/datasource-variable)",
        );
      }
      if (Object.keys(extra).length) spec.extra = extra;
      out.push(spec);
    }
    return out;
  }

  private isVariableRef(ds: Json | undefined): boolean {
    const text =
      typeof ds === "string" ? ds : isObject(ds) && typeof ds.uid === "string" ? ds.uid : undefined;
    return text !== undefined && this.datasourceText(text) === datasourceVariable;
  }

  // -----------------------------------------------------------------------------------------------
  // Panels

  private readPanels(panels: Json[]): PlainItem[] {
    const items: PlainItem[] = [];
    for (const [index, raw] of panels.entries()) {
      if (!isObject(raw)) {
        this.problems.push({
          message: `panels[${index}] is not a panel`,
          fix: "remove it from the JSON, or export again.",
        });
        continue;
      }
      if (this.isRepeatCopy(raw)) continue;
      if (raw.type === "row") {
        const row = this.readRow(raw);
        if (row) items.push({ kind: "row", row });
        continue;
      }
      const panel = this.readPanel(raw, `panels[${index}]`);
      if (panel) items.push({ kind: "panel", panel });
    }
    return items;
  }

  /** The copies Grafana saves of a repeated panel or row: the repeat makes them again from the first. */
  private isRepeatCopy(raw: JsonObject): boolean {
    const copy =
      (raw.repeatPanelId !== undefined && raw.repeatPanelId !== null) ||
      (raw.repeatIteration !== undefined && raw.repeatIteration !== null && raw.repeat === undefined);
    if (copy)
      this.rewrite(
        `panel ${raw.id ?? "?"} "${raw.title ?? ""}"`,
        "a repeated copy, not imported",
        "Grafana saves the copies a repeat made; the repeated panel or row makes them again",
      );
    return copy;
  }

  private readRow(raw: JsonObject): PlainRow | undefined {
    const id = typeof raw.id === "number" ? raw.id : undefined;
    const title = typeof raw.title === "string" ? raw.title : "";
    if (id === undefined || !isObject(raw.gridPos)) {
      this.problems.push({
        message: `row "${title}" has no id or no gridPos`,
        fix: "open and save the dashboard in Grafana, then export it again.",
      });
      return undefined;
    }
    const row: PlainRow = { id, title, gridPos: this.gridPos(raw.gridPos) };
    if (raw.collapsed === true) row.collapsed = true;
    const nested = Array.isArray(raw.panels) ? raw.panels : [];
    if (nested.length) {
      row.panels = [];
      for (const [index, p] of nested.entries()) {
        if (!isObject(p) || this.isRepeatCopy(p)) continue;
        const panel = this.readPanel(p, `row "${title}" panels[${index}]`);
        if (panel) row.panels.push(panel);
      }
    }
    const extra: JsonObject = {};
    for (const key of ["repeat", "repeatDirection", "maxPerRow"])
      if (raw[key] !== undefined && raw[key] !== null && raw[key] !== "") extra[key] = raw[key]!;
    if (raw.datasource !== undefined && raw.datasource !== null && this.isPrometheus(raw.datasource)) {
      // A row's datasource only matters for its repeat; the variable serves.
    }
    if (Object.keys(extra).length) row.extra = extra;
    return row;
  }

  private gridPos(raw: JsonObject): ImportedPanelSpec["gridPos"] {
    const n = (value: Json | undefined) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
    return { x: n(raw.x), y: n(raw.y), w: n(raw.w), h: n(raw.h) };
  }

  private readPanel(raw: JsonObject, at: string): ImportedPanelSpec | undefined {
    const type = typeof raw.type === "string" ? raw.type : "";
    const title = typeof raw.title === "string" ? raw.title : "";
    const subject = `panel ${raw.id ?? "?"} "${title}"`;
    if (!this.allowed.has(type)) {
      this.problems.push({
        message: `${subject} (${at}) is of type "${type}", a panel type o11y import has never seen`,
        fix: `if it is a plugin you run, import with --allow-panel-type ${type || "<type>"} to keep it as it is; else change the panel's visualization in Grafana first.`,
      });
      return undefined;
    }
    if (typeof raw.id !== "number" || !isObject(raw.gridPos)) {
      this.problems.push({
        message: `${subject} (${at}) has no numeric id or no gridPos`,
        fix: "open and save the dashboard in Grafana, which gives every panel an id and a position, then export it again.",
      });
      return undefined;
    }
    let panel: JsonObject = raw;
    if (type === "graph") panel = this.graphToTimeseries(raw, subject);
    else if (type === "singlestat") panel = this.singlestatToStat(raw, subject);
    else if (type === "heatmap" && raw.dataFormat !== undefined) panel = this.legacyHeatmap(raw, subject);
    const spec: ImportedPanelSpec = {
      type: panel.type as string,
      id: raw.id,
      title,
      gridPos: this.gridPos(raw.gridPos),
    };
    if (typeof panel.description === "string" && panel.description.trim())
      spec.description = panel.description;
    const prometheus = this.isPrometheus(panel.datasource);
    if (!prometheus) spec.datasource = panel.datasource!;
    else if (
      panel.datasource !== undefined &&
      panel.datasource !== null &&
      !this.isVariableRef(panel.datasource) &&
      Array.isArray(panel.targets) &&
      panel.targets.length
    )
      this.rewrite(
        subject,
        `datasource ${JSON.stringify(panel.datasource)} becomes \${datasource}`,
        "a hard-coded datasource breaks on every Grafana where it is named differently (dashboard/datasource-variable)",
      );
    const queries = this.readQueries(panel, subject, prometheus);
    if (queries.length) spec.queries = queries;
    const fieldConfig = isObject(panel.fieldConfig) ? panel.fieldConfig : {};
    const defaults = isObject(fieldConfig.defaults) ? { ...fieldConfig.defaults } : {};
    if (typeof defaults.unit === "string" && defaults.unit) spec.unit = defaults.unit;
    if (typeof defaults.min === "number") spec.min = defaults.min;
    if (typeof defaults.max === "number") spec.max = defaults.max;
    if (typeof defaults.decimals === "number") spec.decimals = defaults.decimals;
    if (isObject(defaults.thresholds) && Array.isArray(defaults.thresholds.steps))
      spec.thresholds = defaults.thresholds as unknown as ThresholdSteps;
    if (Array.isArray(defaults.mappings) && defaults.mappings.length) spec.mappings = defaults.mappings;
    for (const key of ["unit", "min", "max", "decimals", "thresholds", "mappings"]) delete defaults[key];
    const unknownDefaults: string[] = [];
    for (const [key, value] of Object.entries(defaults)) {
      if (value === null) delete defaults[key];
      else if (!fieldDefaultFields.has(key)) {
        unknownDefaults.push(key);
        delete defaults[key];
      }
    }
    if (unknownDefaults.length)
      this.rewrite(
        subject,
        `field defaults not carried over: ${unknownDefaults.sort().join(", ")}`,
        "Grafana's field config has no such option",
      );
    if (Object.keys(defaults).length) spec.fieldDefaults = defaults;
    if (Array.isArray(fieldConfig.overrides) && fieldConfig.overrides.length)
      spec.overrides = fieldConfig.overrides;
    if (Array.isArray(panel.transformations) && panel.transformations.length)
      spec.transformations = panel.transformations;
    if (Array.isArray(panel.links) && panel.links.length) spec.links = panel.links;
    if (isObject(panel.options) && Object.keys(panel.options).length) spec.options = panel.options;
    const extra: JsonObject = {};
    const named = ["type", ...panelBasics, "fieldConfig", "options", "transformations", "links"];
    // Grafana's own bookkeeping of a saved dashboard, which it makes again on load.
    const bookkeeping = [
      "scopedVars",
      "repeatIteration",
      "repeatPanelId",
      "repeatedByRow",
      "isNew",
      "error",
      "editable",
    ];
    const dropped: string[] = [];
    for (const [key, value] of Object.entries(panel)) {
      if (named.includes(key) || bookkeeping.includes(key) || value === null) continue;
      if (panelFields.has(key)) extra[key] = value;
      else dropped.push(key);
    }
    if (Object.keys(extra).length) spec.extra = extra;
    if (dropped.length)
      this.rewrite(
        subject,
        `not carried over: ${dropped.sort().join(", ")}`,
        `a ${spec.type} panel of Grafana's current schema has no such field, and Grafana ignores it`,
      );
    return spec;
  }

  private readQueries(panel: JsonObject, subject: string, prometheus: boolean): ImportedQuery[] {
    const targets = Array.isArray(panel.targets) ? panel.targets : [];
    const out: ImportedQuery[] = [];
    for (const [index, t] of targets.entries()) {
      if (!isObject(t)) continue;
      const refId = typeof t.refId === "string" && t.refId ? t.refId : String.fromCharCode(65 + index);
      const ownDatasource =
        t.datasource !== undefined && t.datasource !== null && !this.isPrometheus(t.datasource);
      const extra: JsonObject = {};
      for (const [key, value] of Object.entries(t)) {
        if (["refId", "expr", "legendFormat"].includes(key) || value === null) continue;
        if (key === "datasource" && prometheus && !ownDatasource) continue;
        extra[key] = value;
      }
      if (!prometheus || ownDatasource) {
        // Not PromQL: kept as it was, checked by nothing here.
        out.push({ refId, expr: typeof t.expr === "string" ? t.expr : "", extra });
        continue;
      }
      if (typeof t.expr !== "string" || !t.expr.trim()) {
        this.rewrite(
          `${subject} › query ${refId}`,
          "an empty query, not imported",
          "a target without PromQL draws nothing",
        );
        continue;
      }
      const expr = this.rateInterval(this.datasourceText(t.expr), `${subject} › query ${refId}`);
      const query: ImportedQuery = { refId, expr };
      if (typeof t.legendFormat === "string" && t.legendFormat) query.legend = t.legendFormat;
      if (Object.keys(extra).length) query.extra = extra;
      out.push(query);
    }
    return out;
  }

  /** `rate(x[$__interval])` becomes `rate(x[$__rate_interval])`, which always spans at least four scrapes. */
  private rateInterval(expr: string, subject: string): string {
    const pattern =
      /\b(rate|irate|increase|delta|idelta|deriv|resets)(\s*\([^()[\]]*)\[\s*(\$__interval|\$\{__interval\}|\[\[__interval\]\])\s*\]/g;
    if (!pattern.test(expr)) return expr;
    this.rewrite(
      subject,
      "[$__interval] in rate() and its kind becomes [$__rate_interval]",
      "$__interval can be shorter than two scrapes, and the rate then has gaps (promql/rate-window)",
    );
    return expr.replace(pattern, (_m, fn: string, args: string) => `${fn}${args}[$__rate_interval]`);
  }

  // -----------------------------------------------------------------------------------------------
  // Legacy panels and rows

  /** Grafana 4's rows, laid out on the 24-column grid as Grafana's own migration does (schemaVersion 16). */
  private readLegacyRows(rows: Json[]): PlainItem[] {
    const items: PlainItem[] = [];
    let y = 0;
    let nextId =
      1 +
      Math.max(
        0,
        ...rows.flatMap((r) =>
          (isObject(r) && Array.isArray(r.panels) ? r.panels : []).map((p) =>
            isObject(p) && typeof p.id === "number" ? p.id : 0,
          ),
        ),
      );
    const showRows =
      rows.length > 1 || rows.some((r) => isObject(r) && (r.showTitle === true || r.collapse === true));
    for (const raw of rows) {
      if (
        !isObject(raw) ||
        (raw.repeatIteration !== undefined && raw.repeatIteration !== null && raw.repeat === undefined)
      )
        continue;
      const height = this.legacyHeight(raw.height);
      const collapsed = raw.collapse === true;
      const title = typeof raw.title === "string" ? raw.title : "";
      let row: PlainRow | undefined;
      if (showRows) {
        row = { id: nextId++, title, gridPos: { x: 0, y, w: 24, h: 1 } };
        if (collapsed) row.collapsed = true;
        if (typeof raw.repeat === "string" && raw.repeat) row.extra = { repeat: raw.repeat };
        items.push({ kind: "row", row });
        y += 1;
      }
      let x = 0;
      let rowHeight = 0;
      const nested: ImportedPanelSpec[] = [];
      for (const p of Array.isArray(raw.panels) ? raw.panels : []) {
        if (!isObject(p) || this.isRepeatCopy(p)) continue;
        const w = Math.max(1, Math.round((typeof p.span === "number" ? p.span : 12) * 2));
        const h =
          typeof p.height === "number" || typeof p.height === "string" ? this.legacyHeight(p.height) : height;
        if (x + w > 24) {
          x = 0;
          y += rowHeight;
          rowHeight = 0;
        }
        const { span: _span, height: _height, ...rest } = p;
        const placed: JsonObject = { ...rest, gridPos: { x, y, w, h } };
        if (typeof placed.id !== "number") placed.id = nextId++;
        x += w;
        rowHeight = Math.max(rowHeight, h);
        const panel = this.readPanel(placed, `row "${title}"`);
        if (!panel) continue;
        if (collapsed) nested.push(panel);
        else items.push({ kind: "panel", panel });
      }
      if (row && collapsed && nested.length) row.panels = nested;
      if (!collapsed) y += rowHeight;
    }
    this.rewrite(
      "dashboard",
      `legacy rows (schemaVersion ${this.source.schemaVersion ?? "?"}) laid out on the grid`,
      "Grafana 5 replaced rows with grid positions; spans become widths out of 24 and pixel heights grid rows, as Grafana's own migration does",
    );
    return items;
  }

  /** Pixel height (`250px`, 250) in grid rows of 30 px with an 8 px gap, as Grafana migrates it. */
  private legacyHeight(height: Json | undefined): number {
    const px = typeof height === "number" ? height : typeof height === "string" ? parseInt(height, 10) : 250;
    return Math.ceil((Number.isFinite(px) ? px : 250) / 38);
  }

  private graphToTimeseries(raw: JsonObject, subject: string): JsonObject {
    const yaxes = Array.isArray(raw.yaxes) ? raw.yaxes.filter(isObject) : [];
    const left = yaxes[0] ?? {};
    const defaults: JsonObject =
      isObject(raw.fieldConfig) && isObject(raw.fieldConfig.defaults) ? { ...raw.fieldConfig.defaults } : {};
    const num = (v: Json | undefined) =>
      typeof v === "number"
        ? v
        : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
          ? Number(v)
          : undefined;
    if (typeof left.format === "string" && defaults.unit === undefined) defaults.unit = left.format;
    if (num(left.min) !== undefined) defaults.min = num(left.min)!;
    if (num(left.max) !== undefined) defaults.max = num(left.max)!;
    if (typeof raw.decimals === "number") defaults.decimals = raw.decimals;
    const custom: JsonObject = {
      drawStyle: raw.bars === true ? "bars" : raw.points === true && raw.lines === false ? "points" : "line",
      lineWidth: typeof raw.linewidth === "number" ? raw.linewidth : 1,
      fillOpacity: typeof raw.fill === "number" ? raw.fill * 10 : 10,
      showPoints: raw.points === true ? "always" : "never",
      spanNulls: raw.nullPointMode === "connected",
      stacking: {
        mode: raw.stack === true ? (raw.percentage === true ? "percent" : "normal") : "none",
        group: "A",
      },
    };
    if (typeof left.logBase === "number" && left.logBase > 1)
      custom.scaleDistribution = { type: "log", log: left.logBase };
    defaults.custom = { ...custom, ...(isObject(defaults.custom) ? defaults.custom : {}) };
    const steps = this.graphThresholds(raw.thresholds);
    if (steps) defaults.thresholds = steps;
    const legend = isObject(raw.legend) ? raw.legend : {};
    const calcs = (["min", "max", "avg", "current", "total"] as const)
      .filter((k) => legend[k] === true)
      .map((k) => ({ avg: "mean", current: "lastNotNull", total: "sum", min: "min", max: "max" })[k]);
    const options: JsonObject = {
      legend: {
        showLegend: legend.show !== false,
        displayMode: legend.alignAsTable === true ? "table" : "list",
        placement: legend.rightSide === true ? "right" : "bottom",
        calcs,
      },
      tooltip: {
        mode: isObject(raw.tooltip) && raw.tooltip.shared === false ? "single" : "multi",
        sort: "none",
      },
    };
    const overrides =
      isObject(raw.fieldConfig) && Array.isArray(raw.fieldConfig.overrides)
        ? [...raw.fieldConfig.overrides]
        : [];
    if (isObject(raw.aliasColors)) {
      for (const [name, color] of Object.entries(raw.aliasColors)) {
        if (typeof color === "string")
          overrides.push({
            matcher: { id: "byName", options: name },
            properties: [{ id: "color", value: { mode: "fixed", fixedColor: color } }],
          });
      }
    }
    // A graph's transformations mean the same on a timeseries.
    const kept = [...legacyKept, "transformations"];
    const out: JsonObject = { type: "timeseries", fieldConfig: { defaults, overrides }, options };
    for (const key of kept) if (raw[key] !== undefined) out[key] = raw[key]!;
    const left_out = Object.keys(raw).filter(
      (k) =>
        !kept.includes(k) &&
        ![
          "type",
          "fieldConfig",
          "options",
          "yaxes",
          "decimals",
          "bars",
          "lines",
          "points",
          "linewidth",
          "fill",
          "nullPointMode",
          "stack",
          "percentage",
          "thresholds",
          "legend",
          "tooltip",
          "aliasColors",
          "scopedVars",
          "repeatIteration",
          "repeatPanelId",
          "editable",
          "error",
          "isNew",
        ].includes(k),
    );
    const seriesOverrides =
      Array.isArray(raw.seriesOverrides) && raw.seriesOverrides.length
        ? ` (${raw.seriesOverrides.length} series overrides among them)`
        : "";
    this.rewrite(
      subject,
      `graph becomes timeseries: unit, min, max, decimals, thresholds, legend, stacking, fill and colors carried over${left_out.length ? `; not carried over: ${left_out.sort().join(", ")}${seriesOverrides}` : ""}`,
      "Grafana 7.4 replaced the graph panel, and Grafana 11 removed it",
    );
    return out;
  }

  /** The heatmap panel before Grafana 9 (`dataFormat`, `cards`, `color`, ...) as the heatmap panel's options now. */
  private legacyHeatmap(raw: JsonObject, subject: string): JsonObject {
    const obj = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
    const color = obj(raw.color);
    const yAxis = obj(raw.yAxis);
    const defaults: JsonObject =
      isObject(raw.fieldConfig) && isObject(raw.fieldConfig.defaults) ? { ...raw.fieldConfig.defaults } : {};
    if (typeof yAxis.format === "string" && defaults.unit === undefined) defaults.unit = yAxis.format;
    if (typeof yAxis.decimals === "number") defaults.decimals = yAxis.decimals;
    const layout: Record<string, string> = { upper: "le", lower: "ge", middle: "unknown", auto: "auto" };
    const scheme =
      typeof color.colorScheme === "string" ? color.colorScheme.replace(/^interpolate/, "") : "Oranges";
    const cardPadding = obj(raw.cards).cardPadding;
    const options: JsonObject = {
      calculate: raw.dataFormat !== "tsbuckets",
      cellGap: typeof cardPadding === "number" ? cardPadding : 1,
      color: {
        mode: color.mode === "opacity" ? "opacity" : "scheme",
        scheme,
        fill: typeof color.cardColor === "string" ? color.cardColor : "dark-orange",
        exponent: typeof color.exponent === "number" ? color.exponent : 0.5,
        scale: "exponential",
        steps: 64,
        reverse: false,
      },
      rowsFrame: {
        layout: layout[typeof raw.yBucketBound === "string" ? raw.yBucketBound : "auto"] ?? "auto",
      },
      yAxis: {
        axisPlacement: yAxis.show === false ? "hidden" : "left",
        reverse: raw.reverseYBuckets === true,
      },
      legend: { show: obj(raw.legend).show === true },
      tooltip: { show: obj(raw.tooltip).show !== false, yHistogram: obj(raw.tooltip).showHistogram === true },
      showValue: "never",
    };
    if (raw.hideZeroBuckets === true) options.filterValues = { le: 1e-9 };
    const out: JsonObject = { type: "heatmap", fieldConfig: { defaults, overrides: [] }, options };
    for (const key of legacyKept) if (raw[key] !== undefined) out[key] = raw[key]!;
    const consumed = [
      "type",
      "fieldConfig",
      "options",
      "dataFormat",
      "cards",
      "color",
      "yAxis",
      "yBucketBound",
      "reverseYBuckets",
      "legend",
      "tooltip",
      "hideZeroBuckets",
      "highlightCards",
      "heatmap",
      "xAxis",
      "scopedVars",
      "editable",
      "error",
      "isNew",
    ];
    const lost = Object.keys(raw).filter((k) => !legacyKept.includes(k) && !consumed.includes(k));
    this.rewrite(
      subject,
      `legacy heatmap options become the heatmap panel's: data format, unit, cell gap, color scheme, bucket bound, legend and tooltip carried over${lost.length ? `; not carried over: ${lost.sort().join(", ")}` : ""}`,
      "Grafana 9 replaced the heatmap panel's options",
    );
    return out;
  }

  /** The graph panel's threshold lines (`[{ value, op, colorMode }]`) as threshold steps. */
  private graphThresholds(thresholds: Json | undefined): JsonObject | undefined {
    if (!Array.isArray(thresholds)) return undefined;
    const lines = thresholds.filter(isObject).filter((t) => typeof t.value === "number");
    if (!lines.length) return undefined;
    const color = (t: JsonObject) =>
      t.colorMode === "ok"
        ? "green"
        : t.colorMode === "warning"
          ? "orange"
          : typeof t.lineColor === "string" && t.colorMode === "custom"
            ? t.lineColor
            : "red";
    return {
      mode: "absolute",
      steps: [
        { value: null, color: "transparent" },
        ...lines
          .sort((a, b) => (a.value as number) - (b.value as number))
          .map((t) => ({ value: t.value as number, color: color(t) })),
      ],
    };
  }

  private singlestatToStat(raw: JsonObject, subject: string): JsonObject {
    const defaults: JsonObject = {};
    if (typeof raw.format === "string") defaults.unit = raw.format;
    if (typeof raw.decimals === "number") defaults.decimals = raw.decimals;
    const colors = Array.isArray(raw.colors)
      ? raw.colors.filter((c): c is string => typeof c === "string")
      : [];
    const values =
      typeof raw.thresholds === "string"
        ? raw.thresholds
            .split(",")
            .map((v) => v.trim())
            .filter(Boolean)
            .map(Number)
            .filter(Number.isFinite)
        : [];
    defaults.thresholds = {
      mode: "absolute",
      steps: [
        { value: null, color: colors[0] ?? "green" },
        ...values.map((value, i) => ({ value, color: colors[i + 1] ?? "red" })),
      ],
    };
    const mappings: Json[] = [];
    const valueMaps = Array.isArray(raw.valueMaps) ? raw.valueMaps.filter(isObject) : [];
    for (const m of valueMaps) {
      if (typeof m.text !== "string" || typeof m.value !== "string") continue;
      if (m.value === "null")
        mappings.push({ type: "special", options: { match: "null", result: { text: m.text } } });
      else mappings.push({ type: "value", options: { [m.value]: { text: m.text } } });
    }
    if (mappings.length) defaults.mappings = mappings;
    if (raw.gauge && isObject(raw.gauge) && raw.gauge.show === true) {
      if (typeof raw.gauge.minValue === "number") defaults.min = raw.gauge.minValue;
      if (typeof raw.gauge.maxValue === "number") defaults.max = raw.gauge.maxValue;
    }
    const reducer: Record<string, string> = {
      current: "lastNotNull",
      avg: "mean",
      min: "min",
      max: "max",
      total: "sum",
      first: "firstNotNull",
      delta: "delta",
      diff: "diff",
      range: "range",
      name: "lastNotNull",
    };
    const valueName = typeof raw.valueName === "string" ? raw.valueName : "avg";
    const sparkline = isObject(raw.sparkline) && raw.sparkline.show === true;
    const isGauge = isObject(raw.gauge) && raw.gauge.show === true;
    const options: JsonObject = {
      reduceOptions: { calcs: [reducer[valueName] ?? "mean"], fields: "", values: false },
      colorMode: raw.colorBackground === true ? "background" : raw.colorValue === true ? "value" : "none",
      graphMode: sparkline ? "area" : "none",
      justifyMode: "auto",
      orientation: "horizontal",
      textMode: "auto",
    };
    if (isGauge) {
      delete options.colorMode;
      delete options.graphMode;
      delete options.justifyMode;
      delete options.textMode;
      options.showThresholdLabels = isObject(raw.gauge) && raw.gauge.thresholdLabels === true;
      options.showThresholdMarkers = isObject(raw.gauge) && raw.gauge.thresholdMarkers !== false;
    }
    const kept = legacyKept;
    const out: JsonObject = {
      type: isGauge ? "gauge" : "stat",
      fieldConfig: { defaults, overrides: [] },
      options,
    };
    for (const key of kept) if (raw[key] !== undefined) out[key] = raw[key]!;
    const consumed = [
      "type",
      "format",
      "decimals",
      "colors",
      "thresholds",
      "valueMaps",
      "gauge",
      "valueName",
      "sparkline",
      "colorBackground",
      "colorValue",
      "mappingType",
      "mappingTypes",
      "rangeMaps",
      "nullPointMode",
      "nullText",
      "postfix",
      "prefix",
      "postfixFontSize",
      "prefixFontSize",
      "valueFontSize",
      "tableColumn",
      "scopedVars",
      "repeatIteration",
      "repeatPanelId",
      "editable",
      "error",
      "isNew",
      "fieldConfig",
      "options",
    ];
    const notCarried = Object.keys(raw).filter((k) => !kept.includes(k) && !consumed.includes(k));
    const prefixes = [raw.prefix, raw.postfix].some((v) => typeof v === "string" && v !== "");
    const ranges =
      Array.isArray(raw.rangeMaps) && raw.rangeMaps.some((m) => isObject(m) && m.from !== "null");
    const lost = [...notCarried, ...(prefixes ? ["prefix/postfix"] : []), ...(ranges ? ["range maps"] : [])];
    this.rewrite(
      subject,
      `singlestat becomes ${isGauge ? "gauge" : "stat"}: unit, decimals, thresholds and colors, value maps, reducer (${valueName}) and sparkline carried over${lost.length ? `; not carried over: ${lost.sort().join(", ")}` : ""}`,
      "Grafana 7 replaced singlestat with stat and gauge, and Grafana 8 removed it",
    );
    return out;
  }
}
