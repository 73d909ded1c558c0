/**
 * Where MetricsQL (VictoriaMetrics) and PromQL (Prometheus) answer our queries differently, on the same samples:
 * Prometheus scrapes the synthetic exporter and evaluates our recording rules; its raw samples (recorded series
 * included) are copied into victoria-metrics; then every recording rule, alert expression and panel query
 * (time-compressed, as the end-to-end suite sends them) runs on both at the same instant. The queries whose
 * answers differ are listed below with the reason, as the README says; the test fails when the list is wrong
 * either way, so a new difference (or one that went away) is seen.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { settings } from "../../src/config.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { panelQueries } from "./assertions.ts";
import { prometheusEngine } from "./engines.ts";
import { Exporter } from "./exporter/exporter.ts";
import {
  folderWith,
  PrometheusApi,
  removeFolders,
  requireBinary,
  sleep,
  startServer,
  type Sample,
  type Server,
} from "./harness.ts";
import { compressExpr } from "./profile.ts";

const { model } = compile(project);

/**
 * The functions whose MetricsQL answer differs from PromQL's on identical samples, and why; a query differs only
 * if it uses one of them (the README's "Deploying: VictoriaMetrics" says the same).
 */
const differentFunctions: Record<string, string> = {
  rate: "PromQL extrapolates the increase inside the window to its edges; MetricsQL takes the increase from the last sample before the window, without extrapolating",
  increase:
    "the same as rate: MetricsQL's is the exact increase (an integer for integer counters), PromQL's is extrapolated",
  delta: "the same: MetricsQL's is last minus the sample before the window, PromQL's is extrapolated",
};
/** History before comparing: the longest compressed window is 1m. */
const historyMs = 70_000;

const servers: Server[] = [];
let exporter: Exporter | undefined;
let prometheus: PrometheusApi;
let victoria: PrometheusApi;
let at = 0;

beforeAll(async () => {
  try {
    requireBinary("victoria-metrics", "victoria-metrics");
    exporter = new Exporter(model.metrics);
    const ports = await exporter.listen();
    const started = await prometheusEngine.start("metricsql", model, {
      scrapeTargets: {
        [settings.jobs.app]: [`127.0.0.1:${ports.app}`],
        [settings.jobs.nats]: [`127.0.0.1:${ports.nats}`],
      },
      // No Alertmanager: nothing here is about notifications.
      alertmanager: "127.0.0.1:9",
    });
    servers.push(...started.servers);
    prometheus = started.api;
    const vm = await startServer(
      "victoria-metrics (metricsql)",
      requireBinary("victoria-metrics", "victoria-metrics"),
      (port) => [
        "-storageDataPath=data",
        `-httpListenAddr=127.0.0.1:${port}`,
        "-search.latencyOffset=0s",
        "-search.disableCache",
      ],
      folderWith("o11y-e2e-metricsql-", {}),
    );
    servers.push(vm);
    victoria = new PrometheusApi(vm.url);
    await sleep(historyMs);
    // Every raw sample Prometheus holds, recorded series included, into VictoriaMetrics as they are.
    // A few seconds back: a scrape or rule evaluation stamped before `at` but still being written when the samples
    // are read would reach Prometheus's answers and not VictoriaMetrics' copy.
    at = Math.floor(Date.now() / 1000) - 5;
    const raw = await prometheus.get<{ resultType: string; result: Sample[] }>("/api/v1/query", {
      query: `{__name__=~".+"}[${Math.ceil(historyMs / 1000) + 10}s]`,
      time: at,
    });
    const lines = raw.response.data.result.map((s) =>
      JSON.stringify({
        metric: s.metric,
        values: s.values!.map(([, v]) => Number(v)),
        timestamps: s.values!.map(([t]) => Math.round(t * 1000)),
      }),
    );
    const imported = await fetch(`${vm.url}/api/v1/import`, { method: "POST", body: lines.join("\n") });
    if (!imported.ok)
      throw new Error(`import into victoria-metrics: ${imported.status} ${await imported.text()}`);
    await fetch(`${vm.url}/internal/force_flush`);
  } catch (error) {
    await Promise.allSettled(servers.map((s) => s.stop()));
    throw error;
  }
}, historyMs + 60_000);

afterAll(async () => {
  await Promise.allSettled([...servers.splice(0).map((s) => s.stop()), exporter?.close()]);
  removeFolders();
}, 30_000);

/** A result as comparable text: each series' labels (without __name__, which engines drop alike) and value. */
function answer(result: Sample[]): Map<string, number> {
  return new Map(
    result.map((s) => {
      const { __name__: _name, ...labels } = s.metric;
      const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      return [key, Number(s.value![1])];
    }),
  );
}

const same = (a: number, b: number) =>
  (Number.isNaN(a) && Number.isNaN(b)) ||
  a === b ||
  Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/** How the answers differ: a series one engine has and the other not, or the largest relative difference of a value. */
function difference(
  p: Map<string, number>,
  v: Map<string, number>,
): { missing?: string; relative: number; shown: string } {
  let worst = { relative: 0, shown: "" };
  for (const key of new Set([...p.keys(), ...v.keys()])) {
    const a = p.get(key);
    const b = v.get(key);
    const shown = `series ${key}: Prometheus ${a ?? "none"}, VictoriaMetrics ${b ?? "none"}`;
    if (a === undefined || b === undefined) return { missing: shown, relative: Infinity, shown };
    if (same(a, b)) continue;
    const relative = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    if (relative > worst.relative) worst = { relative, shown };
  }
  return worst;
}

const functionsIn = (query: string) =>
  Object.keys(differentFunctions).filter((name) => new RegExp(`\\b${name}\\s*\\(`).test(query));

describe("MetricsQL and PromQL on the same samples", () => {
  test("answer every recording rule, alert expression and panel query alike, but where rate, increase or delta make them differ", async () => {
    const range = { from: at - 30, to: at };
    const queries = [
      ...model.recordingRules.map((r) => ({
        what: `recording rule ${r.record}`,
        query: compressExpr(r.expr),
      })),
      ...model.alerts.map((a) => ({ what: `alert ${a.name}`, query: compressExpr(a.expr) })),
      ...panelQueries(model, range).map((q) => ({
        what: `dashboard ${q.dashboard.uid} panel ${q.panel.id} query ${q.refId}`,
        query: q.query,
      })),
    ];
    const unexplained: string[] = [];
    const seen = new Set<string>();
    let compared = 0;
    for (const { what, query } of queries) {
      const [p, v] = await Promise.all([prometheus.query(query, at), victoria.query(query, at)]);
      expect(p.response.status, `${what}: Prometheus ${p.body}`).toBe("success");
      expect(v.response.status, `${what}: VictoriaMetrics ${v.body}`).toBe("success");
      const pa = answer(p.response.data.result);
      if (pa.size > 0) compared++;
      const found = difference(pa, answer(v.response.data.result));
      if (found.relative === 0) continue;
      const functions = functionsIn(query);
      functions.forEach((name) => seen.add(name));
      const line = `${what}: ${query}\n    ${found.shown}`;
      if (functions.length === 0) unexplained.push(line);
    }
    // Most queries must have data to compare, or the test proves nothing.
    expect(compared, "queries with data on Prometheus").toBeGreaterThan(queries.length / 2);
    expect(
      unexplained,
      `answers differ, and the query uses none of ${Object.keys(differentFunctions).join(", ")}:\n${unexplained.join("\n")}`,
    ).toEqual([]);
    // Each listed function does differ on some query of ours: the list (and the README) is not stale.
    expect([...seen].sort()).toEqual(Object.keys(differentFunctions).sort());
  }, 120_000);
});
