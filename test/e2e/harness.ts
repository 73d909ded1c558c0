/**
 * Real servers for the end-to-end suite: Debian's prometheus and alertmanager on free ports with data
 * in temporary folders, a webhook sink standing in for PagerDuty and Slack, and a small Prometheus API client.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
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

/** Ports this process has handed out: two servers of one suite never get the same port. */
const handedOut = new Set<number>();

/** A port nothing listens on now (another process may still take it before it is used: see startServer). */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

/**
 * Whether process `pid` holds the socket listening on 127.0.0.1:`port`, read from Linux's /proc (true where there
 * is no /proc). A server that lost its port to another one exits, but the other one answers in the meantime.
 */
export function listensOn(pid: number, port: number): boolean {
  let table: string;
  try {
    table = readFileSync("/proc/net/tcp", "utf8");
  } catch {
    return true;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inodes = new Set(
    table
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[1] === local && f[3] === "0A")
      .map((f) => `socket:[${f[9]}]`),
  );
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
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
  /** Why the process is gone, when it ended without stop(): a failure message; undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** The server lost its port to another process between freePort and its own listen. */
class PortTaken extends Error {}

/**
 * Starts a binary on a free port (`argsFor` puts it in the arguments), waits until `<url>/-/ready` answers 200 from
 * that process, and fails with its output if it exits or never does. A port taken meanwhile by another process (a
 * server of another test run, or any program) is given up for another one.
 */
export async function startServer(
  name: string,
  binary: string,
  argsFor: (port: number) => string[],
  dir: string,
): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(name, binary, argsFor(port), port, dir);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error;
    }
  }
}

async function launch(
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
  let stopping = false;
  const server: Server = {
    name,
    url: `http://127.0.0.1:${port}`,
    dir,
    output: () => log.split("\n").slice(-25).join("\n"),
    exited: () =>
      stopping || (child.exitCode === null && child.signalCode === null)
        ? undefined
        : `${name} ended by itself (${child.exitCode ?? child.signalCode}):\n${server.output()}`,
    async stop() {
      stopping = true;
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
    if (child.exitCode !== null || child.signalCode !== null) {
      children.delete(child);
      const message = `${name} exited with code ${child.exitCode ?? child.signalCode}:\n${server.output()}`;
      throw /address already in use/i.test(log) ? new PortTaken(message) : new Error(message);
    }
    const ready = await fetch(`${server.url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready && listensOn(child.pid!, port)) return server;
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
