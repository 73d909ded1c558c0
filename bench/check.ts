/**
 * `o11y check <rules.yaml>` as a whole process over generated Prometheus rule files of N rules
 * (target: 10,000 rules within 2 s, growing linearly). `--tools auto`, which has promtool judge the file too,
 * is measured beside it. Standalone: `node --import tsx bench/check.ts [--sizes 1000,10000]`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const checkTargets = { rules: 10_000, ms: 2000, growth: 1.5 };

const statuses = ["500", "502", "503", "504"];
const streams = ["audit", "covenant", "billing", "projects"];

/** N distinct, realistic rules over the catalog's metrics: recording rules and alerts on them. */
export function generatedRules(n: number): string {
  const rules = Array.from({ length: n }, (_, i) => {
    const route = `/api/v${i % 7}/resource-${i}`;
    switch (i % 4) {
      case 0:
        return {
          record: `job_path:phoenix_http_requests_${i}:rate5m`,
          expr: `sum by (job, path) (rate(phoenix_http_request_total{path="${route}"}[5m]))`,
        };
      case 1:
        return {
          alert: `RouteErrors${i}`,
          expr: `sum by (job) (rate(phoenix_http_request_total{path="${route}", status="${statuses[i % 4]}"}[5m])) / sum by (job) (rate(phoenix_http_request_total{path="${route}"}[5m])) > 0.0${(i % 9) + 1}`,
          for: "5m",
          labels: { severity: "high" },
          annotations: {
            summary: `Errors on ${route}`,
            description: "{{ $value | humanizePercentage }} of requests fail",
            runbook_url: "https://example.invalid/runbook",
          },
        };
      case 2:
        return {
          alert: `SlowQueries${i}`,
          expr: `histogram_quantile(0.9${i % 10}, sum by (le, job) (rate(ecto_query_duration_seconds_bucket{source="table_${i}"}[5m]))) > 0.5`,
          for: "10m",
          labels: { severity: "medium" },
          annotations: {
            summary: `Slow queries on table_${i}`,
            description: "p9x is {{ $value | humanizeDuration }}",
            runbook_url: "https://example.invalid/runbook",
          },
        };
      default:
        return {
          alert: `ConsumerLag${i}`,
          expr: `max by (job, stream_name, consumer_name) (jetstream_consumer_num_pending{stream_name="${streams[i % 4]}", consumer_name="consumer-${i}", is_consumer_leader="true"}) > ${1000 + i}`,
          for: "5m",
          labels: { severity: "high" },
          annotations: {
            summary: `Consumer ${i} lags`,
            description: "{{ $value }} pending",
            runbook_url: "https://example.invalid/runbook",
          },
        };
    }
  });
  return stringify({ groups: [{ name: "generated", interval: "30s", rules }] }, { lineWidth: 0 });
}

export interface CheckBenchRow {
  rules: number;
  /** `o11y check <file>` as it runs by default: o11y's own reading and checks. */
  wallMs: number;
  msPerThousand: number;
  diagnostics: number;
  /** `o11y check --tools auto <file>`: promtool check rules too, in its own process meanwhile. */
  withPromtoolMs: number;
}

export function measureCheck(sizes: number[], runs = 3): CheckBenchRow[] {
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-bench-check-"));
  try {
    return sizes.map((n) => {
      const file = path.join(dir, `rules-${n}.yaml`);
      writeFileSync(file, generatedRules(n));
      const once = (tools: "default" | "auto") => {
        const start = performance.now();
        const args = [
          "bin/o11y.js",
          "check",
          "--format",
          "json",
          ...(tools === "auto" ? ["--tools", "auto"] : []),
          file,
        ];
        const child = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 });
        const ms = performance.now() - start;
        if (child.status === null || child.status > 1)
          throw new Error(
            `o11y check failed (${child.status ?? child.signal}): ${child.stderr.slice(0, 500)}`,
          );
        return {
          ms,
          diagnostics: (JSON.parse(child.stdout) as { diagnostics: unknown[] }).diagnostics.length,
        };
      };
      const median = (tools: "default" | "auto") => {
        once(tools);
        const samples = Array.from({ length: runs }, () => once(tools));
        return {
          ms: [...samples.map((s) => s.ms)].sort((a, b) => a - b)[Math.floor(runs / 2)]!,
          diagnostics: samples[0]!.diagnostics,
        };
      };
      const own = median("default");
      return {
        rules: n,
        wallMs: own.ms,
        msPerThousand: (own.ms / n) * 1000,
        diagnostics: own.diagnostics,
        withPromtoolMs: median("auto").ms,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf("--sizes");
  const sizes = (flag > 0 ? process.argv[flag + 1]! : "1000,5000,10000").split(",").map(Number);
  for (const row of measureCheck(sizes)) {
    process.stdout.write(
      `${row.rules} rules: ${row.wallMs.toFixed(0)} ms (${row.msPerThousand.toFixed(0)} ms per 1000 rules, ${row.diagnostics} findings); with promtool ${row.withPromtoolMs.toFixed(0)} ms\n`,
    );
  }
}
