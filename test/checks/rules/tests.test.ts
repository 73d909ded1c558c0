import { ruleTests } from "../../../src/engine/check/checks/rules/tests.ts";
import { recordingRule, type RuleTest } from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const requestRate = base.recordingRules.find((r) => r.record === "job:phoenix_http_requests:rate5m")!;
const [realTest] = requestRate.tests as [RuleTest];
const withRule = (tests: RuleTest[]) =>
  compile(
    projectWith(
      [variantAlert({})],
      [recordingRule({ record: "job:up:sum", expr: "sum by (job) (up)", tests })],
    ),
  ).model;
const editTests = (tests: RuleTest[]): Model => ({
  ...base,
  recordingRules: base.recordingRules.map((r) => (r === requestRate ? { ...r, tests } : r)),
});
const upTest: RuleTest = {
  name: "sums targets",
  input: [
    { series: 'up{job="nats", instance="a"}', values: "1x5" },
    { series: 'up{job="nats", instance="b"}', values: "1x5" },
  ],
  at: "2m",
  expect: [{ labels: { job: "nats" }, value: 2 }],
};

const bad: BadModel[] = [
  {
    name: "a new rule without tests",
    model: () => withRule([]),
    message: "the recording rule has no tests",
    subject: "recording rule job:up:sum",
  },
  {
    name: "a test that expects no samples",
    model: () => withRule([{ ...upTest, expect: [] }]),
    message: "a test expects no samples",
    subject: "recording rule job:up:sum",
  },
  {
    name: "a real rule whose tests were dropped",
    model: () => editTests([]),
    message: "the recording rule has no tests",
    subject: "recording rule job:phoenix_http_requests:rate5m",
  },
  {
    name: "a good test next to an empty one",
    model: () => editTests([realTest, { ...realTest, name: "empty", expect: [] }]),
    message: "a test expects no samples",
    subject: "recording rule job:phoenix_http_requests:rate5m",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "a new rule with an exact-value test", model: () => withRule([upTest]) },
  {
    name: "a rule with two tests",
    model: () => editTests([realTest, { ...realTest, name: "again at 12m", at: "12m" }]),
  },
];

describeModelCheck("rules/tests", ruleTests, { severity: "error", match: "message", bad, good });
