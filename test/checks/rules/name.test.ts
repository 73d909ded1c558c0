import { expect, it } from "vitest";
import { ruleName, ruleNameCheck } from "../../../src/engine/check/checks/rules/name.ts";
import { recordingRule } from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const [requestRate] = base.recordingRules;
const tests = [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }];

/** The real project with one more recording rule, defined as content code would. */
const withRule = (record: string) =>
  compile(projectWith([variantAlert({})], [recordingRule({ record, expr: "sum by (job) (up)", tests })]))
    .model;
/** The real model with a copy of a real rule under another name. */
const withRecord = (record: string): Model => ({
  ...base,
  recordingRules: [...base.recordingRules, { ...requestRate!, record }],
});

const badNames = [
  { name: "a plain metric name", record: "phoenix_ratio", model: () => withRule("phoenix_ratio") },
  {
    name: "two parts: no operations",
    record: "job:phoenix_http_requests",
    model: () => withRecord("job:phoenix_http_requests"),
  },
  {
    name: "four parts",
    record: "job:phoenix:http_requests:rate5m",
    model: () => withRecord("job:phoenix:http_requests:rate5m"),
  },
  {
    name: "an empty level",
    record: ":phoenix_http_requests:rate5m",
    model: () => withRecord(":phoenix_http_requests:rate5m"),
  },
  {
    name: "a dash in the metric part",
    record: "job:phoenix-http-requests:rate5m",
    model: () => withRecord("job:phoenix-http-requests:rate5m"),
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a level with several labels",
    model: () => withRule("job_region:global_sovereign_project_creations:failure_ratio_rate10m"),
  },
  {
    name: "another level and another window",
    model: () => withRecord("instance:phoenix_http_requests:rate1m"),
  },
];

/** Each bad name is reported on its own rule. */
const bad: BadModel[] = badNames.map(({ record, ...c }) => ({
  ...c,
  message: `"${record}" is not named level:metric:operations`,
  subject: `recording rule ${record}`,
}));

describeModelCheck("rules/name", ruleName, { severity: "error", match: "message", bad, good }, (run) => {
  it("points at the recordingRule(...) call", () => {
    const [diagnostic] = run(withRule("phoenix_ratio"));
    expect(diagnostic!.source.file).toBe("test/checks/rules/name.test.ts");
  });

  it("holds names to a team's own pattern when configured", () => {
    const team = ruleNameCheck({
      pattern: /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/,
      mismatch: "does not match ^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$",
    });
    const found = team.check(withRecord("apiserver_request:availability30d"), undefined as never);
    expect(found.map((f) => [f.message, f.fix])).toEqual([
      [
        '"apiserver_request:availability30d" does not match ^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$',
        "rename it to match ^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$, or change the pattern in the configuration.",
      ],
    ]);
  });
});
