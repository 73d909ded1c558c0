import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { pathCollision } from "../../../src/engine/check/checks/names/path-collision.ts";
import { ruleGroup } from "../../../src/engine/define/alerting.ts";
import type { DashboardModel, Model, RuleGroupModel } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import {
  describeModelCheck,
  explain,
  realModel,
  type BadModel,
  type GoodModel,
} from "../../helpers/checks.ts";
import { lineOf } from "../../helpers/project.ts";

const base = realModel();
const thisFile = readFileSync(fileURLToPath(import.meta.url), "utf8");

const group = (
  name: string,
  line: number,
  kind: RuleGroupModel["kind"] = "alerts",
  file = "src/alerts/a.ts",
): RuleGroupModel => ({ name, kind, file, line, interval: "30s", rules: [] });
const dashboard = (uid: string, line: number, title = "Test"): DashboardModel => ({
  uid,
  title,
  source: { file: "src/dashboards/test.ts", line },
  panels: [],
  rows: [],
  variables: [],
  links: [],
  json: {},
});
const withGroups = (...ruleGroups: RuleGroupModel[]): Model => ({ ...base, ruleGroups, dashboards: [] });
const withDashboards = (...dashboards: DashboardModel[]): Model => ({ ...base, ruleGroups: [], dashboards });

const renameFix = "rename one of the two rule groups in ruleGroup(...)";

const bad: BadModel[] = [
  {
    name: "beam next to beam-alerts (the -alerts suffix is dropped from file names)",
    model: () =>
      withGroups(
        group("beam-alerts", 50, "alerts", "src/alerts/beam.ts"),
        group("beam", 9, "alerts", "src/alerts/beam-extra.ts"),
      ),
    subject: "rule group beam",
    source: { file: "src/alerts/beam-extra.ts", line: 9 },
    messageIs:
      "it would write prometheus/rules/alerts/beam.yaml, the file of rule group beam-alerts (src/alerts/beam.ts:50): one would replace the other",
    fix: renameFix,
  },
  {
    name: "the same name twice",
    model: () => withGroups(group("nats-alerts", 3), group("nats-alerts", 30, "alerts", "src/alerts/b.ts")),
    subject: "rule group nats-alerts",
    source: { file: "src/alerts/b.ts", line: 30 },
    message: "the file of rule group nats-alerts (src/alerts/a.ts:3)",
  },
  {
    name: "two recording groups, x-recording and x",
    model: () => withGroups(group("x-recording", 3, "recording"), group("x", 4, "recording")),
    message:
      "it would write prometheus/rules/recording/x.yaml, the file of rule group x-recording (src/alerts/a.ts:3)",
  },
  {
    name: "names that differ only in case",
    model: () => withGroups(group("beam", 3), group("Beam", 4)),
    subject: "rule group Beam",
    messageIs:
      "it would write prometheus/rules/alerts/Beam.yaml, which is prometheus/rules/alerts/beam.yaml on a case-insensitive file system, the file of rule group beam (src/alerts/a.ts:3): one would replace the other",
  },
  {
    name: "a name that climbs back into its own folder",
    model: () => withGroups(group("beam", 3), group("../alerts/beam", 4)),
    message:
      "it would write prometheus/rules/alerts/../alerts/beam.yaml, which is prometheus/rules/alerts/beam.yaml, the file of rule group beam",
  },
  {
    name: "a rule group whose rule file is another group's test file",
    model: () => withGroups(group("beam", 3), group("../../tests/alerts/beam.test", 4)),
    message: "which is prometheus/tests/alerts/beam.test.yaml, the file of rule group beam",
  },
  {
    name: "a normal group after one that took its test file",
    model: () => withGroups(group("../../tests/alerts/beam.test", 3), group("beam", 4)),
    subject: "rule group beam",
    message:
      "it would write prometheus/tests/alerts/beam.test.yaml, which is prometheus/rules/alerts/../../tests/alerts/beam.test.yaml, the file of rule group ../../tests/alerts/beam.test",
  },
  {
    name: "dashboard uids that differ only in case",
    model: () => withDashboards(dashboard("gs-beam", 3, "Beam"), dashboard("GS-Beam", 8, "Beam 2")),
    subject: 'dashboard GS-Beam "Beam 2"',
    source: { file: "src/dashboards/test.ts", line: 8 },
    messageIs:
      'it would write grafana/dashboards/GS-Beam.json, which is grafana/dashboards/gs-beam.json on a case-insensitive file system, the file of dashboard gs-beam "Beam" (src/dashboards/test.ts:3): one would replace the other',
    fix: "give each dashboard a uid of its own, differing by more than case.",
  },
  {
    name: "three groups on one file (each repeat is reported, against the first)",
    model: () => withGroups(group("beam", 3), group("beam-alerts", 4), group("BEAM", 5)),
    findings: [
      { subject: "rule group beam-alerts", message: "the file of rule group beam (src/alerts/a.ts:3)" },
      { subject: "rule group BEAM", message: "the file of rule group beam (src/alerts/a.ts:3)" },
    ],
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "an alerts group and a recording group of one name (different folders)",
    model: () => withGroups(group("beam", 3), group("beam", 4, "recording")),
  },
  {
    name: "beam-alerts and beam-recording",
    model: () => withGroups(group("beam-alerts", 3), group("beam-recording", 4, "recording")),
  },
  {
    name: "names that share a prefix",
    model: () => withGroups(group("beam", 3), group("beam-memory", 4), group("beam-memory-alerts-2", 5)),
  },
  // dashboard/unique-uid reports a uid used twice; one finding is enough.
  {
    name: "two dashboards with the very same uid",
    model: () => withDashboards(dashboard("gs-beam", 3), dashboard("gs-beam", 8)),
  },
  {
    name: "a dashboard uid equal to a rule group name (different folders)",
    model: () => ({ ...withGroups(group("beam", 3)), dashboards: [dashboard("beam", 8)] }),
  },
];

describeModelCheck(
  "names/path-collision",
  pathCollision,
  { severity: "error", match: "exactly", expect: { fix: true, position: null }, bad, good },
  () => {
    it('fails the build of ruleGroup("beam") next to ruleGroup("beam-alerts"), naming both definitions at their lines', () => {
      const beamAlerts = project.alertGroups.find((g) => g.name === "beam-alerts")!;
      const extra = ruleGroup("beam", beamAlerts.rules); // marker: second beam group
      const result = compile({
        ...project,
        alertGroups: [...project.alertGroups.map((g) => (g === beamAlerts ? { ...g, rules: [] } : g)), extra],
      });
      expect(result.ok).toBe(false);
      expect(result.artifacts).toEqual([]);
      const found = result.diagnostics.filter((d) => d.check === "names/path-collision");
      expect(found, explain(result.diagnostics)).toHaveLength(1);
      expect(found[0]!.source).toEqual({
        file: "test/checks/names/path-collision.test.ts",
        line: lineOf(thisFile, "marker: second beam group"),
      });
      expect(found[0]!.message).toMatch(
        /^it would write prometheus\/rules\/alerts\/beam\.yaml, the file of rule group beam-alerts \(src\/alerts\/beam\.ts:\d+\)/,
      );
      const [, line] = /src\/alerts\/beam\.ts:(\d+)/.exec(found[0]!.message)!;
      expect(
        readFileSync(new URL("../../../src/alerts/beam.ts", import.meta.url), "utf8").split("\n")[
          Number(line) - 1
        ],
      ).toContain('ruleGroup("beam-alerts"');
    });
  },
);
