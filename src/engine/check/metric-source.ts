/**
 * A live Prometheus (`o11y check --prometheus <url>`) as the source of what a rule file from elsewhere can only guess
 * offline: each metric's type (`/api/v1/metadata`), which metric names it stores (`/api/v1/label/__name__/values`),
 * and whether each selector matches any series now (instant queries that test many selectors each). Everything is
 * fetched before the checks run (they are synchronous), in as few requests as that takes, each with a deadline.
 */
import type { LiveSeries } from "./check.ts";
import type { TypeSource } from "./foreign-types.ts";
import { parsePromQL, selectors } from "../promql/parse.ts";
import type { SeriesType } from "../promql/semantics.ts";

/** Why the server could not be used: said plainly, and the command stops (exit 2). */
export class PrometheusUnavailable extends Error {}

/** The server refused a query (HTTP 400): one of the selectors in it is one it cannot read. */
class RefusedQuery extends PrometheusUnavailable {}

export interface PrometheusSource extends TypeSource, LiveSeries {
  /** HTTP requests made, by endpoint, for the note the command prints. */
  requests: { metadata: number; names: number; selectors: number };
}

export interface FetchOptions {
  /** Per request. */
  timeoutMs?: number;
  /** At most this many characters of PromQL in one query (sent as a form, not in the URL). */
  batchChars?: number;
  /** At most this many queries at once: a server is not ours to flood. */
  parallel?: number;
}

type MetadataEntry = { type?: string };
interface ApiResponse<T> {
  status?: string;
  data?: T;
  error?: string;
}

/** The label the batched query puts each selector's index in; a name no exporter uses. */
const indexLabel = "o11y_check_selector";

/** The kind a series of `name` has, by the type Prometheus reports for its metric family. */
function kindFrom(name: string, metadata: Map<string, string>): SeriesType["kind"] | undefined {
  const own = metadata.get(name);
  if (own === "counter") return "counter";
  if (own === "gauge" || own === "info" || own === "stateset") return "gauge";
  // A counter's family may be named without _total (OpenMetrics).
  if (name.endsWith("_total") && metadata.get(name.slice(0, -"_total".length)) === "counter")
    return "counter";
  const suffix = /^(.*)_(bucket|count|sum)$/.exec(name);
  const family = suffix ? metadata.get(suffix[1]!) : undefined;
  if (family === "histogram") return suffix![2] === "bucket" ? "bucket" : "counter";
  if (family === "summary" && suffix![2] !== "bucket") return "counter";
  if (own === "summary") return "summary-quantile";
  // A native histogram's own name, an unknown or untyped family: nothing to say.
  return undefined;
}

async function get<T>(url: string, what: string, timeoutMs: number, body?: URLSearchParams): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: body ? "POST" : "GET",
      headers: body ? { "content-type": "application/x-www-form-urlencoded" } : {},
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new PrometheusUnavailable(`cannot reach ${url} (${what}): ${why}`);
  }
  const text = await response.text();
  let parsed: ApiResponse<T>;
  try {
    parsed = JSON.parse(text) as ApiResponse<T>;
  } catch {
    throw new PrometheusUnavailable(
      `${url} (${what}) answered HTTP ${response.status} with something that is not Prometheus's API: ${text.slice(0, 120)}`,
    );
  }
  if (response.status === 400)
    throw new RefusedQuery(`${url} (${what}) refused the query: ${parsed.error ?? text.slice(0, 120)}`);
  if (!response.ok || parsed.status !== "success" || parsed.data === undefined) {
    throw new PrometheusUnavailable(
      `${url} (${what}) answered HTTP ${response.status}: ${parsed.error ?? text.slice(0, 120)}`,
    );
  }
  return parsed.data;
}

/**
 * What the server at `base` says of the metric types, the names it stores, and of `selectors` (vector selectors as
 * written, like `up{job="api"}`). Throws PrometheusUnavailable when it cannot be asked.
 */
export async function fetchFromPrometheus(
  base: string,
  selectors: readonly string[],
  options: FetchOptions = {},
): Promise<PrometheusSource> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const batchChars = options.batchChars ?? 100_000;
  const parallel = options.parallel ?? 4;
  const root = base.replace(/\/+$/, "");
  const requests = { metadata: 0, names: 0, selectors: 0 };

  requests.metadata++;
  const metadataAnswer = get<Record<string, MetadataEntry[]>>(
    `${root}/api/v1/metadata`,
    "metric metadata",
    timeoutMs,
  );
  requests.names++;
  const namesAnswer = get<string[]>(`${root}/api/v1/label/__name__/values`, "metric names", timeoutMs);

  // Many selectors per query: each labelled with its index, kept only if it matches anything now.
  const unique = [...new Set(selectors)];
  const batches: Array<Array<{ selector: string; index: number }>> = [];
  let current: Array<{ selector: string; index: number }> = [];
  let size = 0;
  for (const [index, selector] of unique.entries()) {
    if (current.length && size + selector.length > batchChars) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ selector, index });
    size += selector.length + 80;
  }
  if (current.length) batches.push(current);
  const matched = new Set<number>();
  /** Selectors the server refused to read (a syntax newer than it): not known either way. */
  const unasked = new Set<number>();
  const ask = async (batch: Array<{ selector: string; index: number }>): Promise<void> => {
    const query = batch
      .map(
        ({ selector, index }) =>
          `group by (${indexLabel}) (label_replace(${selector}, "${indexLabel}", "${index}", "", ""))`,
      )
      .join(" or ");
    requests.selectors++;
    try {
      const data = await get<{ result: Array<{ metric: Record<string, string> }> }>(
        `${root}/api/v1/query`,
        "selectors",
        timeoutMs,
        new URLSearchParams({ query }),
      );
      for (const sample of data.result) matched.add(Number(sample.metric[indexLabel]));
    } catch (error) {
      if (!(error instanceof RefusedQuery)) throw error;
      // Find which, by halves: a few more requests for one selector the server cannot read.
      if (batch.length === 1) {
        unasked.add(batch[0]!.index);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await ask(batch.slice(0, half));
      await ask(batch.slice(half));
    }
  };
  // `parallel` workers take the batches in turn.
  let next = 0;
  const selectorAnswers = Array.from({ length: Math.min(parallel, batches.length) }, async () => {
    while (next < batches.length) await ask(batches[next++]!);
  });

  const [metadataData, namesData] = await Promise.all([metadataAnswer, namesAnswer, ...selectorAnswers]);
  const metadata = new Map<string, string>();
  for (const [name, entries] of Object.entries(metadataData as Record<string, MetadataEntry[]>)) {
    const types = new Set(entries.map((entry) => entry.type));
    // Targets that disagree tell nothing.
    if (types.size === 1) metadata.set(name, [...types][0]!);
  }
  const names = new Set(namesData as string[]);
  const indexOf = new Map(unique.map((selector, index) => [selector, index]));
  const because = `type from the metadata of ${root}`;
  return {
    url: root,
    requests,
    typeOf(name) {
      const kind = kindFrom(name, metadata);
      return kind ? { kind, because } : undefined;
    },
    names,
    matches(selector) {
      const index = indexOf.get(selector);
      return index === undefined || unasked.has(index) ? undefined : matched.has(index);
    },
  };
}

/** The vector selectors of rule expressions as written (`up{job="api"}`), which promql/series asks the server about. */
export function selectorsOf(expressions: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const text of expressions) {
    const expr = parsePromQL(text, { grafana: false });
    if (expr.errorAt !== undefined) continue;
    for (const selector of selectors(expr)) found.add(text.slice(selector.node.from, selector.node.to));
  }
  return [...found];
}
