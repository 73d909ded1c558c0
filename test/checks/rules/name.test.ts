import { describe, expect, it } from "vitest";
import { ruleName } from "../../../src/engine/check/checks/rules/name.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import { recordingRule } from "../../../src/engine/define/alerting.ts";
import { formatDiagnostic } from "../../../src/engine/diagnostics.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";

const base = compile(project).model;
const run = (model: Model) => checkModel(model, [ruleName]);
const [requestRate] = base.recordingRules;
const tests = [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }];

/** The real project with one more recording rule, defined as content code would. */
const withRule = (record: string) => compile(projectWith([variantAlert({})], [recordingRule({ record, expr: "sum by (job) (up)", tests })])).model;
/** The real model with a copy of a real rule under another name. */
const withRecord = (record: string): Model => ({ ...base, recordingRules: [...base.recordingRules, { ...requestRate!, record }] });

const bad = [
  { name: "a plain metric name", record: "phoenix_ratio", model: () => withRule("phoenix_ratio") },
  { name: "two parts: no operations", record: "job:phoenix_http_requests", model: () => withRecord("job:phoenix_http_requests") },
  { name: "four parts", record: "job:phoenix:http_requests:rate5m", model: () => withRecord("job:phoenix:http_requests:rate5m") },
  { name: "an empty level", record: ":phoenix_http_requests:rate5m", model: () => withRecord(":phoenix_http_requests:rate5m") },
  { name: "a dash in the metric part", record: "job:phoenix-http-requests:rate5m", model: () => withRecord("job:phoenix-http-requests:rate5m") },
];

const good = [
  { name: "the real project", model: () => base },
  { name: "a level with several labels", model: () => withRule("job_region:global_sovereign_project_creations:failure_ratio_rate10m") },
  { name: "another level and another window", model: () => withRecord("instance:phoenix_http_requests:rate1m") },
];

describe("rules/name", () => {
  it.each(bad)("flags $name", ({ model, record }) => {
    const found = run(model());
    const diagnostic = found.find((d) => d.message.includes(`"${record}" is not named level:metric:operations`));
    expect(diagnostic, found.map(formatDiagnostic).join("\n")).toMatchObject({ check: "rules/name", severity: "error", subject: `recording rule ${record}` });
  });

  it.each(good)("accepts $name", ({ model }) => {
    const found = run(model());
    expect(found, found.map(formatDiagnostic).join("\n")).toEqual([]);
  });

  it("points at the recordingRule(...) call", () => {
    const [diagnostic] = run(withRule("phoenix_ratio"));
    expect(diagnostic!.source.file).toBe("test/checks/rules/name.test.ts");
  });
});
