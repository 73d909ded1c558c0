import { expect, it } from "vitest";
import { pathSafeName } from "../../../src/engine/check/checks/names/path-safe-name.ts";
import type { DashboardModel, Model, RuleGroupModel } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();

/** A rule group of our own, defined at test.ts:<line>. */
const group = (name: string, kind: RuleGroupModel["kind"] = "alerts", line = 7): RuleGroupModel => ({
  name,
  kind,
  file: "src/alerts/test.ts",
  line,
  interval: "30s",
  rules: [],
});
const dashboard = (uid: string, line = 3): DashboardModel => ({
  uid,
  title: "Test",
  source: { file: "src/dashboards/test.ts", line },
  panels: [],
  rows: [],
  variables: [],
  links: [],
  json: {},
});
const withGroups = (...ruleGroups: RuleGroupModel[]): Model => ({ ...base, ruleGroups, dashboards: [] });
const withDashboards = (...dashboards: DashboardModel[]): Model => ({ ...base, ruleGroups: [], dashboards });

const groupAt = { file: "src/alerts/test.ts", line: 7 };
const dashboardAt = { file: "src/dashboards/test.ts", line: 3 };

const bad: BadModel[] = [
  {
    name: "a rule group name climbing out of build/ with ../",
    model: () => withGroups(group("../../../../etc/cron")),
    subject: "rule group ../../../../etc/cron",
    source: groupAt,
    messageIs:
      'the rule group name "../../../../etc/cron" cannot be a file name (it would write prometheus/rules/alerts/../../../../etc/cron.yaml): it holds a path separator or `..`, so the file would be written outside its folder, or not at all',
    fix: 'rename it, e.g. to "etc-cron", in the first argument of ruleGroup(...)',
  },
  {
    name: "a rule group name with a slash",
    model: () => withGroups(group("beam/memory")),
    message: "it holds a path separator",
    fix: 'e.g. to "beam-memory"',
  },
  {
    name: "a rule group name with a backslash (a separator on Windows)",
    model: () => withGroups(group("beam\\memory")),
    message: "it holds a path separator",
  },
  {
    name: "a rule group name that is only dots",
    model: () => withGroups(group("..")),
    message: "it holds a path separator or `..`",
    fix: "rename it in the first argument of ruleGroup(...)",
  },
  {
    name: "an uppercase rule group name",
    model: () => withGroups(group("Beam-alerts")),
    message:
      "it has an uppercase letter, and names that differ only in case are one file on macOS and Windows",
    fix: 'e.g. to "beam-alerts"',
  },
  {
    name: "a rule group name with a space",
    model: () => withGroups(group("beam alerts")),
    message: 'it has the character " "',
    fix: 'e.g. to "beam-alerts"',
  },
  {
    name: "a rule group name with a dot",
    model: () => withGroups(group("beam.alerts")),
    message: 'it has the character "."',
  },
  {
    name: "a rule group name with an underscore",
    model: () => withGroups(group("beam_alerts", "recording")),
    message: 'it has the character "_"',
  },
  {
    name: "a rule group name with a non-ASCII letter",
    model: () => withGroups(group("straße")),
    message: 'it has the character "ß"',
  },
  {
    name: "a rule group name with a colon (a drive or stream on Windows)",
    model: () => withGroups(group("c:beam")),
    message: 'it has the character ":"',
  },
  {
    name: "a rule group name starting with '-'",
    model: () => withGroups(group("-beam")),
    message: "it starts or ends with '-'",
    fix: 'e.g. to "beam"',
  },
  {
    name: "a rule group name ending with '-'",
    model: () => withGroups(group("beam-")),
    message: "it starts or ends with '-'",
  },
  {
    name: "an empty rule group name",
    model: () => withGroups(group("")),
    message: "it is empty",
    fix: "rename it in the first argument of ruleGroup(...)",
  },
  {
    name: "a rule group name of 64 characters",
    model: () => withGroups(group("a".repeat(64))),
    message: "it is 64 characters long, more than 63",
  },
  {
    name: "a rule group that writes a file name Windows reserves (con-alerts -> con.yaml)",
    model: () => withGroups(group("con-alerts")),
    messageIs:
      'the rule group name "con-alerts" writes prometheus/rules/alerts/con.yaml, a file name Windows reserves for a device (CON)',
  },
  {
    name: "a recording rule group named lpt1",
    model: () => withGroups(group("lpt1", "recording")),
    message: "a file name Windows reserves for a device (LPT1)",
  },
  {
    name: "a rule group name that is not a string",
    model: () => withGroups(group(42 as unknown as string)),
    subject: "rule group 42",
    messageIs: "the rule group name is not a string (number), and it becomes a file name",
  },
  {
    name: "a dashboard uid with ../",
    model: () => withDashboards(dashboard("../../provisioning/dashboards/global-sovereign")),
    subject: 'dashboard ../../provisioning/dashboards/global-sovereign "Test"',
    source: dashboardAt,
    message:
      'the dashboard uid "../../provisioning/dashboards/global-sovereign" cannot be a file name (it would write grafana/dashboards/../../provisioning/dashboards/global-sovereign.json)',
    fix: "in `uid` in the dashboard's definition",
  },
  {
    name: "an uppercase dashboard uid",
    model: () => withDashboards(dashboard("GS-Beam")),
    message: "it has an uppercase letter",
    fix: 'e.g. to "gs-beam"',
  },
  {
    name: "a dashboard uid of 41 characters (Grafana allows 40)",
    model: () => withDashboards(dashboard("g".repeat(41))),
    message: "it is 41 characters long, more than 40",
  },
  {
    name: "a dashboard uid Grafana accepts but not every file system: an underscore",
    model: () => withDashboards(dashboard("gs_beam")),
    message: 'it has the character "_"',
  },
  {
    name: "a dashboard named aux",
    model: () => withDashboards(dashboard("aux")),
    message: "a file name Windows reserves for a device (AUX)",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "lowercase names with digits and hyphens",
    model: () => withGroups(group("beam-alerts"), group("nats2"), group("covenant-recording", "recording")),
  },
  {
    name: "one-character names",
    model: () => ({ ...withGroups(group("a"), group("9")), dashboards: [dashboard("b")] }),
  },
  {
    name: "a rule group name of 63 characters and a uid of 40",
    model: () => ({ ...withGroups(group("a".repeat(63))), dashboards: [dashboard("d".repeat(40))] }),
  },
  {
    name: "names that only start like reserved ones",
    model: () => withGroups(group("console"), group("com10"), group("auxiliary-alerts"), group("nul-ish")),
  },
];

describeModelCheck(
  "names/path-safe-name",
  pathSafeName,
  { severity: "error", match: "exactly", expect: { fix: true, position: null }, bad, good },
  (run) => {
    it("names the rule group at its ruleGroup(...) line, or line 1 of its file when the line is unknown", () => {
      const { line: _line, ...lineless } = group("Beam");
      expect(run(withGroups(group("Beam", "alerts", 12), lineless)).map((d) => d.source)).toEqual([
        { file: "src/alerts/test.ts", line: 1 },
        { file: "src/alerts/test.ts", line: 12 },
      ]);
    });

    it("reports every bad name at once", () => {
      expect(run({ ...withGroups(group("A"), group("b/c")), dashboards: [dashboard("D")] })).toHaveLength(3);
    });
  },
);
