import { expect, it } from "vitest";
import { ruleEvaluationOrder } from "../../../src/engine/check/checks/rules/evaluation-order.ts";
import { modelForRuleFile, readRuleFile } from "../../../src/engine/check/rule-file.ts";
import { recordingRule } from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const tests = [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }];
const rule = (record: string, expr: string) => recordingRule({ record, expr, tests });
const withRules = (...rules: ReturnType<typeof rule>[]) =>
  compile(projectWith([variantAlert({})], rules)).model;
const requests = "sum by (job) (rate(phoenix_http_request_total[5m]))";

/** The real model with one group's rules in another order. */
function reordered(group: string, order: (rules: string[]) => string[]): Model {
  return {
    ...base,
    ruleGroups: base.ruleGroups.map((g) => (g.name === group ? { ...g, rules: order(g.rules) } : g)),
  };
}

/** A foreign rule file's groups, as `o11y check <file>` models them. */
function ruleFile(text: string): Model {
  return modelForRuleFile(base, readRuleFile("rules.yaml", text, "1m"));
}

const ecto = "ecto-recording";
const p95 = "job:ecto_query_duration_seconds:p95_rate5m";
const buckets = "job:ecto_query_duration_seconds_bucket:rate5m";

const bad: BadModel[] = [
  {
    name: "a recording rule moved above the rule it reads",
    model: () => reordered(ecto, (rules) => [...rules].reverse()),
    subject: `recording rule ${p95}`,
    message: `reads ${buckets}`,
    messageIs: `reads ${buckets}, which group ${ecto} records further down (rule 2; this is rule 1): Prometheus evaluates a group's rules in order, so this rule reads ${buckets} as it was one evaluation earlier (30s old), and nothing on the first evaluation`,
    fix: `move recording rule ${p95} below recording rule ${buckets} in group ${ecto}`,
    sourceFile: "src/recording-rules/ecto.ts",
  },
  {
    name: "a group defined in that order in TypeScript",
    model: () => withRules(rule("job:x2:sum", "2 * job:x1:sum"), rule("job:x1:sum", requests)),
    subject: "recording rule job:x2:sum",
    message: "reads job:x1:sum, which group test-recording records further down (rule 2; this is rule 1)",
    fix: "move recording rule job:x2:sum below recording rule job:x1:sum in group test-recording",
  },
  {
    name: "the first of a chain reading the last (the middle one reads a rule above it: fine)",
    model: () =>
      withRules(
        rule("job:c3:sum", "job:c1:sum + 1"),
        rule("job:c2:sum", requests),
        rule("job:c1:sum", "2 * job:c2:sum"),
      ),
    subject: "recording rule job:c3:sum",
    message: "reads job:c1:sum, which group test-recording records further down (rule 3; this is rule 1)",
    fix: "move recording rule job:c3:sum below recording rule job:c1:sum",
  },
  {
    name: "an alert above the rule it reads, in a rule file that mixes them",
    model: () =>
      ruleFile(`groups:
  - name: mixed
    interval: 15s
    rules:
      - alert: RequestsHigh
        expr: job:mixed_requests:rate5m > 100
      - record: job:mixed_requests:rate5m
        expr: sum by (job) (rate(phoenix_http_request_total[5m]))
`),
    subject: "alert RequestsHigh",
    message:
      "reads job:mixed_requests:rate5m, which group mixed records further down (rule 2; this is rule 1): Prometheus evaluates a group's rules in order, so this rule reads job:mixed_requests:rate5m as it was one evaluation earlier (15s old)",
    fix: "move alert RequestsHigh below recording rule job:mixed_requests:rate5m in group mixed",
    source: { file: "rules.yaml", line: 6 },
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a rule below the rule it reads",
    model: () => withRules(rule("job:y1:sum", requests), rule("job:y2:sum", "2 * job:y1:sum")),
  },
  {
    name: "a rule reading a series another group records (groups run on their own)",
    model: () => reordered("global-sovereign-phoenix-recording", (rules) => rules),
  },
  {
    name: "an alert below the rule it reads",
    model: () =>
      ruleFile(`groups:
  - name: mixed
    rules:
      - record: job:mixed_requests:rate5m
        expr: sum by (job) (rate(phoenix_http_request_total[5m]))
      - alert: RequestsHigh
        expr: job:mixed_requests:rate5m > 100
`),
  },
  {
    name: "the same series read and recorded in different groups, in any order",
    model: () =>
      ruleFile(`groups:
  - name: reads
    rules:
      - alert: RequestsHigh
        expr: job:split_requests:rate5m > 100
  - name: writes
    rules:
      - record: job:split_requests:rate5m
        expr: sum by (job) (rate(phoenix_http_request_total[5m]))
`),
  },
  {
    name: "a rule that reads itself (a cycle: rules/dependency's)",
    model: () => withRules(rule("job:self:sum", "sum by (job) (job:self:sum)")),
  },
];

describeModelCheck(
  "rules/evaluation-order",
  ruleEvaluationOrder,
  { severity: "error", match: "by subject", bad, good },
  (run) => {
    it("reports each rule once per series it reads too early", () => {
      const found = run(
        withRules(rule("job:z2:sum", "job:z1:sum + job:z1:sum * 2"), rule("job:z1:sum", requests)),
      );
      expect(found.map((d) => d.subject)).toEqual(["recording rule job:z2:sum"]);
    });
  },
);
