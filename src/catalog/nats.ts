import { gauge } from "../engine/define/catalog.ts";

/**
 * prometheus-nats-exporter run with `-jsz=all`. Every JetStream value is exported as a gauge, the
 * monotonic sequence numbers included, and every replica reports each stream and consumer: queries
 * keep only the leader's series (`is_stream_leader="true"`, `is_consumer_leader="true"`).
 */
const exporter = (option: string) => ({
  kind: "exporter" as const,
  detail: `prometheus-nats-exporter ${option}`,
  status: "exported" as const,
});

const serverLabels = {
  server_id: "NATS server id.",
  server_name: "NATS server name.",
  cluster: "NATS cluster name.",
  domain: "JetStream domain.",
  meta_leader: "Name of the JetStream meta leader.",
  is_meta_leader: '"true" on the meta leader.',
};
const accountLabels = {
  ...serverLabels,
  account: "Account name.",
  account_name: "Account name.",
  account_id: "Account id.",
};
const streamLabels = {
  ...accountLabels,
  stream_name: "JetStream stream, e.g. audit or covenant.",
  stream_leader: "Server leading the stream's raft group.",
  is_stream_leader: '"true" on the series reported by the stream\'s leader.',
  stream_raft_group: "Raft group of the stream.",
};
const consumerLabels = {
  ...streamLabels,
  consumer_name: "Durable consumer name.",
  consumer_leader: "Server leading the consumer.",
  is_consumer_leader: '"true" on the series reported by the consumer\'s leader.',
  consumer_desc: "Consumer description.",
};

export const consumerPending = gauge({
  name: "jetstream_consumer_num_pending",
  help: "Messages in the stream that the consumer has not been delivered yet: its lag.",
  unit: "short",
  labels: consumerLabels,
  origin: exporter("-jsz=consumers"),
  notes: 'The runbook\'s "stream lag (pending messages)" and its NATS alert threshold are this value.',
});

export const consumerAckPending = gauge({
  name: "jetstream_consumer_num_ack_pending",
  help: "Messages delivered to the consumer and not acknowledged yet.",
  unit: "short",
  labels: consumerLabels,
  origin: exporter("-jsz=consumers"),
});

export const consumerRedelivered = gauge({
  name: "jetstream_consumer_num_redelivered",
  help: "Messages currently awaiting redelivery (not a running total: nats-server reports its redelivery map's size).",
  unit: "short",
  labels: consumerLabels,
  origin: exporter("-jsz=consumers"),
  notes:
    "Graph it as a level; `rate()` over it is meaningless because it goes down when redeliveries succeed.",
});

export const consumerDeliveredSeq = gauge({
  name: "jetstream_consumer_delivered_consumer_seq",
  help: "Consumer sequence of the last message delivered.",
  unit: "short",
  labels: consumerLabels,
  monotonic: true,
  origin: exporter("-jsz=consumers"),
  notes: "A sequence number exported as a gauge; its rate is the consumer's delivery rate.",
});

export const consumerAckFloorSeq = gauge({
  name: "jetstream_consumer_ack_floor_consumer_seq",
  help: "Consumer sequence below which every message is acknowledged.",
  unit: "short",
  labels: consumerLabels,
  monotonic: true,
  origin: exporter("-jsz=consumers"),
  notes: "Its rate is the consumer's acknowledgement throughput.",
});

export const consumerLastAckSeconds = gauge({
  name: "jetstream_consumer_last_ack_seconds",
  help: "Seconds since the consumer last acknowledged a message.",
  unit: "s",
  labels: consumerLabels,
  origin: exporter("-jsz=consumers (v0.20.0 or later)"),
});

export const streamMessages = gauge({
  name: "jetstream_stream_total_messages",
  help: "Messages stored in the stream now.",
  unit: "short",
  labels: streamLabels,
  origin: exporter("-jsz=streams"),
  notes:
    "It falls when limits or acknowledgements remove messages, so it is a gauge; ingest rate comes from last_seq.",
});

export const streamBytes = gauge({
  name: "jetstream_stream_total_bytes",
  help: "Bytes stored in the stream now.",
  unit: "bytes",
  labels: streamLabels,
  origin: exporter("-jsz=streams"),
});

export const streamLastSeq = gauge({
  name: "jetstream_stream_last_seq",
  help: "Sequence number of the last message stored in the stream.",
  unit: "short",
  labels: streamLabels,
  monotonic: true,
  origin: exporter("-jsz=streams"),
  notes: "A sequence number exported as a gauge; its rate is the stream's ingest rate.",
});

export const streamConsumerCount = gauge({
  name: "jetstream_stream_consumer_count",
  help: "Consumers attached to the stream.",
  unit: "short",
  labels: streamLabels,
  origin: exporter("-jsz=streams"),
});

export const jetstreamDisabled = gauge({
  name: "jetstream_server_jetstream_disabled",
  help: "1 when JetStream is disabled on the server, 0 when it runs.",
  unit: "bool",
  labels: serverLabels,
  origin: exporter("-jsz"),
});
