import { settings } from "../config.ts";
import { nats, prometheus } from "../catalog/index.ts";
import { labelVariable, query, row, sel, stat, table, timeseries } from "../engine/define/dashboard-kit.ts";
import { thresholds } from "../alerts/thresholds.ts";
import { serviceDashboard } from "./common.ts";

/** Only the leader's copy of each stream and consumer: every replica reports them. */
const streamSel = `${sel}, stream_name=~"$stream", is_stream_leader="true"`;
const consumerSel = `${sel}, stream_name=~"$stream", consumer_name=~"$consumer", is_consumer_leader="true"`;

export const natsStreams = serviceDashboard({
  uid: "gs-nats-streams",
  title: "NATS Streams",
  description:
    "NATS JetStream event streaming: consumer lag, acknowledgements, redeliveries, throughput and stream health.",
  tags: ["nats", "jetstream"],
  anchorMetric: nats.streamMessages.name,
  job: settings.jobs.nats,
  variables: [
    labelVariable({
      name: "stream",
      label: "Stream",
      labelName: "stream_name",
      selector: `${nats.streamMessages}{${sel}}`,
    }),
    labelVariable({
      name: "consumer",
      label: "Consumer",
      labelName: "consumer_name",
      selector: `${nats.consumerPending}{${sel}, stream_name=~"$stream"}`,
    }),
  ],
})
  .withRow(row(100, "Health"))
  .withPanel(
    stat({
      id: 101,
      title: "Exporter up",
      description:
        "1 when Prometheus reached prometheus-nats-exporter on its last scrape. At 0 every other panel goes stale.",
      unit: "bool",
      sparkline: false,
      queries: [query(`min(${prometheus.up}{${sel}})`, "up")],
    }),
  )
  .withPanel(
    stat({
      id: 102,
      title: "Servers with JetStream disabled",
      description:
        "NATS servers that report JetStream disabled. Anything above 0 means streams on them are unavailable.",
      unit: "short",
      sparkline: false,
      queries: [query(`sum(${nats.jetstreamDisabled}{${sel}})`, "disabled")],
      thresholds: [{ value: 1 }],
    }),
  )
  .withPanel(
    stat({
      id: 103,
      title: "Streams with a leader",
      description: "Streams whose raft group has elected a leader. A stream missing here accepts no writes.",
      unit: "short",
      sparkline: false,
      queries: [query(`count(${nats.streamMessages}{${streamSel}})`, "streams")],
    }),
  )
  .withPanel(
    stat({
      id: 104,
      title: "Total pending",
      description: "Messages not yet delivered, summed over the selected consumers.",
      unit: "short",
      queries: [query(`sum(${nats.consumerPending}{${consumerSel}})`, "pending")],
    }),
  )
  .withRow(row(200, "Consumers"))
  .withPanel(
    timeseries({
      id: 201,
      title: "Consumer lag (pending messages)",
      description:
        "Messages in the stream not yet delivered to each consumer. The red line is the NatsConsumerLagHigh alert's threshold.",
      unit: "short",
      thresholds: [thresholds.natsPendingMessages],
      queries: [
        query(
          `max by (stream_name, consumer_name) (${nats.consumerPending}{${consumerSel}})`,
          "{{stream_name}} / {{consumer_name}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 202,
      title: "Ack pending",
      description:
        "Messages delivered and not yet acknowledged. High with low lag means a consumer is stuck processing.",
      unit: "short",
      queries: [
        query(
          `max by (stream_name, consumer_name) (${nats.consumerAckPending}{${consumerSel}})`,
          "{{stream_name}} / {{consumer_name}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 203,
      title: "Awaiting redelivery",
      description: "Messages waiting to be redelivered after a nak or an ack timeout.",
      unit: "short",
      queries: [
        query(
          `max by (stream_name, consumer_name) (${nats.consumerRedelivered}{${consumerSel}})`,
          "{{stream_name}} / {{consumer_name}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 204,
      title: "Time since last ack",
      description:
        "Seconds since each consumer last acknowledged a message. A steady climb means the consumer is stuck.",
      unit: "s",
      queries: [
        query(
          `max by (stream_name, consumer_name) (${nats.consumerLastAckSeconds}{${consumerSel}})`,
          "{{stream_name}} / {{consumer_name}}",
        ),
      ],
    }),
  )
  .withRow(row(300, "Throughput"))
  .withPanel(
    timeseries({
      id: 301,
      title: "Delivery rate",
      description: "Messages delivered per second to each consumer.",
      unit: "mps",
      queries: [
        query(
          `sum by (stream_name, consumer_name) (rate(${nats.consumerDeliveredSeq}{${consumerSel}}[$__rate_interval]))`,
          "{{stream_name}} / {{consumer_name}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 302,
      title: "Ack rate",
      description: "Messages acknowledged per second by each consumer (advance of its ack floor).",
      unit: "mps",
      queries: [
        query(
          `sum by (stream_name, consumer_name) (rate(${nats.consumerAckFloorSeq}{${consumerSel}}[$__rate_interval]))`,
          "{{stream_name}} / {{consumer_name}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 303,
      title: "Ingest rate",
      description: "Messages stored per second in each stream.",
      unit: "mps",
      queries: [
        query(
          `sum by (stream_name) (rate(${nats.streamLastSeq}{${streamSel}}[$__rate_interval]))`,
          "{{stream_name}}",
        ),
      ],
    }),
  )
  .withRow(row(400, "Streams"))
  .withPanel(
    timeseries({
      id: 401,
      title: "Stream messages",
      description: "Messages stored in each stream.",
      unit: "short",
      queries: [query(`max by (stream_name) (${nats.streamMessages}{${streamSel}})`, "{{stream_name}}")],
    }),
  )
  .withPanel(
    timeseries({
      id: 402,
      title: "Stream bytes",
      description:
        "Bytes stored in each stream. The audit stream keeps seven years, so steady growth there is expected.",
      unit: "bytes",
      queries: [query(`max by (stream_name) (${nats.streamBytes}{${streamSel}})`, "{{stream_name}}")],
    }),
  )
  .withPanel(
    table({
      id: 403,
      title: "Stream health",
      description:
        "Per stream: consumers attached and the worst consumer lag. A stream with consumers and rising lag needs the NATS playbook.",
      unit: "short",
      queries: [
        query(`max by (stream_name) (${nats.streamConsumerCount}{${streamSel}})`, "consumers"),
        query(`max by (stream_name) (${nats.consumerPending}{${consumerSel}})`, "worst lag"),
      ],
    }),
  );
