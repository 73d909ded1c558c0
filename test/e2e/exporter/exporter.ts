/**
 * A synthetic Global Sovereign: every catalog metric with its declared type, labels and buckets, served
 * with prom-client on two endpoints, one per scrape job (the application's PromEx, and
 * prometheus-nats-exporter). `POST /scenario/<name>` on the application endpoint switches what it reports.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { MetricModel } from "../../../src/engine/model.ts";
import {
  flows,
  levels,
  observations,
  scenarios,
  unexportedIn,
  type Context,
  type Labels,
  type Scenario,
} from "./values.ts";

type Update = (context: Context, seconds: number) => void;

/** Integer events per label set, carrying fractions over, so rates come out exact over time. */
function eventCounter() {
  const carry = new Map<string, number>();
  return (labels: Labels, perSecond: number, seconds: number) => {
    const key = JSON.stringify(labels);
    const total = (carry.get(key) ?? 0) + perSecond * seconds;
    const events = Math.floor(total);
    carry.set(key, total - events);
    return events;
  };
}

/** A prom-client metric declared from the catalog, and how it advances; undefined when values.ts has no values for it. */
function declare(metric: MetricModel, registry: Registry): Update | undefined {
  const common = {
    name: metric.name,
    help: metric.help,
    labelNames: Object.keys(metric.labels),
    registers: [registry],
  };
  const events = eventCounter();
  let started = false;
  const level = levels[metric.name];
  const flow = flows[metric.name];
  const observed = observations[metric.name];
  if (metric.type === "histogram" && observed) {
    const histogram = new Histogram({ ...common, buckets: metric.buckets ?? [] });
    const next = new Map<string, number>();
    return (context, seconds) => {
      for (const { labels, perSecond, values } of observed(context)) {
        if (!started) histogram.zero(labels);
        const key = JSON.stringify(labels);
        for (let n = events(labels, perSecond, seconds); n > 0; n--) {
          const i = next.get(key) ?? 0;
          histogram.observe(labels, values[i % values.length]!);
          next.set(key, i + 1);
        }
      }
      started = true;
    };
  }
  if ((metric.type === "counter" || (metric.type === "gauge" && metric.monotonic)) && flow) {
    const value = metric.type === "counter" ? new Counter(common) : new Gauge(common);
    return (context, seconds) => {
      for (const { labels, perSecond, start } of flow(context)) {
        if (!started) value.inc(labels, start ?? 0);
        value.inc(labels, events(labels, perSecond, seconds));
      }
      started = true;
    };
  }
  if (metric.type === "gauge" && !metric.monotonic && level) {
    const gauge = new Gauge(common);
    return (context) => {
      gauge.reset();
      for (const { labels, value } of level(context)) gauge.set(labels, value);
    };
  }
  return undefined;
}

class Endpoint {
  readonly registry = new Registry();
  readonly updates: Update[] = [];
  private last?: number;

  /** Advances every metric to `now` (on each scrape), so rates follow wall-clock time. */
  async metrics(context: Context, now: number): Promise<string> {
    const seconds = this.last === undefined ? 0 : (now - this.last) / 1000;
    this.last = now;
    for (const update of this.updates) update(context, seconds);
    return this.registry.metrics();
  }
}

export interface ExporterPorts {
  /** The `global-sovereign` job's /metrics, and POST /scenario/<name>. */
  app: number;
  /** The `nats` job's /metrics. */
  nats: number;
}

export class Exporter {
  scenario: Scenario = "healthy";
  /** Catalog metrics it cannot export (no values in values.ts); `up` is Prometheus's own. */
  readonly unexported: string[] = [];
  private readonly started = Date.now();
  private readonly app = new Endpoint();
  private readonly nats = new Endpoint();
  private servers: http.Server[] = [];

  constructor(metrics: MetricModel[]) {
    for (const metric of metrics) {
      if (metric.origin.kind === "prometheus") continue;
      // prometheus-nats-exporter's metrics are scraped by the nats job, the rest by the application's.
      const endpoint = metric.origin.kind === "exporter" ? this.nats : this.app;
      const update = declare(metric, endpoint.registry);
      if (update) endpoint.updates.push(update);
      else this.unexported.push(metric.name);
    }
  }

  async listen(ports: Partial<ExporterPorts> = {}): Promise<ExporterPorts> {
    const app = await this.serve(this.app, ports.app ?? 0, true);
    const nats = await this.serve(this.nats, ports.nats ?? 0, false);
    return { app, nats };
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))));
    this.servers = [];
  }

  private async serve(endpoint: Endpoint, port: number, control: boolean): Promise<number> {
    const server = http.createServer((req, res) => {
      const reply = (status: number, body: string, type = "text/plain") =>
        res.writeHead(status, { "content-type": type }).end(body);
      const scenario = /^\/scenario\/([\w-]+)$/.exec(req.url ?? "")?.[1];
      if (control && req.method === "POST" && scenario !== undefined) {
        if (!(scenarios as readonly string[]).includes(scenario))
          return reply(404, `unknown scenario ${scenario}; one of ${scenarios.join(", ")}\n`);
        this.scenario = scenario as Scenario;
        return reply(200, `${scenario}\n`);
      }
      if (control && req.url === "/scenario") return reply(200, `${this.scenario}\n`);
      if (req.url !== "/metrics") return reply(404, "not found\n");
      if (control && this.scenario === "metrics-endpoint-down")
        return reply(503, "PromEx is not answering\n");
      const context = { scenario: this.scenario, t: (Date.now() - this.started) / 1000 };
      const dropped = unexportedIn[this.scenario];
      endpoint.metrics(context, Date.now()).then(
        (text) =>
          reply(
            200,
            dropped
              ? text
                  .split("\n")
                  .filter((line) => !new RegExp(`^(# (HELP|TYPE) )?${dropped}[ {]`).test(line))
                  .join("\n")
              : text,
            endpoint.registry.contentType,
          ),
        (error: unknown) => reply(500, `${String(error)}\n`),
      );
    });
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    this.servers.push(server);
    return (server.address() as AddressInfo).port;
  }
}
