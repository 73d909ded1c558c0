import { expect, it } from "vitest";
import { uniqueRuleName } from "../../../src/engine/check/checks/rules/unique-name.ts";
import { recordingRule } from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const requestRate = base.recordingRules.find((r) => r.record === "job:phoenix_http_requests:rate5m")!;
const consumerLag = base.recordingRules.find(
  (r) => r.record === "job_stream_consumer:jetstream_consumer_num_pending:max",
)!;
const tests = [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }];

const bad: BadModel[] = [
  {
    name: "a second definition of a real rule",
    model: () =>
      compile(
        projectWith(
          [variantAlert({})],
          [
            recordingRule({
              record: "job:phoenix_http_requests:rate5m",
              expr: "sum by (job) (rate(phoenix_http_request_total[5m]))",
              tests,
            }),
          ],
        ),
      ).model,
    message: "job:phoenix_http_requests:rate5m is already recorded at src/recording-rules/phoenix.ts:",
    subject: "recording rule job:phoenix_http_requests:rate5m",
  },
  {
    name: "a rule in another group renamed onto an existing one",
    model: (): Model => ({
      ...base,
      recordingRules: [
        ...base.recordingRules,
        { ...consumerLag, record: requestRate.record, group: "nats-recording" },
      ],
    }),
    message: "job:phoenix_http_requests:rate5m is already recorded at src/recording-rules/phoenix.ts:",
    subject: "recording rule job:phoenix_http_requests:rate5m",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "the same metric over another window",
    model: (): Model => ({
      ...base,
      recordingRules: [
        ...base.recordingRules,
        { ...requestRate, record: "job:phoenix_http_requests:rate1m" },
      ],
    }),
  },
  {
    name: "the same metric at another level",
    model: (): Model => ({
      ...base,
      recordingRules: [
        ...base.recordingRules,
        { ...requestRate, record: "instance:phoenix_http_requests:rate5m" },
      ],
    }),
  },
];

describeModelCheck(
  "rules/unique-name",
  uniqueRuleName,
  { severity: "error", match: "message", bad, good },
  (run) => {
    it("accepts one name recorded with different static labels", () => {
      const model: Model = {
        ...base,
        recordingRules: [...base.recordingRules, { ...requestRate, labels: { scope: "api" } }].map((r) =>
          r === requestRate ? { ...r, labels: { scope: "all" } } : r,
        ),
      };
      expect(run(model)).toEqual([]);
    });
  },
);
