import { describe, expect, it } from "vitest";
import {
  judgeGroups,
  ruleEngines,
  ruleFeatures,
  type GroupToJudge,
  type RuleEngine,
} from "../../../src/engine/check/checks/targets/rule-features.ts";
import type { Model } from "../../../src/engine/model.ts";
import { realModel, runModel } from "../../helpers/checks.ts";

const at = { file: "src/alerts/test.ts", line: 5 };
const ruleAt = { file: "src/alerts/test.ts", line: 9 };

/** A group as an output writes it: `extra` group fields, and one alert with `ruleExtra` fields. */
const group = (
  extra: Record<string, unknown> = {},
  ruleExtra: Record<string, unknown> = {},
): GroupToJudge => ({
  group: {
    name: "global-sovereign-test-alerts",
    interval: "30s",
    ...extra,
    rules: [{ alert: "TestAlert", expr: "up == 0", for: "5m", ...ruleExtra }],
  },
  subject: "rule group test-alerts",
  source: at,
  owners: [{ subject: "alert TestAlert", source: ruleAt }],
});

const prometheus = (version: string): RuleEngine => ({
  kind: "prometheus",
  version,
  output: "kubernetes",
  setting: "outputs.kubernetes.ruler and rulerVersion",
});
const thanos: RuleEngine = {
  kind: "thanos",
  version: "0.35.0",
  output: "kubernetes",
  setting: "outputs.kubernetes.ruler and rulerVersion",
};
const vmalert = (version: string): RuleEngine => ({
  kind: "vmalert",
  version,
  output: "victoriaMetrics",
  setting: "outputs.victoriaMetrics.vmalertVersion",
});
const mimir: RuleEngine = { kind: "mimir", output: "mimir", setting: "outputs.mimir" };

interface Case {
  name: string;
  groups: GroupToJudge[];
  engines: RuleEngine[];
  /** `subject: message` of each finding, in order. */
  expected: string[];
}

const bad: Case[] = [
  {
    name: "group labels before Prometheus 3",
    groups: [group({ labels: { team: "a" } })],
    engines: [prometheus("2.53.0")],
    expected: [
      "rule group test-alerts: group field labels: the kubernetes output's Prometheus 2.53.0 refuses it (group labels need Prometheus 3.0 or later)",
    ],
  },
  {
    name: "group labels under Thanos Ruler, which ignores them",
    groups: [group({ labels: { team: "a" } })],
    engines: [thanos],
    expected: [
      "rule group test-alerts: group field labels: the kubernetes output's Thanos Ruler 0.35.0 ignores it: its rules would be stored without these labels",
    ],
  },
  {
    name: "query_offset under Thanos Ruler and vmalert, each named",
    groups: [group({ query_offset: "1m" })],
    engines: [thanos, vmalert("1.79.5")],
    expected: [
      "rule group test-alerts: group field query_offset: the kubernetes output's Thanos Ruler 0.35.0 ignores it: its rules would be evaluated without the offset",
      "rule group test-alerts: group field query_offset: the victoriaMetrics output's vmalert 1.79.5 refuses it (unknown field in group)",
    ],
  },
  {
    name: "keep_firing_for on an old Prometheus, at the alert's line",
    groups: [group({}, { keep_firing_for: "5m" })],
    engines: [prometheus("2.41.0")],
    expected: [
      "alert TestAlert: rule field keep_firing_for: the kubernetes output's Prometheus 2.41.0 refuses it (keep_firing_for needs Prometheus 2.42 or later)",
    ],
  },
  {
    name: "keep_firing_for on Debian's vmalert 1.79",
    groups: [group({}, { keep_firing_for: "5m" })],
    engines: [vmalert("1.79.5")],
    expected: [
      "alert TestAlert: rule field keep_firing_for: the victoriaMetrics output's vmalert 1.79.5 refuses it (unknown field in rule)",
    ],
  },
  {
    name: "a Thanos field for Prometheus",
    groups: [group({ partial_response_strategy: "warn" })],
    engines: [prometheus("3.0.0")],
    expected: [
      "rule group test-alerts: group field partial_response_strategy: the kubernetes output's Prometheus 3.0.0 refuses it (a Thanos field)",
    ],
  },
];

const good: Case[] = [
  {
    name: "group labels on Prometheus 3 and vmalert",
    groups: [group({ labels: { a: "b" } })],
    engines: [prometheus("3.0.0"), vmalert("1.79.5")],
    expected: [],
  },
  {
    name: "query_offset on Prometheus 2.53",
    groups: [group({ query_offset: "1m" })],
    engines: [prometheus("2.53.0")],
    expected: [],
  },
  {
    name: "keep_firing_for on Prometheus 2.42 and Mimir",
    groups: [group({}, { keep_firing_for: "5m" })],
    engines: [prometheus("2.42.0"), mimir],
    expected: [],
  },
  {
    name: "partial_response_strategy for Thanos Ruler",
    groups: [group({ partial_response_strategy: "abort" })],
    engines: [thanos],
    expected: [],
  },
  {
    name: "plain groups, any engine",
    groups: [group()],
    engines: [prometheus("2.0.0"), thanos, vmalert("1.0.0"), mimir],
    expected: [],
  },
];

describe("targets/rule-features", () => {
  it.each(bad)("flags $name", ({ groups, engines, expected }) => {
    const found = judgeGroups(groups, engines);
    expect(found.map((f) => `${f.subject}: ${f.message}`)).toEqual(expected);
    for (const finding of found) {
      expect(finding.source).toEqual(finding.subject?.startsWith("alert") ? ruleAt : at);
      expect(finding.fix).toMatch(/^drop .* or change outputs\./);
    }
  });

  it.each(good)("accepts $name", ({ groups, engines }) => {
    expect(judgeGroups(groups, engines)).toEqual([]);
  });

  it("knows each enabled output's engine from the settings, and none without outputs", () => {
    const model = realModel();
    const outputs = model.settings.outputs!;
    const withOutputs = (o: Model["settings"]["outputs"]): Model => ({
      ...model,
      settings: { ...model.settings, outputs: o },
    });
    expect(ruleEngines(withOutputs(undefined))).toEqual([]);
    expect(
      ruleEngines(
        withOutputs({
          ...outputs,
          kubernetes: { ...outputs.kubernetes!, ruler: "thanos", rulerVersion: "0.36.0" },
        }),
      ).map((e) => `${e.output}: ${e.kind} ${e.version ?? ""}`.trim()),
    ).toEqual([
      "kubernetes: thanos 0.36.0",
      "mimir: mimir",
      `victoriaMetrics: vmalert ${outputs.victoriaMetrics!.vmalertVersion}`,
    ]);
  });

  it("passes the real project", () => {
    expect(runModel(ruleFeatures)).toEqual([]);
  });
});
