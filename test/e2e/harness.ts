/**
 * Real servers for the end-to-end suite: Debian's prometheus and alertmanager on free ports with data
 * in temporary folders, a webhook sink standing in for PagerDuty and Slack, and a small Prometheus API client.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The suite fails, never skips, without the real binaries. */
export function requireBinary(name: string, debianPackage: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const binary = found.stdout.trim();
  if (found.status !== 0 || !binary) {
    throw new Error(
      `the e2e suite needs ${name} on PATH (Debian package ${debianPackage}): sudo apt-get install ${debianPackage}`,
    );
  }
  return binary;
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const children = new Set<ChildProcess>();
const folders = new Set<string>();

/** Deletes every temporary folder made by folderWith. */
export function removeFolders(): void {
  folders.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  folders.clear();
}

// Last resort if the worker exits or is signalled without afterAll: no orphans, no leftovers.
const cleanUp = () => {
  children.forEach((child) => child.kill("SIGKILL"));
  removeFolders();
};
process.once("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.kill(process.pid, signal);
  });
}

/** Kills `child` with the other servers if the worker ends without cleaning up; the returned function forgets it. */
export function adopt(child: ChildProcess): () => void {
  children.add(child);
  return () => children.delete(child);
}

export interface Server {
  name: string;
  url: string;
  dir: string;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a binary, waits until `<url>/-/ready` answers 200, and fails with its output if it exits or never does. */
export async function startServer(
  name: string,
  binary: string,
  args: string[],
  port: number,
  dir: string,
): Promise<Server> {
  // One OS thread of Go code each: the suite runs dozens of these servers on a machine of two cores, and each one's
  // idle threads spinning for work, and its parallel garbage collector, cost them all more than they gain.
  const env = { ...process.env, GOMAXPROCS: "1" };
  const child = spawn(binary, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let log = "";
  const collect = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = once(child, "exit");
  const server: Server = {
    name,
    url: `http://127.0.0.1:${port}`,
    dir,
    output: () => log.split("\n").slice(-25).join("\n"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode}:\n${server.output()}`);
    const ready = await fetch(`${server.url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return server;
    await sleep(200);
  }
  await server.stop();
  throw new Error(`${name} was not ready within 30s:\n${server.output()}`);
}

/** A temporary folder holding `files` (relative path -> content). */
export function folderWith(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  folders.add(dir);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

export interface Notification {
  receiver: string;
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

/** Stands in for PagerDuty and Slack: records every Alertmanager webhook notification. */
export class WebhookSink {
  readonly notifications: Notification[] = [];
  private server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      try {
        this.notifications.push(JSON.parse(body) as Notification);
      } catch {
        // Not a notification; the assertions will say nothing arrived.
      }
      res.writeHead(200).end();
    });
  });

  async listen(): Promise<string> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Receivers that were notified of a firing alert with this name. */
  receiversOf(alertname: string): string[] {
    const names = this.notifications
      .filter((n) => n.alerts.some((a) => a.status === "firing" && a.labels.alertname === alertname))
      .map((n) => n.receiver);
    return [...new Set(names)].sort();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

export interface ApiResponse<T = { resultType: string; result: Sample[] }> {
  status: string;
  data: T;
  error?: string;
}

/** A request to Prometheus's HTTP API and what came back, kept for failure messages. */
export interface Exchange<T> {
  request: string;
  response: ApiResponse<T>;
  body: string;
}

export class PrometheusApi {
  /** `alertsUrl`: where the rule evaluator answers /api/v1/alerts, when it is not the query server (vmalert). */
  constructor(
    readonly url: string,
    readonly alertsUrl: string = url,
  ) {}

  async get<T = { resultType: string; result: Sample[] }>(
    endpoint: string,
    params: Record<string, string | number>,
  ): Promise<Exchange<T>> {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const request = `${endpoint}?${query}`;
    const server = endpoint === "/api/v1/alerts" ? this.alertsUrl : this.url;
    const res = await fetch(`${server}${request}`);
    const body = await res.text();
    let response: ApiResponse<T>;
    try {
      response = JSON.parse(body) as ApiResponse<T>;
    } catch {
      response = { status: `http ${res.status}`, data: undefined as T, error: body };
    }
    // Shown unencoded, so a failure message reads like the query that was written.
    const shownRequest = `${endpoint}?${Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join("&")}`;
    return { request: shownRequest, response, body };
  }

  query(expr: string, time: number) {
    return this.get("/api/v1/query", { query: expr, time });
  }

  queryRange(expr: string, start: number, end: number, step: number) {
    return this.get("/api/v1/query_range", { query: expr, start, end, step });
  }

  labelValues(label: string, match: string | undefined, start: number, end: number) {
    return this.get<string[]>(
      `/api/v1/label/${encodeURIComponent(label)}/values`,
      match === undefined ? { start, end } : { "match[]": match, start, end },
    );
  }

  async alerts() {
    const exchange = await this.get<{
      alerts: Array<{ labels: Record<string, string>; state: string; value: string; activeAt: string }>;
    }>("/api/v1/alerts", {});
    // vmalert says `"alerts": null` where Prometheus says `[]`.
    if (exchange.response.data && exchange.response.data.alerts === null) exchange.response.data.alerts = [];
    return exchange;
  }
}

/**
 * Retries `attempt` until it returns no failures or the deadline passes; returns the last failures. It makes
 * `minAttempts` attempts even when the deadline has passed already (a test that starts late on a loaded machine),
 * so that one unlucky instant (a sample still being written while a rule reads) is not the whole verdict.
 */
export async function eventually(
  deadline: number,
  attempt: () => Promise<string[]>,
  pauseMs = 1000,
  minAttempts = 3,
): Promise<string[]> {
  for (let attempts = 1; ; attempts++) {
    const failures = await attempt();
    if (failures.length === 0 || (attempts >= minAttempts && Date.now() + pauseMs > deadline))
      return failures;
    await sleep(pauseMs);
  }
}
