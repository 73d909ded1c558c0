/**
 * A deterministic synthetic project for the scale benchmark: N dashboards of 4 rows x 5 panels over the real
 * metric catalog, each query written for its metric's type so that every check passes, and each panel's query
 * text its own (a route, stream, region, ... of its own; see `narrow`).
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { settings } from "../src/config.ts";
import type { MetricDefinition } from "../src/engine/define/catalog.ts";
import {
  dashboard,
  linkTogether,
  query,
  row,
  sel,
  stat,
  timeseries,
  type Query,
} from "../src/engine/define/dashboard-kit.ts";
import type { ProjectDefinition } from "../src/engine/define/project.ts";
import { project } from "../src/project.ts";

export const rowsPerDashboard = 4;
export const panelsPerRow = 5;
export const panelsPerDashboard = rowsPerDashboard * panelsPerRow;
/** Kit helper calls per dashboard, each capturing a stack trace: dashboard() + rows + panels + their query() calls. */
export const helperCallsPerDashboard = 1 + rowsPerDashboard + 2 * panelsPerDashboard;

const metrics = project.metrics;

/**
 * A matcher that narrows the panel to one thing of its own, so that every panel's query text is distinct
 * (nothing can be cached by text): a route, a source table, a stream, a region, a repo or a server, by the
 * labels the catalog gives the metric; a metric without such a label leaves out one instance, say a canary.
 * `k` numbers the panel across the whole project.
 */
const narrowing: Array<[label: string, value: (k: number) => string]> = [
  ["path", (k) => `/api/v1/route-${k}`],
  ["source", (k) => `table_${k}`],
  ["stream_name", (k) => `stream-${k}`],
  ["region", (k) => `region-${k}`],
  ["repo", (k) => `repo_${k}`],
  ["server_name", (k) => `nats-${k}`],
];

function narrow(m: MetricDefinition, k: number): string {
  const found = narrowing.find(([label]) => label in m.labels);
  return found ? `${found[0]}="${found[1](k)}"` : `instance!="canary-${k}:4000"`;
}

const quantiles = [0.5, 0.9, 0.95, 0.99];

function queryFor(m: MetricDefinition, k: number): Query {
  const selector = (series: string) => `${series}{${sel}, ${narrow(m, k)}}`;
  const rate = (series: string) => `rate(${selector(series)}[$__rate_interval])`;
  switch (m.type) {
    case "counter":
      return query(`sum by (job) (${rate(m.name)})`, "{{job}}");
    case "gauge":
      return query(
        m.monotonic ? `sum by (job) (${rate(m.name)})` : `max by (instance) (${selector(m.name)})`,
        "{{instance}}",
      );
    case "histogram": {
      const q = quantiles[k % quantiles.length]!;
      return query(
        `histogram_quantile(${q}, sum by (le) (${rate(`${m.name}_bucket`)}))`,
        `p${Math.round(q * 100)}`,
      );
    }
    case "summary":
      return query(`sum(${rate(`${m.name}_sum`)})\n/\nsum(${rate(`${m.name}_count`)})`, "mean");
  }
}

/** Fresh builders every call: the SDK's build() returns one mutable object per builder, so they are not reusable. */
export function syntheticDashboards(n: number): DashboardBuilder[] {
  const out: DashboardBuilder[] = [];
  for (let i = 0; i < n; i++) {
    const board = dashboard({
      uid: `bench-${String(i).padStart(5, "0")}`,
      title: `Bench dashboard ${i}`,
      description: `Synthetic dashboard ${i} for the scale benchmark.`,
      tags: ["bench"],
      anchorMetric: "up",
      defaultDatasourceUid: settings.datasource.uid,
      defaultJob: settings.jobs.app,
    });
    for (let r = 1; r <= rowsPerDashboard; r++) {
      board.withRow(row(r * 100, `Row ${r}`));
      for (let p = 1; p <= panelsPerRow; p++) {
        const k = i * panelsPerDashboard + (r - 1) * panelsPerRow + (p - 1);
        const m = metrics[(i * panelsPerDashboard + r * panelsPerRow + p) % metrics.length]!;
        const spec = {
          id: r * 100 + p,
          title: `${m.name} (${p})`,
          description: m.help,
          unit: m.unit,
          queries: [queryFor(m, k)],
        };
        // Two stats (6 columns each) and a timeseries fill the first line, two timeseries the second.
        board.withPanel(p <= 2 ? stat(spec) : timeseries(spec));
      }
    }
    out.push(board);
  }
  return out;
}

/**
 * The real project (catalog, its dashboards, alerts, rules and runbook) plus N synthetic dashboards: the real
 * content is kept whole because its parts check each other (alerts link to dashboards, the runbook to alerts).
 * `links` adds the full mesh of dashboard links that the dashboard/links check demands: N x (N-1) links.
 */
export function syntheticProject(n: number, options: { links?: boolean } = {}): ProjectDefinition {
  const dashboards = [...project.dashboards, ...syntheticDashboards(n)];
  if (options.links) linkTogether(dashboards, settings.runbookUrl);
  return { ...project, dashboards };
}
