/**
 * `o11y check --prometheus <url> <rule files>` against a real Prometheus (Debian's, started with the end-to-end
 * suite's harness): it scrapes itself and the synthetic exporter, so its metadata types metrics our catalog does not
 * declare (its own), and its series are what the selectors must match.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { Exporter } from "../e2e/exporter/exporter.ts";
import {
  eventually,
  folderWith,
  freePort,
  PrometheusApi,
  removeFolders,
  requireBinary,
  startServer,
  type Server,
} from "../e2e/harness.ts";
import { projectRoot } from "../../src/engine/source.ts";

let prometheus: Server | undefined;
let exporter: Exporter | undefined;
const scratch = mkdtempSync(path.join(tmpdir(), "o11y-check-prometheus-"));

beforeAll(async () => {
  const binary = requireBinary("prometheus", "prometheus");
  exporter = new Exporter(compile(project).model.metrics);
  const ports = await exporter.listen();
  // Prometheus scrapes itself too, so the configuration names the port it is started on.
  const config = (port: number) =>
    [
      "global:",
      "  scrape_interval: 1s",
      "scrape_configs:",
      "  - job_name: prometheus",
      "    static_configs: [{ targets: ['127.0.0.1:" + port + "'] }]",
      "  - job_name: global-sovereign",
      "    static_configs: [{ targets: ['127.0.0.1:" + ports.app + "'] }]",
      "",
    ].join("\n");
  const dir = folderWith("o11y-check-prometheus-", {});
  prometheus = await startServer(
    "prometheus",
    binary,
    (port) => {
      writeFileSync(path.join(dir, "prometheus.yml"), config(port));
      return [
        "--config.file=prometheus.yml",
        "--storage.tsdb.path=data",
        `--web.listen-address=127.0.0.1:${port}`,
      ];
    },
    dir,
  );
  // Both targets scraped, and their metadata known.
  const api = new PrometheusApi(prometheus.url);
  const missing = await eventually(
    Date.now() + 30_000,
    async () => {
      const metadata = await api.get<Record<string, unknown>>("/api/v1/metadata", {});
      const up = await api.query("sum(up)", Date.now() / 1000);
      const problems: string[] = [];
      for (const name of ["go_goroutines", "phoenix_http_request_total"])
        if (!metadata.response.data?.[name]) problems.push(`no metadata for ${name} yet`);
      if (up.response.data?.result[0]?.value?.[1] !== "2")
        problems.push(`sum(up) is ${JSON.stringify(up.response.data?.result)}`);
      return problems;
    },
    500,
  );
  expect(missing, prometheus.output()).toEqual([]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([prometheus?.stop(), exporter?.close()]);
  removeFolders();
  rmSync(scratch, { recursive: true, force: true });
}, 30_000);

function ruleFile(name: string, rules: string[]): string {
  const file = path.join(scratch, name);
  writeFileSync(file, `groups:\n  - name: live\n    rules:\n${rules.join("")}`);
  return file;
}
const alert = (name: string, expr: string) =>
  `      - alert: ${name}\n        expr: ${JSON.stringify(expr)}\n        for: 5m\n`;
const record = (name: string, expr: string) =>
  `      - record: ${name}\n        expr: ${JSON.stringify(expr)}\n`;

/**
 * The CLI in its own process, waited for without blocking this one: the exporter answers Prometheus's scrapes from
 * here, and a blocked scrape would mark its series stale.
 */
async function runCli(args: string[]) {
  const child = spawn(process.execPath, [path.join(projectRoot, "bin/o11y.js"), ...args], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

async function check(args: string[]) {
  const result = await runCli(["check", "--format", "json", "--prometheus", prometheus!.url, ...args]);
  const diagnostics = result.stdout
    ? (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics
    : [];
  return { ...result, diagnostics };
}

describe("o11y check --prometheus", () => {
  it("types metrics from the server's metadata, reports selectors that match nothing there, and says how many requests it made", async () => {
    const file = ruleFile("live.yaml", [
      // Prometheus's own gauge: neither the catalog nor its name says so; the metadata does.
      alert("GoroutinesRising", "rate(go_goroutines[5m]) > 10"),
      // A counter by the metadata, compared raw.
      alert("SeriesCreated", "prometheus_tsdb_head_series_created_total > 100"),
      // A name the server has never stored.
      alert("Typo", "sum(rate(prometheus_http_requests_totl[5m])) > 1"),
      // A name it has, with a label value none of its series carries.
      alert("NoSuchRoute", 'sum(rate(phoenix_http_request_total{path="/no/such/route"}[5m])) > 1'),
      // Fine: real series, right types.
      alert("Handlers", "sum by (handler) (rate(prometheus_http_requests_total[5m])) > 100"),
      alert("Requests", "sum by (job) (rate(phoenix_http_request_total[5m])) > 1000"),
      // Recorded by this file: there once the file is loaded, though not on the server yet.
      record(
        "job:prometheus_http_requests:rate5m",
        "sum by (job) (rate(prometheus_http_requests_total[5m]))",
      ),
      alert("Recorded", "job:prometheus_http_requests:rate5m > 100"),
    ]);
    const result = await check([file]);
    const url = prometheus!.url;
    expect(
      result.diagnostics.map((d) => [d.subject, d.check, d.severity, d.message]),
      result.stderr,
    ).toEqual([
      [
        "alert GoroutinesRising",
        "promql/rate-on-counter",
        "error",
        `rate() over gauge go_goroutines (type from the metadata of ${url}): rate() reads every fall of the value as a counter reset, so it invents spikes`,
      ],
      [
        "alert SeriesCreated",
        "promql/counter-without-rate",
        "error",
        `counter prometheus_tsdb_head_series_created_total (type from the metadata of ${url}) is used as a raw value: it is a total since the process started and resets on every restart`,
      ],
      [
        "alert Typo",
        "promql/series",
        "error",
        `no series named prometheus_http_requests_totl on ${url}: this query returns nothing there`,
      ],
      [
        "alert NoSuchRoute",
        "promql/series",
        "warning",
        `no series matches phoenix_http_request_total{path="/no/such/route"} on ${url} now (it has series named phoenix_http_request_total)`,
      ],
    ]);
    expect(result.diagnostics.find((d) => d.subject === "alert Typo")!.fix).toContain(
      "did you mean prometheus_http_requests_total?",
    );
    expect(result.stderr).toContain(
      `note: asked ${url} 3 request(s): 1 for metric metadata, 1 for metric names, 1 for the selectors`,
    );
    expect(result.code).toBe(1);
  });

  it("asks about many selectors in few requests", async () => {
    const rules = Array.from({ length: 600 }, (_, i) =>
      alert(
        `Route${i}`,
        `sum(rate(phoenix_http_request_total{path="/api/v1/resource-${i}"}[5m])) > ${i + 1}`,
      ),
    );
    const result = await check([ruleFile("many.yaml", rules)]);
    const asked =
      /note: asked \S+ (\d+) request\(s\): 1 for metric metadata, 1 for metric names, (\d+) for the selectors/.exec(
        result.stderr,
      );
    expect(asked, result.stderr).not.toBeNull();
    expect(Number(asked![2])).toBeGreaterThanOrEqual(1);
    expect(Number(asked![2])).toBeLessThanOrEqual(6);
    // None of those routes is served: each is said, and only as a warning.
    expect(
      result.diagnostics.filter((d) => d.check === "promql/series" && d.severity === "warning"),
    ).toHaveLength(600);
    expect(result.code).toBe(0);
  });

  it("leaves a selector the server cannot read unjudged, and still judges the others of its batch", async () => {
    const file = ruleFile("newer.yaml", [
      // Prometheus 3's quoted metric name: this Prometheus (2.42) refuses the whole query it is in.
      alert("QuotedName", '{"up"} == 0'),
      alert("NoSuchJob", 'up{job="no-such-job"} == 0'),
      alert("Up", 'up{job="prometheus"} == 0'),
    ]);
    const result = await check([file]);
    expect(
      result.diagnostics.map((d) => [d.subject, d.check, d.severity]),
      result.stderr,
    ).toEqual([["alert NoSuchJob", "promql/series", "warning"]]);
    // The refused batch, then its halves, then the half that held the quoted name.
    expect(result.stderr).toMatch(
      /note: asked \S+ \d+ request\(s\): 1 for metric metadata, 1 for metric names, [2-9] for the selectors/,
    );
  });

  it("is a clear error, exit 2, when the server cannot be reached", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli([
      "check",
      "--prometheus",
      nobody,
      ruleFile("any.yaml", [alert("A", "up == 0")]),
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`o11y: cannot reach ${nobody}/api/v1/`);
    expect(result.stderr).toContain("ECONNREFUSED");
  });

  it("is for rule files only", async () => {
    const result = await runCli(["check", "--prometheus", prometheus!.url, "--expr", "up == 0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--prometheus applies to rule files");
  });
});
