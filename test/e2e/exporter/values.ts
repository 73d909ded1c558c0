/**
 * What the synthetic Global Sovereign exports, per catalog metric and scenario. Declarations (type,
 * labels, buckets) come from the compiled catalog; only the values live here. A metric missing from
 * these tables is not exported, and the contract test names it.
 */
export const scenarios = [
  "healthy",
  "5xx-spike",
  "nats-lag",
  "slow-queries",
  "fund-drop",
  "memory-pressure",
  "project-creation-failing",
  "metrics-endpoint-down",
  "input-metric-missing",
] as const;
export type Scenario = (typeof scenarios)[number];

/** Metrics the application stops exporting in a scenario, its endpoint still answering: alerts on them go blind. */
export const unexportedIn: Partial<Record<Scenario, string>> = {
  "input-metric-missing": "global_sovereign_memory_limit_bytes",
};

export type Labels = Record<string, string>;
/** A gauge's value now. */
export interface Level {
  labels: Labels;
  value: number;
}
/** A counter or monotonic gauge: where it starts and how fast it grows. */
export interface Flow {
  labels: Labels;
  perSecond: number;
  start?: number;
}
/** A histogram: observations per second, their values taken in turn from `values`. */
export interface Observed {
  labels: Labels;
  perSecond: number;
  values: number[];
}

export interface Context {
  scenario: Scenario;
  /** Seconds since the exporter started. */
  t: number;
}

// Phoenix: routes, statuses and their rates (requests per second).
const routes = (s: Scenario) => {
  const spike = s === "5xx-spike";
  return [
    { method: "POST", path: "/api/graphql", status: "200", perSecond: spike ? 22 : 30 },
    { method: "POST", path: "/api/graphql", status: "429", perSecond: 0.4 },
    // Healthy: 0.5% of 5xx in all. Compressed 60 times, the SLO's 3-day ticket (0.93x of a 1% budget) reads the first
    // seconds' few errors; at 0.7% a chance cluster of them crossed it.
    { method: "POST", path: "/api/graphql", status: "500", perSecond: spike ? 7 : 0.1 },
    { method: "GET", path: "/api/projects/:id", status: "200", perSecond: 8 },
    { method: "GET", path: "/api/projects/:id", status: "404", perSecond: 0.5 },
    { method: "GET", path: "/api/projects/:id", status: "503", perSecond: spike ? 2 : 0.1 },
    { method: "POST", path: "/api/auth/login", status: "200", perSecond: 1.2 },
    { method: "POST", path: "/api/auth/login", status: "401", perSecond: 0.3 },
    { method: "GET", path: "/api/healthcheck", status: "200", perSecond: 2 },
  ];
};
const latency: Record<string, number[]> = {
  "/api/graphql": [0.012, 0.03, 0.045, 0.06, 0.08, 0.11, 0.15, 0.22, 0.35, 0.7],
  "/api/projects/:id": [0.006, 0.009, 0.015, 0.02, 0.04],
  "/api/auth/login": [0.08, 0.12, 0.2],
  "/api/healthcheck": [0.001, 0.002],
};

// Ecto: one repo, queries per source and command; a few slow ones even when healthy.
const repo = "GlobalSovereign.Repo";
const queries = [
  { source: "projects_phase4", command: "select", perSecond: 40 },
  { source: "projects_phase4", command: "insert", perSecond: 3 },
  { source: "countries_phase4", command: "select", perSecond: 25 },
  { source: "countries_phase4", command: "update", perSecond: 0.5 },
  { source: "users", command: "select", perSecond: 15 },
  { source: "audit_events", command: "insert", perSecond: 10 },
];
const fastQueries = [
  0.0008, 0.002, 0.003, 0.004, 0.006, 0.008, 0.012, 0.02, 0.03, 0.045, 0.07, 0.12, 0.2, 0.3, 0.04, 0.01,
  0.005, 0.003, 0.002,
];
/** Healthy: p95 about 0.4 s, one query in 39 over 500 ms. Slow: p95 about 3 s. */
const queryTimes = (s: Scenario) =>
  s === "slow-queries" ? [0.04, 0.3, 0.6, 0.8, 1.1, 1.4, 2, 3] : [...fastQueries, ...fastQueries, 0.7];

// BEAM memory (bytes) by kind, against a 1 GiB limit.
const limit = 1024 ** 3;
const memory = (s: Scenario): Record<string, number> => {
  const pressure = s === "memory-pressure";
  return {
    processes: pressure ? 540e6 : 180e6,
    ets: pressure ? 120e6 : 62e6,
    binary: pressure ? 200e6 : 88e6,
    atom: 1.6e6,
    code: 46e6,
    system: 41e6,
  };
};

// Covenant: regions, and which of them fail project creation.
const regions = ["eu", "us", "apac", "latam", "africa"];
const failingRegions = new Set(["eu", "us", "apac"]);

// NATS: three servers, two streams, their consumers, and who leads each raft group.
const servers = ["nats-1", "nats-2", "nats-3"].map((name, i) => ({
  server_name: name,
  server_id: `NDX${i + 1}QG7SOVEREIGN${i + 1}`,
  cluster: "gs-nats",
  domain: "gs",
  meta_leader: "nats-1",
  is_meta_leader: String(name === "nats-1"),
}));
const account = { account: "GLOBAL_SOVEREIGN", account_name: "GLOBAL_SOVEREIGN", account_id: "ACGSOV3XQ7" };
const streams = [
  {
    stream_name: "audit",
    leader: "nats-1",
    perSecond: 40,
    messages: 1_250_000,
    consumers: ["indexer", "archiver"],
  },
  {
    stream_name: "covenant",
    leader: "nats-2",
    perSecond: 12,
    messages: 84_000,
    consumers: ["projector", "notifier"],
  },
];
const consumerLeaders: Record<string, string> = {
  indexer: "nats-2",
  archiver: "nats-3",
  projector: "nats-1",
  notifier: "nats-3",
};

/** Every replica reports every stream: one series per server, `is_stream_leader` on the leader's. */
const streamSeries = () =>
  streams.flatMap((stream) =>
    servers.map((server) => ({
      stream,
      leader: server.server_name === stream.leader,
      labels: {
        ...server,
        ...account,
        stream_name: stream.stream_name,
        stream_leader: stream.leader,
        is_stream_leader: String(server.server_name === stream.leader),
        stream_raft_group: `S-R3F-${stream.stream_name}`,
      },
    })),
  );
const consumerSeries = () =>
  streamSeries().flatMap(({ stream, labels }) =>
    stream.consumers.map((consumer) => ({
      stream,
      consumer,
      leader: labels.server_name === consumerLeaders[consumer],
      labels: {
        ...labels,
        consumer_name: consumer,
        consumer_leader: consumerLeaders[consumer]!,
        is_consumer_leader: String(labels.server_name === consumerLeaders[consumer]),
        consumer_desc: `${consumer} of ${stream.stream_name}`,
      },
    })),
  );
/** Lag on the consumer leader; a stale replica of indexer reports 3000 even when healthy, which queries must ignore. */
const pending = (s: Scenario, consumer: string, leader: boolean) => {
  if (consumer !== "indexer") return leader ? 12 : 15;
  if (!leader) return 3000;
  return s === "nats-lag" ? 2600 : 20;
};

export const levels: Record<string, (c: Context) => Level[]> = {
  vm_memory_total_bytes: ({ scenario }) => [
    { labels: {}, value: Object.values(memory(scenario)).reduce((a, b) => a + b, 0) },
  ],
  ...Object.fromEntries(
    ["processes", "ets", "binary", "atom", "code", "system"].map((kind) => [
      `vm_memory_${kind}_bytes`,
      ({ scenario }: Context) => [{ labels: {}, value: memory(scenario)[kind]! }],
    ]),
  ),
  global_sovereign_memory_limit_bytes: () => [{ labels: {}, value: limit }],
  vm_total_processes: ({ t }) => [{ labels: {}, value: 1800 + Math.round(40 * Math.sin(t / 10)) }],
  vm_run_queue_length: () => [
    { labels: { kind: "cpu" }, value: 1 },
    { labels: { kind: "io" }, value: 0 },
  ],
  global_sovereign_covenant_countries_total: () => [{ labels: {}, value: 195 }],
  global_sovereign_covenant_projects_total: ({ t }) => [{ labels: {}, value: 1280 + Math.floor(t / 3) }],
  global_sovereign_covenant_fund_total: ({ scenario, t }) => [
    { labels: {}, value: 1.05e14 * (1 + 0.002 * Math.sin(t / 15)) * (scenario === "fund-drop" ? 0.82 : 1) },
  ],
  ecto_connection_pool_size: () => [{ labels: { repo }, value: 10 }],
  jetstream_server_jetstream_disabled: () => servers.map((labels) => ({ labels, value: 0 })),
  jetstream_stream_total_messages: ({ t }) =>
    streamSeries().map(({ stream, labels }) => ({
      labels,
      value: stream.messages + Math.floor(stream.perSecond * t),
    })),
  jetstream_stream_total_bytes: ({ t }) =>
    streamSeries().map(({ stream, labels }) => ({
      labels,
      value: 512 * (stream.messages + Math.floor(stream.perSecond * t)),
    })),
  jetstream_stream_consumer_count: () =>
    streamSeries().map(({ stream, labels }) => ({ labels, value: stream.consumers.length })),
  jetstream_consumer_num_pending: ({ scenario }) =>
    consumerSeries().map(({ consumer, leader, labels }) => ({
      labels,
      value: pending(scenario, consumer, leader),
    })),
  jetstream_consumer_num_ack_pending: ({ scenario }) =>
    consumerSeries().map(({ consumer, labels }) => ({
      labels,
      value: scenario === "nats-lag" && consumer === "indexer" ? 250 : 4,
    })),
  jetstream_consumer_num_redelivered: () => consumerSeries().map(({ labels }) => ({ labels, value: 1 })),
  jetstream_consumer_last_ack_seconds: ({ scenario, t }) =>
    consumerSeries().map(({ consumer, labels }) => ({
      labels,
      value: scenario === "nats-lag" && consumer === "indexer" ? 30 + t : 0.4,
    })),
};

export const flows: Record<string, (c: Context) => Flow[]> = {
  phoenix_http_request_total: ({ scenario }) =>
    routes(scenario).map(({ perSecond, ...labels }) => ({ labels, perSecond })),
  vm_total_reductions: () => [{ labels: {}, perSecond: 4.2e6, start: 9.1e9 }],
  vm_garbage_collections_total: () => [{ labels: {}, perSecond: 350 }],
  vm_garbage_collection_reclaimed_bytes_total: () => [{ labels: {}, perSecond: 12e6 }],
  global_sovereign_project_creations_total: ({ scenario }) =>
    regions.flatMap((region) => {
      const failing = scenario === "project-creation-failing" && failingRegions.has(region);
      return [
        // Healthy: 2.4% fail, so even one failure within a 4s panel window stays under the 10% line.
        { labels: { region, outcome: "success" }, perSecond: failing ? 5 : 10 },
        { labels: { region, outcome: "failure" }, perSecond: failing ? 5 : 0.25 },
      ];
    }),
  jetstream_stream_last_seq: () =>
    streamSeries().map(({ stream, labels }) => ({
      labels,
      perSecond: stream.perSecond,
      start: stream.messages,
    })),
  jetstream_consumer_delivered_consumer_seq: ({ scenario }) =>
    consumerSeries().map(({ stream, consumer, labels }) => ({
      labels,
      perSecond: scenario === "nats-lag" && consumer === "indexer" ? 4 : stream.perSecond,
      start: stream.messages,
    })),
  jetstream_consumer_ack_floor_consumer_seq: ({ scenario }) =>
    consumerSeries().map(({ stream, consumer, labels }) => ({
      labels,
      perSecond: scenario === "nats-lag" && consumer === "indexer" ? 3 : stream.perSecond,
      start: stream.messages - 4,
    })),
};

export const observations: Record<string, (c: Context) => Observed[]> = {
  phoenix_http_request_duration_seconds: ({ scenario }) =>
    routes(scenario).map(({ perSecond, ...labels }) => ({
      labels,
      perSecond,
      // Slow queries slow the API: every GraphQL request takes 1.5 to 3 s, two thirds of all requests over the latency SLO's 1 s.
      values:
        scenario === "slow-queries" && labels.path === "/api/graphql" ? [1.5, 2, 3] : latency[labels.path]!,
    })),
  ecto_query_duration_seconds: ({ scenario }) =>
    queries.map(({ perSecond, ...labels }) => ({
      labels: { repo, ...labels },
      perSecond,
      values: queryTimes(scenario),
    })),
  ecto_query_queue_time_seconds: ({ scenario }) => [
    {
      labels: { repo },
      perSecond: queries.reduce((sum, q) => sum + q.perSecond, 0),
      values: scenario === "slow-queries" ? [0.02, 0.08, 0.3] : [0.0002, 0.0005, 0.001, 0.002, 0.004],
    },
  ],
};
