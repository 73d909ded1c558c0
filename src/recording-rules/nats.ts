import { nats } from "../catalog/index.ts";
import { recordingRule, ruleGroup } from "../engine/define/alerting.ts";

const pending = (consumer: string, leader: boolean, value: number) => ({
  series: `${nats.consumerPending}{job="nats", instance="nats-exporter:7777", server_name="nats-${leader ? 1 : 2}", stream_name="audit", consumer_name="${consumer}", is_consumer_leader="${leader}"}`,
  values: `${value}x15`,
});

/** Lag per consumer, from the consumer leader only: replicas report stale copies of the same consumer. */
export const consumerLag = recordingRule({
  record: "job_stream_consumer:jetstream_consumer_num_pending:max",
  expr: `max by (job, stream_name, consumer_name) (${nats.consumerPending}{is_consumer_leader="true"})`,
  tests: [
    {
      name: "ignores the replicas' copies",
      input: [pending("indexer", true, 40), pending("indexer", false, 9000), pending("archiver", true, 7)],
      at: "5m",
      expect: [
        { labels: { job: "nats", stream_name: "audit", consumer_name: "archiver" }, value: 7 },
        { labels: { job: "nats", stream_name: "audit", consumer_name: "indexer" }, value: 40 },
      ],
    },
  ],
});

export const natsRules = ruleGroup("nats-recording", [consumerLag]);
