/** What the preview shows of a panel, read from its Grafana JSON; anything missing or of the wrong type is left out. */
import type { PanelJson } from "./layout.ts";

export interface ThresholdStep {
  /** null: the base step, below every other. */
  value: number | null;
  color: string;
}

export interface PanelQuery {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant: boolean;
  /** Grafana's `format`: time_series (the default), table or heatmap. */
  format: string;
  hidden: boolean;
}

export interface PanelInfo {
  id: number | undefined;
  type: string;
  title: string;
  description: string;
  unit: string | undefined;
  decimals: number | undefined;
  min: number | undefined;
  max: number | undefined;
  thresholds: ThresholdStep[];
  queries: PanelQuery[];
  links: Array<{ title: string; url: string }>;
  /** Text panels: their content, shown as text. */
  content: string | undefined;
}

const text = (value: unknown) => (typeof value === "string" ? value : undefined);
const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function panelInfo(panel: PanelJson): PanelInfo {
  const defaults = record(record(panel.fieldConfig).defaults);
  const options = record(panel.options);
  const steps = list(record(defaults.thresholds).steps).flatMap((step) => {
    const s = record(step);
    const value = s.value === null || s.value === undefined ? null : number(s.value);
    return value === undefined ? [] : [{ value, color: text(s.color) ?? "green" }];
  });
  return {
    id: number(panel.id),
    type: text(panel.type) ?? "unknown",
    title: text(panel.title) ?? "",
    description: text(panel.description) ?? "",
    unit: text(defaults.unit) ?? text(record(options.yAxis).unit),
    decimals: number(defaults.decimals),
    min: number(defaults.min),
    max: number(defaults.max),
    thresholds: steps,
    queries: list(panel.targets).flatMap((target) => {
      const t = record(target);
      const expr = text(t.expr);
      if (expr === undefined) return [];
      return [
        {
          refId: text(t.refId) ?? "",
          expr,
          legendFormat: text(t.legendFormat),
          instant: t.instant === true,
          format: text(t.format) ?? "time_series",
          hidden: t.hide === true,
        },
      ];
    }),
    links: list(panel.links).flatMap((link) => {
      const l = record(link);
      const url = text(l.url);
      return url === undefined ? [] : [{ title: text(l.title) ?? url, url }];
    }),
    content: text(options.content),
  };
}
