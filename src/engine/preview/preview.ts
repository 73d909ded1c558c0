/**
 * `o11y preview` without the command: the dashboards of a build (its files, as `compile()` or a committed
 * build/ has them) as static pages, with data from a Prometheus server when one is given.
 */
import { parse as parseYaml } from "yaml";
import type { ArtifactFile } from "../diff/snapshot.ts";
import { parseDurationMs } from "../duration.ts";
import { dashboardsDir } from "../render/grafana.ts";
import { gridColumns, layOut, type PanelJson } from "./layout.ts";
import { dashboardPage, indexPage, pageStem, type PreviewDashboard, type PreviewData } from "./page.ts";
import { panelInfo } from "./panels.ts";
import { fetchPanelData, type PrometheusClient } from "./query.ts";
import { parseGrafanaTime, type TimeRange } from "./time-range.ts";
import type { TemplateVariable } from "./variables.ts";

/** Pixels: the width the pages are drawn at for pictures, and the width a panel's number of data points is taken from. */
export const pageWidth = 1600;

/** A dashboard or time that cannot be previewed: said in one line, and the command stops. */
export class PreviewError extends Error {}

/** The dashboards among a build's files, by uid. */
export function dashboardsOf(files: ArtifactFile[]): PreviewDashboard[] {
  const dashboards = files
    .filter((f) => f.path.startsWith(`${dashboardsDir}/`) && f.path.endsWith(".json"))
    .map((f) => {
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(f.content) as Record<string, unknown>;
      } catch (error) {
        throw new PreviewError(`${f.path} is not JSON: ${(error as Error).message}`);
      }
      const uid =
        typeof json.uid === "string" ? json.uid : f.path.slice(dashboardsDir.length + 1, -".json".length);
      const title = typeof json.title === "string" ? json.title : uid;
      return { uid, title, json, page: `${pageStem(uid)}.html` };
    });
  return dashboards.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/** The Prometheus data source's scrape interval (`jsonData.timeInterval`) in the build's provisioning; 15 s without one. */
export function scrapeIntervalMs(files: ArtifactFile[]): number {
  for (const file of files.filter((f) => f.path.startsWith("grafana/provisioning/datasources/"))) {
    const document = parseYaml(file.content) as {
      datasources?: Array<{ type?: string; jsonData?: { timeInterval?: unknown } }>;
    };
    for (const source of document?.datasources ?? []) {
      const interval = source.jsonData?.timeInterval;
      if (source.type === "prometheus" && typeof interval === "string" && parseDurationMs(interval) > 0)
        return parseDurationMs(interval);
    }
  }
  return 15_000;
}

export interface RangeOptions {
  /** Grafana times (`now-1h`) instead of each dashboard's own. */
  from?: string;
  to?: string;
  nowMs: number;
}

/** The dashboard's default time range (or the one asked for), in unix seconds. */
export function rangeOf(dashboard: PreviewDashboard, options: RangeOptions): TimeRange {
  const time = (dashboard.json.time ?? {}) as { from?: unknown; to?: unknown };
  const read = (asked: string | undefined, own: unknown, fallback: string, end: boolean) => {
    const text = asked ?? (typeof own === "string" ? own : fallback);
    const seconds = parseGrafanaTime(text, options.nowMs, end);
    if (seconds === undefined)
      throw new PreviewError(
        `${asked === undefined ? `dashboard ${dashboard.uid}: its time range` : "--from/--to"}: ${JSON.stringify(text)} is not a time Grafana reads (now-6h, now/d, 2026-01-31T12:00:00Z)`,
      );
    return seconds;
  };
  const range = {
    from: read(options.from, time.from, "now-6h", false),
    to: read(options.to, time.to, "now", true),
  };
  if (!(range.from < range.to))
    throw new PreviewError(
      `dashboard ${dashboard.uid}: the time range ends before it starts (${JSON.stringify(time)})`,
    );
  return range;
}

/** Every panel a dashboard shows, collapsed rows' included, with the width it is drawn at. */
function panelsOf(dashboard: PreviewDashboard): Array<{ panel: PanelJson; widthPx: number }> {
  const panels = Array.isArray(dashboard.json.panels) ? (dashboard.json.panels as PanelJson[]) : [];
  return layOut(panels).flatMap((section) =>
    section.panels.map((p) => ({ panel: p.panel, widthPx: (p.box.w / gridColumns) * pageWidth })),
  );
}

/** Each dashboard's data over its time range, asked of `client`. */
export async function fetchPreviewData(
  dashboards: PreviewDashboard[],
  client: PrometheusClient,
  options: RangeOptions & { scrapeMs: number },
): Promise<Map<string, PreviewData>> {
  // Every range first: a time that cannot be read stops the command before any request.
  const ranges = dashboards.map((d) => rangeOf(d, options));
  const data = new Map<string, PreviewData>();
  await Promise.all(
    dashboards.map(async (dashboard, i) => {
      const range = ranges[i]!;
      const panels = panelsOf(dashboard);
      const templating = (dashboard.json.templating ?? {}) as { list?: TemplateVariable[] };
      const answers = await fetchPanelData(
        client,
        Array.isArray(templating.list) ? templating.list : [],
        panels.map((p) => ({ info: panelInfo(p.panel), widthPx: p.widthPx })),
        { range, scrapeMs: options.scrapeMs },
      );
      data.set(dashboard.uid, {
        url: client.url,
        from: range.from,
        to: range.to,
        panels: new Map(panels.map((p, j) => [p.panel, answers[j]!])),
      });
    }),
  );
  return data;
}

export interface PreviewFile {
  path: string;
  content: string;
}

/** `index.html` and a page per dashboard. */
export function previewPages(
  dashboards: PreviewDashboard[],
  options: { data?: Map<string, PreviewData>; pictures?: Map<string, string> } = {},
): PreviewFile[] {
  const first = options.data?.values().next().value;
  return [
    {
      path: "index.html",
      content: indexPage(dashboards, {
        data: first && { url: first.url, from: first.from, to: first.to },
        pictures: options.pictures,
      }),
    },
    ...dashboards.map((d) => ({
      path: d.page,
      content: dashboardPage(d, dashboards, { data: options.data?.get(d.uid) }),
    })),
  ];
}
