import type { Dashboard, DashboardBuilder, Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ThresholdDefinition } from "../define/alerting.ts";
import { debtOf, isImported } from "../define/imported-dashboard.ts";
import { locationOf, thresholdsOf } from "../define/registry.ts";
import { thresholdModel } from "./rules.ts";
import type { DashboardModel, PanelModel, VariableModel } from "../model.ts";
import type { SourceLocation } from "../source.ts";
import { canonicalize } from "./canonical-json.ts";
import { withoutGrafanaDefaults } from "./grafana-defaults.ts";

const unknownSource: SourceLocation = { file: "<unknown>", line: 0 };

/** Query letters A..Z, then AA, AB, ...: Grafana's own refId scheme. */
export function refIdFor(index: number): string {
  let id = "";
  let n = index;
  do {
    id = String.fromCharCode(65 + (n % 26)) + id;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return id;
}

type AnyPanel = Panel | RowPanel;

/**
 * Builds the SDK dashboard and turns it into the plain model: fills what the SDK leaves unset
 * (target refIds), records each panel's source line, and keeps the normalized JSON for rendering.
 */
export function compileDashboard(
  builder: DashboardBuilder,
  generatedNote: (source: SourceLocation) => string,
  thresholdNames: ReadonlyMap<object, string> = new Map(),
): DashboardModel {
  const built: Dashboard = builder.build();
  const source = locationOf(built) ?? unknownSource;
  const panels: PanelModel[] = [];
  const rows: PanelModel[] = [];
  let currentRow: string | undefined;

  const visit = (panel: AnyPanel, rowTitle: string | undefined, foldedInto?: number) => {
    const panelSource = locationOf(panel) ?? source;
    if (panel.type === "row") {
      const rowPanel = panel as RowPanel;
      currentRow = rowPanel.title;
      const rowModel = toPanelModel(rowPanel, undefined, panelSource);
      rows.push(rowModel);
      for (const nested of rowPanel.panels ?? [])
        visit(nested, rowPanel.title, rowPanel.collapsed ? rowModel.id : undefined);
      return;
    }
    const plain = panel as Panel;
    // Where each query() was called, looked up before the targets are copied.
    const querySources = (plain.targets ?? []).map((target) => locationOf(target));
    plain.targets = (plain.targets ?? []).map((target, index) => ({
      ...target,
      refId: (target as { refId?: string }).refId ?? refIdFor(index),
    }));
    const model = toPanelModel(plain, rowTitle, panelSource);
    if (foldedInto !== undefined) model.foldedInto = foldedInto;
    model.targets.forEach((target, index) => {
      const written = querySources[index];
      if (written) target.source = written;
    });
    const stated = thresholdsOf(panel) as readonly ThresholdDefinition[];
    if (stated.length) model.statedThresholds = stated.map((t) => thresholdModel(t, thresholdNames));
    panels.push(model);
  };
  for (const panel of built.panels ?? []) visit(panel, currentRow);

  const variables: VariableModel[] = (built.templating?.list ?? []).map((variable) => {
    const model: VariableModel = {
      name: variable.name,
      type: variable.type,
      source: locationOf(variable) ?? source,
    };
    const owed = debtOf(variable);
    if (owed.length) model.debt = owed;
    const q = variable.query;
    if (typeof q === "string") model.query = q;
    else if (q && typeof q === "object" && typeof (q as { query?: unknown }).query === "string")
      model.query = (q as { query: string }).query;
    return model;
  });

  const description = [built.description, generatedNote(source)].filter(Boolean).join("\n\n");
  const json = withoutGrafanaDefaults(
    canonicalize({ ...built, id: null, description }) as Record<string, unknown>,
  );
  const owed = debtOf(built);
  return {
    ...(owed.length ? { debt: owed } : {}),
    ...(isImported(built) ? { imported: true } : {}),
    uid: built.uid ?? "",
    title: built.title ?? "",
    source,
    panels,
    rows,
    variables,
    links: (built.links ?? []).map((link) => ({ title: link.title, url: link.url ?? "" })),
    json,
  };
}

function toPanelModel(panel: AnyPanel, row: string | undefined, source: SourceLocation): PanelModel {
  const gridPos = panel.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
  const model: PanelModel = {
    id: panel.id ?? 0,
    type: panel.type,
    title: panel.title ?? "",
    gridPos: { x: gridPos.x, y: gridPos.y, w: gridPos.w, h: gridPos.h },
    targets: [],
    thresholds: [],
    source,
  };
  if (row !== undefined) model.row = row;
  const owed = debtOf(panel);
  if (owed.length) model.debt = owed;
  if (panel.type === "row") return model;
  const p = panel as Panel;
  if (p.description) model.description = p.description;
  if (p.datasource?.uid) model.datasource = p.datasource.uid;
  const unit = p.fieldConfig?.defaults?.unit;
  if (unit) model.unit = unit;
  model.thresholds = (p.fieldConfig?.defaults?.thresholds?.steps ?? [])
    .map((step) => step.value)
    .filter((value): value is number => typeof value === "number");
  type Target = {
    refId: string;
    expr?: string;
    legendFormat?: string;
    datasource?: { uid?: string; type?: string };
  };
  // A query of another datasource (Loki, say) is not PromQL: the checks have nothing to say about it.
  const promql = (target: Target) => !target.datasource?.type || target.datasource.type === "prometheus";
  model.targets = ((p.targets as unknown as Target[] | undefined) ?? []).filter(promql).map((t) => {
    const out: PanelModel["targets"][number] = { refId: t.refId, expr: t.expr ?? "" };
    if (t.datasource?.uid) out.datasource = t.datasource.uid;
    if (t.legendFormat !== undefined) out.legend = t.legendFormat;
    return out;
  });
  return model;
}
