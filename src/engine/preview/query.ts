/**
 * Real data for the preview: each panel's queries asked of a Prometheus server (`/api/v1/query_range`, or
 * `/api/v1/query` for an instant query) over the dashboard's time range, with its variables substituted
 * (variables.ts). The answers are embedded in the page, which then opens from disk.
 */
import type { PanelInfo, PanelQuery } from "./panels.ts";
import { intervalsFor, type TimeRange } from "./time-range.ts";
import {
  builtinValues,
  labelValuesQuery,
  substitute,
  UnknownVariable,
  variableValues,
  type TemplateVariable,
} from "./variables.ts";

/** One series: its name (the legend), labels, and `[unix seconds, value]` points (null: NaN or infinite). */
export interface Series {
  name: string;
  labels: Record<string, string>;
  points: Array<[number, number | null]>;
}

export interface QueryData {
  refId: string;
  /** The query as sent, variables substituted. */
  sent?: string;
  series: Series[];
  /** Why this query has no data: the server refused it, or a variable could not be substituted. */
  error?: string;
}

/** The server cannot be asked at all: the command says so and stops. */
export class PrometheusUnreachable extends Error {}

/** The server answered, and refused this query. */
class QueryRefused extends Error {}

export interface ServerOptions {
  url: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

interface ApiAnswer<T> {
  status?: string;
  data?: T;
  error?: string;
}

/** A Prometheus HTTP API client that tells a refused query from a server it cannot use. */
export class PrometheusClient {
  private root: string;
  private timeoutMs: number;
  /** At most this many requests at once: the server is not ours to flood. */
  private slots = 4;
  private waiting: Array<() => void> = [];
  requests = 0;

  constructor(options: ServerOptions) {
    this.root = options.url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  get url(): string {
    return this.root;
  }

  private async slot<T>(run: () => Promise<T>): Promise<T> {
    if (this.slots === 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.slots--;
    try {
      return await run();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.slots++;
    }
  }

  async ask<T>(endpoint: string, params: Record<string, string>, what: string): Promise<T> {
    return this.slot(async () => {
      this.requests++;
      let response: Response;
      try {
        response = await fetch(`${this.root}${endpoint}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(params),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why =
          (error as Error).name === "TimeoutError"
            ? `no answer within ${this.timeoutMs / 1000} s`
            : (cause?.code ?? cause?.message ?? (error as Error).message);
        throw new PrometheusUnreachable(`cannot reach ${this.root} (${what}): ${why}`);
      }
      const body = await response.text();
      let answer: ApiAnswer<T>;
      try {
        answer = JSON.parse(body) as ApiAnswer<T>;
      } catch {
        throw new PrometheusUnreachable(
          `${this.root}${endpoint} (${what}) answered HTTP ${response.status} with something that is not Prometheus's API: ${body.slice(0, 120)}`,
        );
      }
      // 400 (bad query) and 422 (cannot be executed): this query's problem, not the server's.
      if (response.status === 400 || response.status === 422)
        throw new QueryRefused(answer.error ?? `HTTP ${response.status}`);
      if (!response.ok || answer.status !== "success" || answer.data === undefined)
        throw new PrometheusUnreachable(
          `${this.root}${endpoint} (${what}) answered HTTP ${response.status}: ${answer.error ?? body.slice(0, 120)}`,
        );
      return answer.data;
    });
  }
}

interface ApiSeries {
  metric?: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

const sampleValue = (text: string) => {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
};

/** The legend: `{{label}}` filled in from the series' labels; without one, the series as Prometheus names it. */
export function seriesName(labels: Record<string, string>, legendFormat: string | undefined): string {
  if (legendFormat && legendFormat !== "__auto")
    return legendFormat.replace(
      /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g,
      (_, name: string) => labels[name] ?? "",
    );
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return `${name ?? ""}${inner || !name ? `{${inner}}` : ""}`;
}

async function runQuery(
  client: PrometheusClient,
  query: PanelQuery,
  sent: string,
  range: TimeRange,
  stepSeconds: number,
): Promise<Series[]> {
  const toSeries = (raw: ApiSeries[], pointsOf: (s: ApiSeries) => Array<[number, string]>) =>
    raw.map((s) => {
      const labels = s.metric ?? {};
      return {
        name: seriesName(labels, query.legendFormat),
        labels,
        points: pointsOf(s).map(([t, v]) => [t, sampleValue(v)] as [number, number | null]),
      };
    });
  if (query.instant) {
    const data = await client.ask<{ resultType: string; result: ApiSeries[] | [number, string] }>(
      "/api/v1/query",
      { query: sent, time: String(range.to) },
      `query ${query.refId}`,
    );
    if (data.resultType === "scalar")
      return [
        {
          name: query.legendFormat || "scalar",
          labels: {},
          points: [[range.to, sampleValue((data.result as [number, string])[1])]],
        },
      ];
    return toSeries(data.result as ApiSeries[], (s) => (s.value ? [s.value] : []));
  }
  const start = Math.floor(range.from / stepSeconds) * stepSeconds;
  const data = await client.ask<{ resultType: string; result: ApiSeries[] }>(
    "/api/v1/query_range",
    { query: sent, start: String(start), end: String(range.to), step: String(stepSeconds) },
    `query ${query.refId}`,
  );
  return toSeries(data.result, (s) => s.values ?? []);
}

export interface DashboardDataOptions {
  range: TimeRange;
  /** The data source's scrape interval (its `timeInterval`): the least `$__interval`. */
  scrapeMs: number;
}

/**
 * Asks `client` for every query of `panels` (each with its width in pixels, for its number of data points),
 * with the dashboard's variables at their defaults. A refused query is that query's error; a server that
 * cannot be asked throws PrometheusUnreachable.
 */
export async function fetchPanelData(
  client: PrometheusClient,
  variables: TemplateVariable[],
  panels: Array<{ info: PanelInfo; widthPx: number }>,
  options: DashboardDataOptions,
): Promise<QueryData[][]> {
  const { range } = options;
  const values = await variableValues(variables, async (variable, known) => {
    const asked = labelValuesQuery(variable, known);
    if (!asked) return undefined;
    try {
      const params: Record<string, string> = { start: String(range.from), end: String(range.to) };
      if (asked.match) params["match[]"] = asked.match;
      return await client.ask<string[]>(
        `/api/v1/label/${encodeURIComponent(asked.label)}/values`,
        params,
        `variable $${variable.name}`,
      );
    } catch (error) {
      if (error instanceof QueryRefused) return undefined;
      throw error;
    }
  });
  return Promise.all(
    panels.map(({ info, widthPx }) => {
      const intervals = intervalsFor(range, options.scrapeMs, Math.max(1, Math.round(widthPx)));
      const all = { ...values, ...builtinValues(range, intervals) };
      return Promise.all(
        info.queries
          .filter((q) => !q.hidden)
          .map(async (query): Promise<QueryData> => {
            let sent: string;
            try {
              sent = substitute(query.expr, all);
            } catch (error) {
              if (error instanceof UnknownVariable)
                return { refId: query.refId, series: [], error: error.message };
              throw error;
            }
            try {
              const series = await runQuery(client, query, sent, range, intervals.intervalMs / 1000);
              return { refId: query.refId, sent, series };
            } catch (error) {
              if (error instanceof QueryRefused)
                return {
                  refId: query.refId,
                  sent,
                  series: [],
                  error: `the server refused it: ${error.message}`,
                };
              throw error;
            }
          }),
      );
    }),
  );
}
