import { ecto } from "../catalog/index.ts";
import {
  heatmap,
  labelVariable,
  query,
  row,
  sel,
  stat,
  table,
  timeseries,
} from "../engine/define/dashboard-kit.ts";
import { thresholds } from "../alerts/thresholds.ts";
import { serviceDashboard } from "./common.ts";

const duration = ecto.queryDuration;
const queue = ecto.queryQueueTime;
/** The runbook's slow-query line. It must be one of the histogram's bucket bounds (see the catalog). */
const slowQuerySeconds = 0.5;

const ectoSel = `${sel}, repo=~"$repo"`;
const quantile = (q: number, by = "le") =>
  `histogram_quantile(${q}, sum by (${by}) (rate(${duration.bucket}{${ectoSel}}[$__rate_interval])))`;
/** Queries slower than the line: all queries minus those within it. */
const slowRate = (by: string) =>
  `sum by (${by}) (rate(${duration.count}{${ectoSel}}[$__rate_interval]))\n-\n` +
  `sum by (${by}) (rate(${duration.bucket}{${ectoSel}, le="${slowQuerySeconds}"}[$__rate_interval]))`;

export const ectoPerformance = serviceDashboard({
  uid: "gs-ecto-performance",
  title: "Ecto Performance",
  description:
    "Database operations through Ecto: query time, query rate, the connection pool and slow queries.",
  tags: ["ecto", "database"],
  anchorMetric: duration.count,
  variables: [labelVariable({ name: "repo", label: "Repo", selector: `${duration.count}{${sel}}` })],
})
  .withRow(row(100, "Overview"))
  .withPanel(
    stat({
      id: 101,
      title: "Query rate",
      description: "Queries per second, all repos and sources.",
      unit: "ops",
      queries: [query(`sum(rate(${duration.count}{${ectoSel}}[$__rate_interval]))`, "queries")],
    }),
  )
  .withPanel(
    stat({
      id: 102,
      title: "p95 query time",
      description: "95th percentile of total query time (queue, query and decode).",
      unit: "s",
      queries: [query(quantile(0.95), "p95")],
      thresholds: [thresholds.ectoQueryP95Seconds],
    }),
  )
  .withPanel(
    stat({
      id: 103,
      title: "Slow queries",
      description: `Queries per second slower than ${slowQuerySeconds * 1000} ms.`,
      unit: "ops",
      queries: [query(`sum(${slowRate("repo")})`, "slow")],
    }),
  )
  .withPanel(
    stat({
      id: 104,
      title: "Pool size",
      description: "Configured connection pool size, summed over instances.",
      unit: "short",
      queries: [query(`sum(${ecto.poolSize}{${ectoSel}})`, "connections")],
    }),
  )
  .withRow(row(200, "Query time"))
  .withPanel(
    timeseries({
      id: 201,
      title: "Query time p50 / p95 / p99",
      description:
        "Total query time quantiles across all queries. The red line is the EctoQueryLatencyHigh alert's p95 threshold.",
      unit: "s",
      queries: [query(quantile(0.5), "p50"), query(quantile(0.95), "p95"), query(quantile(0.99), "p99")],
      thresholds: [thresholds.ectoQueryP95Seconds],
    }),
  )
  .withPanel(
    heatmap({
      id: 202,
      title: "Query time heatmap",
      description: "Distribution of query times over time; each cell counts queries in one bucket.",
      unit: "s",
      queries: [query(`sum by (le) (increase(${duration.bucket}{${ectoSel}}[$__rate_interval]))`, "{{le}}")],
    }),
  )
  .withPanel(
    timeseries({
      id: 203,
      title: "Query rate by command",
      description: "Queries per second by SQL command.",
      unit: "ops",
      stack: true,
      queries: [
        query(`sum by (command) (rate(${duration.count}{${ectoSel}}[$__rate_interval]))`, "{{command}}"),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 204,
      title: "p95 query time by source",
      description: "95th percentile query time for each table.",
      unit: "s",
      queries: [query(quantile(0.95, "le, source"), "{{source}}")],
    }),
  )
  .withRow(row(300, "Slow queries"))
  .withPanel(
    timeseries({
      id: 301,
      title: `Slow queries (> ${slowQuerySeconds * 1000} ms) by source`,
      description: `Queries per second slower than ${slowQuerySeconds * 1000} ms, by table.`,
      unit: "ops",
      queries: [query(slowRate("source"), "{{source}}")],
    }),
  )
  .withPanel(
    table({
      id: 302,
      title: "Top slow sources",
      description: "The ten tables with the highest mean query time right now; start EXPLAIN ANALYZE here.",
      unit: "s",
      queries: [
        query(
          `topk(10, sum by (source, command) (rate(${duration.sum}{${ectoSel}}[$__rate_interval])) / sum by (source, command) (rate(${duration.count}{${ectoSel}}[$__rate_interval])))`,
        ),
      ],
    }),
  )
  .withRow(row(400, "Connection pool"))
  .withPanel(
    timeseries({
      id: 401,
      title: "Pool checkout time p95",
      description:
        "95th percentile time a query waited for a pool connection. Rising wait with steady query time means the pool is too small.",
      unit: "s",
      queries: [
        query(
          `histogram_quantile(0.95, sum by (le, repo) (rate(${queue.bucket}{${ectoSel}}[$__rate_interval])))`,
          "{{repo}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 402,
      title: "Pool size",
      description: "Configured pool size per repo and instance.",
      unit: "short",
      queries: [query(`sum by (repo, instance) (${ecto.poolSize}{${ectoSel}})`, "{{repo}} {{instance}}")],
    }),
  );
