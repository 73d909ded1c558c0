import { gauge, histogram } from "../engine/define/catalog.ts";

const queryLabels = {
  repo: "Ecto repository module, e.g. GlobalSovereign.Repo.",
  source: "Table the query reads or writes, e.g. projects_phase4.",
  command: "SQL command: select, insert, update or delete.",
};

export const queryDuration = histogram({
  name: "ecto_query_duration_seconds",
  help: "Total time of an Ecto query: queue, query and decode.",
  unit: "s",
  labels: queryLabels,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  origin: {
    kind: "telemetry",
    detail: "[:global_sovereign, :repo, :query] total_time, exported as a histogram",
    status: "exported",
  },
  notes:
    'The runbook\'s `ecto_query_duration_seconds_bucket{le="0.5"}` counts queries that took at most 500 ms, since ' +
    "the process started: the fast ones, not the slow ones. Slow queries per second are all queries minus those " +
    'within 0.5 s: `sum(rate(..._count[$__rate_interval])) - sum(rate(..._bucket{le="0.5"}[$__rate_interval]))` ' +
    "(aggregated, or matched with ignoring(le), since only the buckets carry le). " +
    "That needs a bucket boundary at exactly 0.5, which `buckets` declares.",
});

export const queryQueueTime = histogram({
  name: "ecto_query_queue_time_seconds",
  help: "Time a query waited to check a connection out of the pool.",
  unit: "s",
  labels: { repo: queryLabels.repo },
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  origin: {
    kind: "telemetry",
    detail:
      "queue_time of the same [:global_sovereign, :repo, :query] event; add a histogram for it to the telemetry metrics",
    status: "required",
  },
  notes:
    "The runbook asks for pool checkout time; Ecto measures it as queue_time, which the application does not export yet.",
});

export const poolSize = gauge({
  name: "ecto_connection_pool_size",
  help: "Configured size of the Ecto connection pool.",
  unit: "short",
  labels: { repo: queryLabels.repo },
  origin: {
    kind: "telemetry",
    detail: "Repo config pool_size, polled by telemetry_poller",
    status: "exported",
  },
});
