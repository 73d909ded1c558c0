/** The metric catalog: every metric any dashboard, alert or recording rule uses, declared once. */
export * as phoenix from "./phoenix.ts";
export * as ecto from "./ecto.ts";
export * as beam from "./beam.ts";
export * as nats from "./nats.ts";
export * as covenant from "./covenant.ts";
export * as prometheus from "./prometheus.ts";
