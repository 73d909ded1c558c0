import { describe, expect, it } from "vitest";
import { uniqueRuleName } from "../../../src/engine/check/checks/rules/unique-name.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import { recordingRule } from "../../../src/engine/define/alerting.ts";
import { formatDiagnostic } from "../../../src/engine/diagnostics.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";

const base = compile(project).model;
const run = (model: Model) => checkModel(model, [uniqueRuleName]);
const requestRate = base.recordingRules.find((r) => r.record === "job:phoenix_http_requests:rate5m")!;
const consumerLag = base.recordingRules.find((r) => r.record === "job_stream_consumer:jetstream_consumer_num_pending:max")!;
const tests = [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }];

const bad = [
  {
    name: "a second definition of a real rule",
    model: () => compile(projectWith([variantAlert({})], [recordingRule({ record: "job:phoenix_http_requests:rate5m", expr: "sum by (job) (rate(phoenix_http_request_total[5m]))", tests })])).model,
    message: "job:phoenix_http_requests:rate5m is already recorded at src/recording-rules/phoenix.ts:",
    subject: "recording rule job:phoenix_http_requests:rate5m",
  },
  {
    name: "a rule in another group renamed onto an existing one",
    model: (): Model => ({ ...base, recordingRules: [...base.recordingRules, { ...consumerLag, record: requestRate.record, group: "nats-recording" }] }),
    message: "job:phoenix_http_requests:rate5m is already recorded at src/recording-rules/phoenix.ts:",
    subject: "recording rule job:phoenix_http_requests:rate5m",
  },
];

const good = [
  { name: "the real project", model: () => base },
  { name: "the same metric over another window", model: (): Model => ({ ...base, recordingRules: [...base.recordingRules, { ...requestRate, record: "job:phoenix_http_requests:rate1m" }] }) },
  { name: "the same metric at another level", model: (): Model => ({ ...base, recordingRules: [...base.recordingRules, { ...requestRate, record: "instance:phoenix_http_requests:rate5m" }] }) },
];

describe("rules/unique-name", () => {
  it.each(bad)("flags $name", ({ model, message, subject }) => {
    const found = run(model());
    const diagnostic = found.find((d) => d.message.includes(message));
    expect(diagnostic, found.map(formatDiagnostic).join("\n")).toMatchObject({ check: "rules/unique-name", severity: "error", subject });
  });

  it.each(good)("accepts $name", ({ model }) => {
    const found = run(model());
    expect(found, found.map(formatDiagnostic).join("\n")).toEqual([]);
  });

  it("accepts one name recorded with different static labels", () => {
    const model: Model = {
      ...base,
      recordingRules: [...base.recordingRules, { ...requestRate, labels: { scope: "api" } }].map((r) => (r === requestRate ? { ...r, labels: { scope: "all" } } : r)),
    };
    expect(run(model)).toEqual([]);
  });
});
