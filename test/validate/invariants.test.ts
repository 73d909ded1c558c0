/**
 * The build's invariants, fed a small model of our own and its rendered files, then the same files broken the
 * ways a renderer bug or a name clash would break them: each must be an error naming what was lost.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatDiagnostic, type Diagnostic } from "../../src/engine/diagnostics.ts";
import type {
  AlertModel,
  DashboardModel,
  Model,
  PanelModel,
  RecordingRuleModel,
  RuleGroupModel,
} from "../../src/engine/model.ts";
import { jsonArtifact, type Artifact } from "../../src/engine/render/artifact.ts";
import { renderGrafana } from "../../src/engine/render/grafana.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
import { checkInvariants } from "../../src/engine/validate/invariants.ts";
import { defaultRouting } from "../../src/engine/define/project.ts";

const at = (line: number) => ({ file: "src/fixture.ts", line });

function fixtureAlert(name: string, group: string, line: number): AlertModel {
  return {
    name,
    severity: "high",
    expr: "up == 0",
    for: "1m",
    threshold: { op: "==", value: 0, unit: "bool", source: at(line) },
    labels: { severity: "high", service: "s", team: "t" },
    annotations: {
      summary: "down",
      description: "down",
      runbook_url: "https://r/#a",
      dashboard_url: "https://g/d/fx?viewPanel=2",
    },
    runbook: { heading: "Alert: A", anchor: "a" },
    dashboard: { uid: "fx", panelId: 2 },
    tests: [
      {
        name: "down",
        input: [{ series: "up", values: "0x5" }],
        value: 0,
        expect: [{ at: "3m", state: "firing", description: "down" }],
      },
    ],
    group,
    source: at(line),
  };
}

const rule: RecordingRuleModel = {
  record: "job:up:sum",
  expr: "sum by (job) (up)",
  labels: {},
  tests: [
    {
      name: "sums",
      input: [{ series: 'up{job="j"}', values: "1x5" }],
      at: "1m",
      expect: [{ labels: { job: "j" }, value: 1 }],
    },
  ],
  group: "fx-recording",
  source: at(40),
};

const panel = (id: number, line: number): PanelModel => ({
  id,
  type: id === 1 ? "row" : "stat",
  title: `P${id}`,
  gridPos: { x: 0, y: id, w: 12, h: 4 },
  targets: [],
  thresholds: [],
  source: at(line),
});

function fixtureDashboard(uid: string): DashboardModel {
  return {
    uid,
    title: "Fixture",
    source: at(60),
    rows: [panel(1, 61)],
    panels: [panel(2, 62), panel(3, 63)],
    variables: [],
    links: [],
    json: {
      uid,
      title: "Fixture",
      panels: [
        { id: 1, type: "row", panels: [] },
        { id: 2, type: "stat" },
        { id: 3, type: "stat" },
      ],
    },
  };
}

const group = (name: string, kind: RuleGroupModel["kind"], rules: string[]): RuleGroupModel => ({
  name,
  kind,
  file: "src/fixture.ts",
  line: 1,
  interval: "30s",
  rules,
});

function fixtureModel(changes: Partial<Model> = {}): Model {
  return {
    settings: {
      scrapeInterval: "15s",
      evaluationInterval: "30s",
      datasource: { name: "P", uid: "p", url: "http://p:9090" },
      grafana: { baseUrl: "http://g:3000", folder: "F", dashboardsPath: "/d" },
      runbookUrl: "https://r",
      scrapeTargets: { j: ["h:1"] },
      alertmanagers: ["am:9093"],
    },
    metrics: [],
    dashboards: [fixtureDashboard("fx")],
    alerts: [
      fixtureAlert("FixtureDown", "fx-alerts", 10),
      fixtureAlert("FixtureGone", "fx-alerts", 20),
      fixtureAlert("OtherDown", "other-alerts", 30),
    ],
    recordingRules: [rule],
    ruleGroups: [
      group("fx-recording", "recording", ["job:up:sum"]),
      group("fx-alerts", "alerts", ["FixtureDown", "FixtureGone"]),
      group("other-alerts", "alerts", ["OtherDown"]),
    ],
    severities: [],
    routing: defaultRouting({ file: "src/fixture.ts", line: 1 }, []),
    runbook: { file: "RUNBOOK.md", text: "", sections: [] },
    ...changes,
  };
}

const render = (model: Model): Artifact[] => [...renderGrafana(model), ...renderPrometheus(model)];

/** The artifact at `path` with its content edited. */
function edit(artifacts: Artifact[], path: string, change: (content: string) => string): Artifact[] {
  expect(
    artifacts.some((a) => a.path === path),
    path,
  ).toBe(true);
  return artifacts.map((a) => (a.path === path ? { ...a, content: change(a.content) } : a));
}

/** One diagnostic of the invariant, with this subject and source, whose message contains `message`. */
function expectOne(
  found: Diagnostic[],
  expected: { subject: string; source?: { file: string; line: number }; message: string },
) {
  const text = found.map(formatDiagnostic).join("\n");
  const matching = found.filter(
    (d) => d.subject === expected.subject && d.message.includes(expected.message),
  );
  expect(matching, text).toHaveLength(1);
  expect(matching[0]!.check).toBe("build/invariant");
  expect(matching[0]!.severity).toBe("error");
  expect(matching[0]!.fix).toContain("a bug in o11y");
  if (expected.source) expect(matching[0]!.source).toEqual(expected.source);
}

const model = fixtureModel();
const good = render(model);

describe("build invariants", () => {
  it("hold for the fixture's own rendering", () => {
    expect(good.map((a) => a.path)).toContain("prometheus/rules/alerts/fx.yaml");
    expect(checkInvariants(model, good)).toEqual([]);
  });

  it("catch an alert dropped from its rule file", () => {
    const broken = edit(good, "prometheus/rules/alerts/fx.yaml", (c) => {
      const start = c.indexOf("      - alert: FixtureGone");
      expect(start).toBeGreaterThan(0);
      return c.slice(0, start);
    });
    const found = checkInvariants(model, broken);
    expectOne(found, {
      subject: "alert FixtureGone",
      source: at(20),
      message:
        "the alert rule files about to be written should hold it once (in prometheus/rules/alerts/fx.yaml), but it is in none of them",
    });
    expect(found).toHaveLength(1);
  });

  it("catch an alert written twice", () => {
    const extra = renderPrometheus(fixtureModel()).find((a) => a.path === "prometheus/rules/alerts/fx.yaml")!;
    const found = checkInvariants(model, [
      ...good,
      { ...extra, path: "prometheus/rules/alerts/fx-copy.yaml" },
    ]);
    expectOne(found, {
      subject: "alert FixtureDown",
      message:
        "should hold it once (in prometheus/rules/alerts/fx.yaml), but it is written 2 times: prometheus/rules/alerts/fx.yaml, prometheus/rules/alerts/fx-copy.yaml",
    });
    expectOne(found, { subject: "alert FixtureGone", message: "but it is written 2 times" });
    expectOne(found, {
      subject: "rule group fx-alerts",
      message:
        "prometheus/rules/alerts/fx-copy.yaml is not in prometheus/prometheus.yml's rule_files, so Prometheus would never evaluate its rules",
    });
  });

  it("catch an alert written to another group's file", () => {
    const moved = fixtureModel({
      alerts: model.alerts.map((a) => (a.name === "OtherDown" ? { ...a, group: "fx-alerts" } : a)),
    });
    const found = checkInvariants(model, render(moved));
    expectOne(found, {
      subject: "alert OtherDown",
      source: at(30),
      message:
        "(in prometheus/rules/alerts/other.yaml), but it is written once: prometheus/rules/alerts/fx.yaml",
    });
  });

  it("catch an alert that no definition has", () => {
    const found = checkInvariants(
      fixtureModel({ alerts: model.alerts.filter((a) => a.name !== "OtherDown") }),
      good,
    );
    expectOne(found, {
      subject: "rule group other-alerts",
      message: "prometheus/rules/alerts/other.yaml holds alert OtherDown, which no definition has",
    });
  });

  it("catch a recording rule dropped, and its test gone with it", () => {
    const found = checkInvariants(
      model,
      good.filter(
        (a) =>
          !a.path.startsWith("prometheus/rules/recording/") &&
          !a.path.startsWith("prometheus/tests/recording/"),
      ),
    );
    expectOne(found, {
      subject: "recording rule job:up:sum",
      source: at(40),
      message:
        "the recording rule files about to be written should hold it once (in prometheus/rules/recording/fx.yaml), but it is in none of them",
    });
    expectOne(found, {
      subject: "recording rule job:up:sum",
      message:
        'test files (test "job:up:sum: sums") about to be written should hold it once (in prometheus/tests/recording/fx.test.yaml), but it is in none of them',
    });
    expectOne(found, {
      subject: "prometheus.yml",
      message:
        "rule_files lists rules/recording/fx.yaml, and the build has no rule file prometheus/rules/recording/fx.yaml",
    });
  });

  it("catch an orphan test file, which tests no rule file of the build", () => {
    const orphan = good.find((a) => a.path === "prometheus/tests/alerts/other.test.yaml")!;
    const found = checkInvariants(model, [
      ...good,
      {
        ...orphan,
        path: "prometheus/tests/alerts/gone.test.yaml",
        content: orphan.content.replace(/OtherDown: down/g, "GoneDown: down"),
      },
    ]);
    expectOne(found, {
      subject: "tests of rule group other-alerts",
      message: "prometheus/tests/alerts/gone.test.yaml tests no rule file of the build",
    });
    expectOne(found, {
      subject: "tests of rule group other-alerts",
      message: 'prometheus/tests/alerts/gone.test.yaml holds test "GoneDown: down", which no definition has',
    });
  });

  it("catch a test file loading a rule file the build does not have", () => {
    const found = checkInvariants(
      model,
      edit(good, "prometheus/tests/alerts/fx.test.yaml", (c) =>
        c.replace("rule_files:\n", "rule_files:\n  - ../../rules/alerts/elsewhere.yaml\n"),
      ),
    );
    expectOne(found, {
      subject: "tests of rule group fx-alerts",
      message:
        "prometheus/tests/alerts/fx.test.yaml loads ../../rules/alerts/elsewhere.yaml, and the build has no rule file prometheus/rules/alerts/elsewhere.yaml",
    });
  });

  it("catch a test case dropped or repeated", () => {
    const dropped = edit(good, "prometheus/tests/alerts/fx.test.yaml", (c) =>
      c.replace("FixtureGone: down", "FixtureDown: down"),
    );
    const found = checkInvariants(model, dropped);
    expectOne(found, {
      subject: "alert FixtureGone",
      message:
        'test files (test "FixtureGone: down") about to be written should hold it once (in prometheus/tests/alerts/fx.test.yaml), but it is in none of them',
    });
    expectOne(found, {
      subject: "alert FixtureDown",
      message:
        "but it is written 2 times: prometheus/tests/alerts/fx.test.yaml, prometheus/tests/alerts/fx.test.yaml",
    });
  });

  it("catch two groups written to one file (beam next to beam-alerts), as emit would leave it: the last one wins", () => {
    const clash = fixtureModel({
      alerts: [fixtureAlert("BeamMemoryHigh", "beam-alerts", 10), fixtureAlert("BeamDown", "beam", 20)],
      ruleGroups: [group("beam-alerts", "alerts", ["BeamMemoryHigh"]), group("beam", "alerts", ["BeamDown"])],
      recordingRules: [],
    });
    const found = checkInvariants(clash, render(clash));
    expectOne(found, {
      subject: "rule group beam",
      message:
        "its file prometheus/rules/alerts/beam.yaml is also the file of rule group beam-alerts (prometheus/rules/alerts/beam.yaml): one would replace the other",
    });
    expectOne(found, {
      subject: "alert BeamMemoryHigh",
      source: at(10),
      message: "should hold it once (in prometheus/rules/alerts/beam.yaml), but it is in none of them",
    });
  });

  it("catch files that differ only in case", () => {
    const upper = good.find((a) => a.path === "prometheus/rules/alerts/other.yaml")!;
    const found = checkInvariants(model, [
      ...good,
      { ...upper, path: "prometheus/rules/alerts/OTHER.yaml", subject: "copy" },
    ]);
    expectOne(found, {
      subject: "copy",
      message:
        "its file prometheus/rules/alerts/OTHER.yaml is also the file of rule group other-alerts (prometheus/rules/alerts/other.yaml)",
    });
  });

  it.each([
    ["../outside.yaml", "it has an empty, `.` or `..` segment"],
    ["prometheus/rules/alerts/../../../../x.yaml", "it has an empty, `.` or `..` segment"],
    ["/etc/x.yaml", "it is not a relative path"],
    ["C:/x.yaml", "it is not a relative path"],
    ["prometheus\\x.yaml", "it holds a backslash"],
    ["prometheus//x.yaml", "it has an empty, `.` or `..` segment"],
    ["prometheus/x\n.yaml", "it holds a control character"],
  ])("catch a file outside build/ or of no clear name: %j", (path, why) => {
    const found = checkInvariants(model, [...good, { ...good[0]!, path, schema: "other", subject: "stray" }]);
    expectOne(found, {
      subject: "stray",
      message: `its file ${JSON.stringify(path)} cannot be written: ${why}`,
    });
  });

  it("catch a panel dropped from its dashboard, a panel repeated, and one no definition has", () => {
    const json = {
      ...model.dashboards[0]!.json,
      panels: [
        { id: 1, type: "row", panels: [{ id: 3, type: "stat" }] },
        { id: 3, type: "stat" },
        { id: 9, type: "stat" },
      ],
    };
    const broken = good.map((a) =>
      a.path === "grafana/dashboards/fx.json" ? jsonArtifact({ ...a }, json) : a,
    );
    const found = checkInvariants(model, broken);
    expectOne(found, {
      subject: 'dashboard fx "Fixture" › panel 2 "P2"',
      source: at(62),
      message: "grafana/dashboards/fx.json should hold panel 2 once, but holds it nowhere",
    });
    expectOne(found, {
      subject: 'dashboard fx "Fixture" › panel 3 "P3"',
      source: at(63),
      message: "should hold panel 3 once, but holds it 2 times",
    });
    expectOne(found, {
      subject: 'dashboard fx "Fixture"',
      message:
        "grafana/dashboards/fx.json holds a panel with id 9, which the dashboard's definition does not have",
    });
    expect(found).toHaveLength(3);
  });

  it("read a dashboard's file as written, not the value it was written from", () => {
    const broken = edit(good, "grafana/dashboards/fx.json", (c) => c.replace('"id": 2', '"id": 20'));
    const found = checkInvariants(model, broken);
    expectOne(found, { subject: 'dashboard fx "Fixture" › panel 2 "P2"', message: "holds it nowhere" });
  });

  it("catch a dashboard without its file, or in two", () => {
    const found = checkInvariants(
      model,
      good.filter((a) => a.schema !== "grafana-dashboard"),
    );
    expectOne(found, {
      subject: 'dashboard fx "Fixture"',
      source: at(60),
      message:
        "the dashboard files about to be written should hold it once (in grafana/dashboards/fx.json), but it is in none of them",
    });
    const twice = checkInvariants(model, [
      ...good,
      { ...good.find((a) => a.schema === "grafana-dashboard")!, path: "grafana/dashboards/fx-2.json" },
    ]);
    expectOne(twice, {
      subject: 'dashboard fx "Fixture"',
      message: "but it is written 2 times: grafana/dashboards/fx.json, grafana/dashboards/fx-2.json",
    });
  });

  it("catch a file that cannot be read back", () => {
    const found = checkInvariants(
      model,
      edit(good, "prometheus/rules/alerts/other.yaml", () => "groups: [\n"),
    );
    expectOne(found, {
      subject: "rule group other-alerts",
      message: "prometheus/rules/alerts/other.yaml cannot be read back:",
    });
    expectOne(found, { subject: "alert OtherDown", message: "but it is in none of them" });
  });

  it("catch prometheus.yml missing", () => {
    const found = checkInvariants(
      model,
      good.filter((a) => a.path !== "prometheus/prometheus.yml"),
    );
    expectOne(found, {
      subject: "prometheus.yml",
      message:
        "prometheus/prometheus.yml, which loads the rule files, is not among the files about to be written",
    });
  });

  it("accept rule_files written in another spelling of the same path", () => {
    const respelt = edit(good, "prometheus/prometheus.yml", (c) =>
      c.replace("- rules/alerts/fx.yaml", "- ./rules/alerts/../alerts/fx.yaml"),
    );
    expect(respelt.find((a) => a.path === "prometheus/prometheus.yml")!.content).toContain(
      "./rules/alerts/../alerts/fx.yaml",
    );
    expect(checkInvariants(model, respelt)).toEqual([]);
  });

  it("accept a model and files with nothing in them", () => {
    const empty = fixtureModel({ alerts: [], recordingRules: [], ruleGroups: [], dashboards: [] });
    expect(
      checkInvariants(empty, [
        {
          ...good[0]!,
          path: "alertmanager/alertmanager.yml",
          schema: "alertmanager-config",
          content: stringify({ route: {} }),
        },
      ]),
    ).toEqual([]);
  });
});
