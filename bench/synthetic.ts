/**
 * A deterministic synthetic project for the scale benchmark: N dashboards of 4 rows x 5 panels over the real
 * metric catalog, each query written for its metric's type so that every check passes.
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { settings } from "../src/config.ts";
import type { MetricDefinition } from "../src/engine/define/catalog.ts";
import { dashboard, linkTogether, query, row, sel, stat, timeseries, type Query } from "../src/engine/define/dashboard-kit.ts";
import type { ProjectDefinition } from "../src/engine/define/project.ts";
import { project } from "../src/project.ts";

export const rowsPerDashboard = 4;
export const panelsPerRow = 5;
export const panelsPerDashboard = rowsPerDashboard * panelsPerRow;
/** Kit helper calls per dashboard, each capturing a stack trace: dashboard() + rows + panels. */
export const helperCallsPerDashboard = 1 + rowsPerDashboard + panelsPerDashboard;

const metrics = project.metrics;

function queryFor(m: MetricDefinition): Query {
  const selector = (series: string) => `${series}{${sel}}`;
  const rate = (series: string) => `rate(${selector(series)}[$__rate_interval])`;
  switch (m.type) {
    case "counter":
      return query(`sum by (job) (${rate(m.name)})`, "{{job}}");
    case "gauge":
      return query(m.monotonic ? `sum by (job) (${rate(m.name)})` : `max by (instance) (${selector(m.name)})`, "{{instance}}");
    case "histogram":
      return query(`histogram_quantile(0.95, sum by (le) (${rate(`${m.name}_bucket`)}))`, "p95");
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
        const m = metrics[(i * panelsPerDashboard + r * panelsPerRow + p) % metrics.length]!;
        const spec = { id: r * 100 + p, title: `${m.name} (${p})`, description: m.help, unit: m.unit, queries: [queryFor(m)] };
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
