import { nats } from "../catalog/index.ts";
import { natsStreams } from "../dashboards/nats-streams.ts";
import { alert, ruleGroup, say } from "../engine/define/alerting.ts";
import { consumerLag } from "../recording-rules/nats.ts";
import { thresholds } from "./thresholds.ts";

const pending = (leader: boolean, value: number) => ({
  series: `${nats.consumerPending}{job="nats", instance="nats-exporter:7777", server_name="nats-${leader ? 1 : 2}", stream_name="audit", consumer_name="indexer", is_consumer_leader="${leader}"}`,
  values: `${value}x20`,
});

export const natsConsumerLagHigh = alert({
  name: "NatsConsumerLagHigh",
  severity: "high",
  service: "nats",
  team: "platform",
  expr: `${consumerLag} ${thresholds.natsPendingMessages}`,
  threshold: thresholds.natsPendingMessages,
  // The runbook gives no duration; 5 minutes lets a deploy's consumer restart drain without paging.
  for: "5m",
  summary: say`A JetStream consumer has more than ${thresholds.natsPendingMessages} messages pending.`,
  description:
    "Consumer {{ $labels.consumer_name }} on stream {{ $labels.stream_name }} has {{ $value | humanize }} messages pending.",
  runbook: "NATS Stream Lag > 1000",
  dashboard: { dashboard: natsStreams, panel: 201 },
  tests: [
    {
      name: "1050 messages pending on the leader",
      input: [pending(true, 1050), pending(false, 20)],
      value: 1050,
      expect: [
        {
          at: "2m",
          state: "pending",
          labels: { job: "nats", stream_name: "audit", consumer_name: "indexer" },
        },
        {
          at: "7m",
          state: "firing",
          labels: { job: "nats", stream_name: "audit", consumer_name: "indexer" },
          description: "Consumer indexer on stream audit has 1.05k messages pending.",
        },
      ],
    },
    {
      name: "950 pending on the leader, a stale replica reports 5000",
      input: [pending(true, 950), pending(false, 5000)],
      value: 950,
      expect: [{ at: "7m", state: "silent" }],
    },
  ],
});

export const natsAlerts = ruleGroup("nats-alerts", [natsConsumerLagHigh]);
