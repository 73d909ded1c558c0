import { expect, it } from "vitest";
import { ruleDependency } from "../../../src/engine/check/checks/rules/dependency.ts";
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
const requestPanel = base.dashboards
  .find((d) => d.uid === "gs-phoenix-metrics")!
  .panels.find((p) => p.id === 101)!;

const bad: BadModel[] = [
  {
    name: "an alert reading a series nothing records",
    model: () =>
      compile(projectWith([variantAlert({ expr: "job:phoenix_http_requests_5xx:ratio_rate1m > 0.05" })]))
        .model,
    message: "job:phoenix_http_requests_5xx:ratio_rate1m is used but no recording rule records it",
    subject: "alert PhoenixHigh5xxErrorRate",
  },
  {
    name: "a rule whose input rule was deleted",
    model: (): Model => ({
      ...base,
      recordingRules: base.recordingRules.filter((r) => r.record !== "job:phoenix_http_requests:rate5m"),
    }),
    message: "job:phoenix_http_requests:rate5m is used but no recording rule records it",
    subject: "recording rule job:phoenix_http_requests_5xx:ratio_rate5m",
  },
  {
    name: "a dashboard query reading a series nothing records",
    model: (): Model => ({
      ...base,
      dashboards: base.dashboards.map((d) =>
        d.uid !== "gs-phoenix-metrics"
          ? d
          : {
              ...d,
              panels: d.panels.map((p) =>
                p === requestPanel
                  ? {
                      ...p,
                      targets: [{ ...p.targets[0]!, expr: 'job:phoenix_http_requests:rate1m{job=~"$job"}' }],
                    }
                  : p,
              ),
            },
      ),
    }),
    message: "job:phoenix_http_requests:rate1m is used but no recording rule records it",
    subject: `dashboard gs-phoenix-metrics › panel 101 "Request rate" › query ${requestPanel.targets[0]!.refId}`,
  },
  {
    name: "two rules that read each other",
    model: () =>
      withRules(rule("job:a:sum", "sum by (job) (job:b:sum)"), rule("job:b:sum", "sum by (job) (job:a:sum)")),
    message: "recording rules depend on each other in a cycle: job:a:sum -> job:b:sum -> job:a:sum",
    subject: "recording rule job:a:sum",
  },
  {
    name: "a rule that reads itself",
    model: () => withRules(rule("job:c:sum", "sum by (job) (job:c:sum)")),
    message: "recording rules depend on each other in a cycle: job:c:sum -> job:c:sum",
    subject: "recording rule job:c:sum",
  },
  {
    name: "a cycle reached through a rule outside it",
    model: () =>
      withRules(
        rule("job:entry:sum", "sum by (job) (job:x:sum)"),
        rule("job:x:sum", "sum by (job) (job:y:sum)"),
        rule("job:y:sum", "max by (job) (job:x:sum)"),
      ),
    message: "recording rules depend on each other in a cycle: job:x:sum -> job:y:sum -> job:x:sum",
    subject: "recording rule job:x:sum",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a chain of rules built on a real one",
    model: () =>
      withRules(
        rule("job:phoenix_http_requests:rate5m_x2", "2 * job:phoenix_http_requests:rate5m"),
        rule("job:phoenix_http_requests:rate5m_x4", "2 * job:phoenix_http_requests:rate5m_x2"),
      ),
  },
  {
    name: "a recorded series read through a __name__ matcher",
    model: () =>
      withRules(
        rule(
          "job:phoenix_http_requests:max5m",
          'max by (job) ({__name__="job:phoenix_http_requests:rate5m"})',
        ),
      ),
  },
  {
    name: "two rules reading one shared rule (a diamond, not a cycle)",
    model: () =>
      withRules(
        rule("job:d1:sum", "sum by (job) (job:phoenix_http_requests:rate5m)"),
        rule("job:d2:sum", "sum by (job) (job:phoenix_http_requests:rate5m)"),
        rule("job:d3:sum", "job:d1:sum + job:d2:sum"),
      ),
  },
];

describeModelCheck(
  "rules/dependency",
  ruleDependency,
  { severity: "error", match: "message", bad, good },
  (run) => {
    it("reports a cycle once", () => {
      const found = run(
        withRules(
          rule("job:a:sum", "sum by (job) (job:b:sum)"),
          rule("job:b:sum", "sum by (job) (job:a:sum)"),
        ),
      );
      expect(found.filter((d) => d.message.includes("cycle"))).toHaveLength(1);
    });
  },
);
