/**
 * The engines the end-to-end suite runs on, each started per scenario from the files the engine renders for it:
 * Debian's prometheus (prometheus.yml and the rule files), or VictoriaMetrics (vmagent scrapes the exporter with
 * build/victoriametrics/vmagent.yml into victoria-metrics, vmalert evaluates build/victoriametrics/rules/ against
 * it, writes the recording rules and ALERTS back, and notifies Alertmanager). Both answer the suite through the
 * Prometheus query API.
 */
import type { Model } from "../../src/engine/model.ts";
import { schemaKind } from "../../src/engine/render/artifact.ts";
import { renderVictoriaMetrics } from "../../src/engine/render/victoriametrics.ts";
import { folderWith, PrometheusApi, requireBinary, sleep, startServer, type Server } from "./harness.ts";
import { compressedModel, prometheusFiles, type Wiring } from "./profile.ts";

export interface EngineStack {
  /** Queries (and, with `alerts()`, the alerts its rule evaluator holds). */
  api: PrometheusApi;
  servers: Server[];
}

export interface Engine {
  /** As test names and messages say it. */
  name: string;
  /** Fails, never skips, when a binary is missing. */
  requireBinaries(): void;
  start(scenario: string, model: Model, wiring: Wiring): Promise<EngineStack>;
}

export const prometheusEngine: Engine = {
  name: "Prometheus",
  requireBinaries: () => void requireBinary("prometheus", "prometheus"),
  async start(scenario, model, wiring) {
    const binary = requireBinary("prometheus", "prometheus");
    const files = prometheusFiles(model, wiring);
    const dir = folderWith(
      `o11y-e2e-${scenario}-`,
      Object.fromEntries(files.map((f) => [f.path, f.content])),
    );
    const prometheus = await startServer(
      `prometheus (${scenario})`,
      binary,
      (port) => [
        "--config.file=prometheus/prometheus.yml",
        "--storage.tsdb.path=data",
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      dir,
    );
    return { api: new PrometheusApi(prometheus.url), servers: [prometheus] };
  },
};

export const victoriaMetricsEngine: Engine = {
  name: "VictoriaMetrics",
  requireBinaries() {
    for (const binary of ["victoria-metrics", "vmagent", "vmalert"])
      requireBinary(binary, "victoria-metrics");
  },
  async start(scenario, model, wiring) {
    const binary = (name: string) => requireBinary(name, "victoria-metrics");
    const outputs = {
      victoriaMetrics: model.settings.outputs?.victoriaMetrics ?? { vmalertVersion: "1.79.5" },
    };
    const compressed = compressedModel(model, wiring);
    const files = renderVictoriaMetrics(
      { ...compressed, settings: { ...compressed.settings, outputs } },
      outputs.victoriaMetrics,
    );
    const dir = folderWith(
      `o11y-e2e-vm-${scenario}-`,
      Object.fromEntries(files.map((f) => [f.path, f.content])),
    );
    const servers: Server[] = [];
    try {
      const vm = await startServer(
        `victoria-metrics (${scenario})`,
        binary("victoria-metrics"),
        (port) => [
          "-storageDataPath=data",
          `-httpListenAddr=127.0.0.1:${port}`,
          // Queries see samples as soon as they are written (by default the newest 30 s are hidden), uncached.
          "-search.latencyOffset=0s",
          "-search.disableCache",
        ],
        dir,
      );
      servers.push(vm);
      servers.push(
        await startServer(
          `vmagent (${scenario})`,
          binary("vmagent"),
          (port) => [
            "-promscrape.config=victoriametrics/vmagent.yml",
            `-remoteWrite.url=${vm.url}/api/v1/write`,
            "-remoteWrite.tmpDataPath=vmagent-data",
            "-remoteWrite.flushInterval=200ms",
            `-httpListenAddr=127.0.0.1:${port}`,
          ],
          dir,
        ),
      );
      await firstScrapesStored(new PrometheusApi(vm.url), Object.keys(wiring.scrapeTargets), scenario);
      const rules = files
        .filter((f) => schemaKind(f.schema) === "vmalert-rules")
        .map((f) => `-rule=${f.path}`);
      const vmalert = await startServer(
        `vmalert (${scenario})`,
        binary("vmalert"),
        (port) => [
          ...rules,
          `-datasource.url=${vm.url}`,
          `-remoteWrite.url=${vm.url}`,
          "-remoteWrite.flushInterval=200ms",
          `-notifier.url=http://${wiring.alertmanager}`,
          "-evaluationInterval=1s",
          `-httpListenAddr=127.0.0.1:${port}`,
        ],
        dir,
      );
      servers.push(vmalert);
      return { api: new PrometheusApi(vm.url, vmalert.url), servers };
    } catch (error) {
      await Promise.allSettled(servers.map((s) => s.stop()));
      throw error;
    }
  },
};

/**
 * Waits until every scrape job's first scrape is stored whole. vmagent writes a scrape in several requests, so
 * for a moment `up` can be stored without the scrape's other series; a rule evaluated then sees a metric as
 * missing (Prometheus commits a scrape at once). vmalert starts after this, as it would against a running stack.
 */
async function firstScrapesStored(api: PrometheusApi, jobs: string[], scenario: string): Promise<void> {
  const complete =
    'count by (job, instance) ({job!="", __name__!~"up|scrape_.+"})' +
    " >= on (job, instance) scrape_samples_post_metric_relabeling" +
    // A target that is down on purpose has stored its first scrape when `up` is there.
    " or on (job, instance) scrape_samples_post_metric_relabeling == 0";
  const deadline = Date.now() + 30_000;
  let last = "";
  while (Date.now() < deadline) {
    const answer = await api.query(complete, Date.now() / 1000);
    const stored = new Set((answer.response.data?.result ?? []).map((s) => s.metric.job));
    if (jobs.every((job) => stored.has(job))) return;
    last = `${answer.request} -> ${answer.body}`;
    await sleep(200);
  }
  throw new Error(`victoria-metrics (${scenario}): the first scrapes were not stored within 30 s: ${last}`);
}

export const engines: Engine[] = [prometheusEngine, victoriaMetricsEngine];
