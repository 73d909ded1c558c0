/**
 * What a group's promtool test file loads: the group and every group whose recorded series its rules read, at any
 * depth, in the build's order; every group when a rule reads an alert's state (ALERTS) or a series it does not name;
 * an SLO group's own scope as it says. Groups of our own beside the real project's, whose test files are not asserted.
 */
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { alert, recordingRule, ruleGroup, type AlertDefinition } from "../../src/engine/define/alerting.ts";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { renderPrometheus, ruleFilePath, ruleTestFilePath } from "../../src/engine/render/prometheus.ts";
import type { RuleGroupModel } from "../../src/engine/model.ts";
import { project } from "../../src/project.ts";
import { variantAlert } from "../helpers/alerts.ts";

// Each with a test, so that its group has a test file (what the tests say is not evaluated here).
const rule = (record: string, expr: string) =>
  recordingRule({
    record,
    expr,
    tests: [
      {
        name: "a test",
        input: [{ series: 'fx_requests_total{job="fx"}', values: "0+60x10" }],
        at: "5m",
        expect: [],
      },
    ],
  });
const reading = (name: string, expr: string): AlertDefinition => variantAlert({ name, expr });

const recording = [
  ruleGroup("fx-base", [rule("fx:requests:rate5m", 'sum by (job) (rate(fx_requests_total{job="fx"}[5m]))')]),
  ruleGroup("fx-derived", [rule("fx:requests:double", "fx:requests:rate5m * 2")]),
  ruleGroup("fx-unrelated", [rule("fx:other:rate5m", "sum(rate(fx_other_total[5m]))")]),
];
const alerting = [
  ruleGroup("fx-direct", [reading("FxDirect", 'fx_requests_total{job="fx"} > 1')]),
  ruleGroup("fx-deep", [
    reading("FxDeep", "fx:requests:double > 1"),
    reading("FxOwn", "fx_requests_total > 1"),
  ]),
  ruleGroup("fx-state", [reading("FxState", 'ALERTS{alertname="FxDirect"} == 1')]),
  ruleGroup("fx-unnamed", [reading("FxUnnamed", '{__name__=~"fx:.*"} > 1')]),
];
const model = compileModel({
  ...project,
  recordingRuleGroups: [...project.recordingRuleGroups, ...recording],
  alertGroups: [...project.alertGroups, ...alerting],
});
const artifacts = renderPrometheus(model);
const group = (name: string) => model.ruleGroups.find((g) => g.name === name)!;
const allFiles = model.ruleGroups.map((g) => ruleFilePath(g));

/** The rule files a group's test file loads, as build paths (its entries are relative to it). */
function loaded(of: RuleGroupModel): string[] {
  const file = ruleTestFilePath(of);
  const artifact = artifacts.find((a) => a.path === file)!;
  return (parse(artifact.content) as { rule_files: string[] }).rule_files.map((entry) =>
    posix.normalize(posix.join(posix.dirname(file), entry)),
  );
}

describe("a test file loads the groups its rules read", () => {
  it.each([
    ["fx-direct", "reads no recorded series: its own file only", ["fx-direct"]],
    [
      "fx-deep",
      "reads a rule that reads a rule: both groups, in the build's order",
      ["fx-base", "fx-derived", "fx-deep"],
    ],
    ["fx-derived", "a recording group: its own and what it reads", ["fx-base", "fx-derived"]],
    ["fx-unrelated", "reads nothing recorded", ["fx-unrelated"]],
  ])("%s: %s", (name, _, groups) => {
    expect(loaded(group(name))).toEqual(
      allFiles.filter((f) => groups.map((g) => ruleFilePath(group(g))).includes(f)),
    );
  });

  it.each([
    ["fx-state", "reads ALERTS, which every alerting group writes"],
    ["fx-unnamed", "reads a series it does not name"],
  ])("%s: %s: every rule file", (name) => {
    expect(loaded(group(name))).toEqual(allFiles);
  });

  it("an SLO group loads its own scope, in the scope's order", () => {
    const slo = model.ruleGroups.find((g) => g.tests?.ruleGroups)!;
    expect(loaded(slo)).toEqual(slo.tests!.ruleGroups.map((name) => ruleFilePath(group(name))));
  });
});
