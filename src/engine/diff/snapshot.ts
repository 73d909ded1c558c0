/**
 * One revision's build/ read back into the model's shapes: alerts and recording rules through the same
 * reader `o11y check` uses for foreign rule files, dashboards from their JSON. Diffs compare these, and
 * the checks run on them, so both revisions are judged from what they deploy.
 */
import { parse as parseYaml } from "yaml";
import { readRuleFile } from "../check/rule-file.ts";
import type {
  AlertModel,
  DashboardModel,
  PanelModel,
  RecordingRuleModel,
  RuleGroupModel,
  VariableModel,
} from "../model.ts";
import { dashboardsDir } from "../render/grafana.ts";
import { outputOf } from "../render/outputs.ts";
import { rulesDir, testsDir } from "../render/prometheus.ts";

/** A file of build/: its path under build/ and its text. */
export interface ArtifactFile {
  path: string;
  content: string;
}

export interface Snapshot {
  alerts: AlertModel[];
  recordingRules: RecordingRuleModel[];
  ruleGroups: RuleGroupModel[];
  dashboards: DashboardModel[];
  /** Every other file, parsed: path -> document. Not the manifest, nor promtool's tests: they deploy nothing. */
  others: Map<string, unknown>;
}

/** An artifact that cannot be read: the diff cannot say what it would deploy. */
export class ArtifactError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly revision?: string,
  ) {
    super(`${revision ? `${revision}: ` : ""}build/${path}: ${message}`);
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function parseDocument(file: ArtifactFile, revision?: string): unknown {
  try {
    return file.path.endsWith(".json")
      ? JSON.parse(file.content)
      : parseYaml(file.content, { prettyErrors: false });
  } catch (error) {
    throw new ArtifactError(
      file.path,
      `not valid ${file.path.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`,
      revision,
    );
  }
}

function panelModel(panel: Json, row: string | undefined, source: PanelModel["source"]): PanelModel {
  const grid = isObject(panel.gridPos) ? panel.gridPos : {};
  const at = (key: string) => (typeof grid[key] === "number" ? (grid[key] as number) : 0);
  const defaults =
    isObject(panel.fieldConfig) && isObject(panel.fieldConfig.defaults) ? panel.fieldConfig.defaults : {};
  const steps = isObject(defaults.thresholds) ? list(defaults.thresholds.steps) : [];
  const uid = (ds: unknown) => (isObject(ds) ? text(ds.uid) : undefined);
  const model: PanelModel = {
    id: typeof panel.id === "number" ? panel.id : 0,
    type: text(panel.type) ?? "",
    title: text(panel.title) ?? "",
    gridPos: { x: at("x"), y: at("y"), w: at("w"), h: at("h") },
    targets: list(panel.targets)
      .filter(isObject)
      .map((t, index) => {
        const target: PanelModel["targets"][number] = {
          refId: text(t.refId) ?? String(index),
          expr: text(t.expr) ?? "",
        };
        if (uid(t.datasource)) target.datasource = uid(t.datasource);
        if (text(t.legendFormat) !== undefined) target.legend = text(t.legendFormat);
        return target;
      }),
    thresholds: steps.flatMap((s) => (isObject(s) && typeof s.value === "number" ? [s.value] : [])),
    source,
  };
  if (row !== undefined) model.row = row;
  if (text(panel.description)) model.description = text(panel.description);
  if (uid(panel.datasource)) model.datasource = uid(panel.datasource);
  if (text(defaults.unit)) model.unit = text(defaults.unit);
  return model;
}

function dashboardModel(path: string, json: Json, revision?: string): DashboardModel {
  const uid = text(json.uid);
  if (!uid) throw new ArtifactError(path, "not a Grafana dashboard: no `uid`", revision);
  const source = { file: path, line: 1 };
  const dashboard: DashboardModel = {
    uid,
    title: text(json.title) ?? "",
    source,
    panels: [],
    rows: [],
    variables: [],
    links: [],
    json,
  };
  let row: string | undefined;
  const visit = (panel: Json) => {
    if (panel.type === "row") {
      row = text(panel.title) ?? "";
      dashboard.rows.push(panelModel(panel, undefined, source));
      list(panel.panels).filter(isObject).forEach(visit);
    } else dashboard.panels.push(panelModel(panel, row, source));
  };
  list(json.panels).filter(isObject).forEach(visit);
  const templating = isObject(json.templating) ? list(json.templating.list) : [];
  dashboard.variables = templating.filter(isObject).map((v) => {
    const variable: VariableModel = { name: text(v.name) ?? "", type: text(v.type) ?? "", source };
    const query = isObject(v.query) ? v.query.query : v.query;
    if (typeof query === "string") variable.query = query;
    return variable;
  });
  dashboard.links = list(json.links)
    .filter(isObject)
    .map((l) => ({ title: text(l.title) ?? "", url: text(l.url) ?? "" }));
  return dashboard;
}

/** Reads every file of a build; throws ArtifactError on the first one that is not what its path says. */
export function readSnapshot(files: ArtifactFile[], evaluationInterval = "1m", revision?: string): Snapshot {
  const snapshot: Snapshot = {
    alerts: [],
    recordingRules: [],
    ruleGroups: [],
    dashboards: [],
    others: new Map(),
  };
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (file.path === "manifest.json" || file.path.startsWith(`${testsDir}/`)) continue;
    // Kubernetes, Mimir, VictoriaMetrics: the same model again; each change is reported once, from the files above.
    if (outputOf(file.path) !== undefined) continue;
    if (file.path.startsWith(`${rulesDir}/`)) {
      const rules = readRuleFile(file.path, file.content, evaluationInterval);
      const problem = rules.diagnostics[0];
      if (problem) throw new ArtifactError(file.path, problem.message, revision);
      snapshot.alerts.push(...rules.alerts);
      snapshot.recordingRules.push(...rules.recordingRules);
      const kind: RuleGroupModel["kind"] = file.path.startsWith(`${rulesDir}/recording/`)
        ? "recording"
        : "alerts";
      snapshot.ruleGroups.push(...rules.groups.map((g) => ({ ...g, kind })));
      continue;
    }
    const document = parseDocument(file, revision);
    if (file.path.startsWith(`${dashboardsDir}/`) && file.path.endsWith(".json")) {
      if (!isObject(document))
        throw new ArtifactError(file.path, "not a Grafana dashboard: not a JSON object", revision);
      snapshot.dashboards.push(dashboardModel(file.path, document, revision));
    } else snapshot.others.set(file.path, document);
  }
  return snapshot;
}
