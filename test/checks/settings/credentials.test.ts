import { describe, expect, it } from "vitest";
import { credentials } from "../../../src/engine/check/checks/settings/credentials.ts";
import { formatDiagnostic, type Diagnostic } from "../../../src/engine/diagnostics.ts";
import type { AlertModel, DashboardModel, Model, ProjectSettings } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();

// Made-up secrets, each of a shape its issuer uses; none of their 4-character pieces may appear in any message.
const password = "Zq8vK3pLw7";
const githubToken = `ghp_${"R4nd0mT0k3nV4lu3".repeat(3)}`;
const slackToken = "xoxb-2048-9317-QwErTy0987";
const slackHook = "https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/Xy7Zq8vK3pLw7AbCdEfGhIj";
const bearer = "Bearer dGhpc2lzYXNlY3JldDEyMw==";
const queryToken = "Vv93kLpq2Mx";
const secrets = [
  password,
  githubToken,
  slackToken,
  slackHook.slice("https://hooks.slack.com/services/".length),
  bearer.slice("Bearer ".length),
  queryToken,
];

const settings: ProjectSettings = {
  scrapeInterval: "15s",
  evaluationInterval: "30s",
  datasource: { name: "P", uid: "p", url: "http://prometheus:9090" },
  grafana: { baseUrl: "https://grafana.example.com", folder: "F", dashboardsPath: "/d" },
  runbookUrl: "https://example.com/RUNBOOK.md",
  scrapeTargets: { app: ["app:4000"] },
  alertmanagers: ["alertmanager:9093"],
};

const alert = (changes: Partial<AlertModel> = {}): AlertModel => ({
  name: "FixtureDown",
  severity: "high",
  expr: 'up{job="app"} == 0',
  for: "1m",
  threshold: { op: "==", value: 0, unit: "bool", source: { file: "src/alerts/fixture.ts", line: 4 } },
  labels: { severity: "high", service: "app", team: "ops" },
  annotations: {
    summary: "Down",
    description: "{{ $labels.instance }} is down.",
    runbook_url: "https://example.com/RUNBOOK.md#down",
    dashboard_url: "https://grafana.example.com/d/fx?viewPanel=2",
  },
  runbook: { heading: "Alert: Down", anchor: "down" },
  dashboard: { uid: "fx", panelId: 2 },
  tests: [],
  group: "fixture-alerts",
  source: { file: "src/alerts/fixture.ts", line: 4 },
  ...changes,
});

const dashboard = (links: Array<{ title: string; url: string }>, panelLink?: string): DashboardModel => ({
  uid: "fx",
  title: "Fixture",
  source: { file: "src/dashboards/fixture.ts", line: 3 },
  rows: [],
  panels: [
    {
      id: 2,
      type: "stat",
      title: "Up",
      gridPos: { x: 0, y: 0, w: 12, h: 4 },
      targets: [],
      thresholds: [],
      source: { file: "src/dashboards/fixture.ts", line: 9 },
    },
  ],
  variables: [],
  links,
  json: {
    uid: "fx",
    title: "Fixture",
    links: links.map((l) => ({ ...l, type: "link" })),
    panels: [
      {
        id: 2,
        type: "stat",
        title: "Up",
        links: panelLink === undefined ? [] : [{ title: "Logs", url: panelLink }],
      },
    ],
  },
});

const fixture = (changes: Partial<Model> = {}): Model => ({
  ...base,
  settings,
  dashboards: [dashboard([])],
  alerts: [alert()],
  recordingRules: [],
  severities: [],
  ...changes,
});
const withSettings = (changes: Partial<ProjectSettings>) =>
  fixture({ settings: { ...settings, ...changes } });
const config = { file: "src/config.ts", line: 1 };

const bad: BadModel[] = [
  {
    name: "user and password in the datasource URL",
    model: () =>
      withSettings({
        datasource: { ...settings.datasource, url: `http://grafana:${password}@prometheus:9090` },
      }),
    subject: "setting datasource.url",
    source: config,
    messageIs: 'its value holds credentials in a URL: "http://***@prometheus:9090"',
    fix: "give them to Grafana where it runs",
  },
  {
    name: "user and password in grafana.baseUrl (every alert's dashboard_url carries them: reported once, at the setting)",
    model: () => {
      const baseUrl = `https://admin:${password}@grafana.example.com`;
      return fixture({
        settings: { ...settings, grafana: { ...settings.grafana, baseUrl } },
        alerts: [
          alert({ annotations: { ...alert().annotations, dashboard_url: `${baseUrl}/d/fx?viewPanel=2` } }),
        ],
      });
    },
    subject: "setting grafana.baseUrl",
    messageIs: 'its value holds credentials in a URL: "https://***@grafana.example.com"',
    fix: "remove the user and password: a link is opened by someone who logs in by themselves",
  },
  {
    name: "credentials in an Alertmanager address",
    model: () => withSettings({ alertmanagers: [`am:${password}@alertmanager:9093`] }),
    subject: "setting alertmanagers[0]",
    messageIs: 'its value holds credentials before a host: "***@alertmanager:9093"',
    fix: "basic_auth.password_file",
  },
  {
    name: "credentials in a scrape target",
    model: () => withSettings({ scrapeTargets: { "global-sovereign": [`scraper:${password}@app:4000`] } }),
    subject: 'setting scrapeTargets["global-sovereign"][0]',
    message: '"***@app:4000"',
  },
  {
    name: "a token as the user of the runbook URL",
    model: () => withSettings({ runbookUrl: `https://${githubToken}@github.com/o/r/blob/main/RUNBOOK.md` }),
    subject: "setting runbookUrl",
    message: 'its value holds credentials in a URL: "https://***@github.com/o/r/blob/main/RUNBOOK.md"',
  },
  {
    name: "a token in a URL's query, in a dashboard link",
    model: () =>
      fixture({
        dashboards: [
          dashboard([{ title: "Logs", url: `https://logs.example.com/search?q=x&api_key=${queryToken}` }]),
        ],
      }),
    subject: 'dashboard fx "Fixture"',
    source: { file: "src/dashboards/fixture.ts", line: 3 },
    messageIs: `links[0].url holds a secret in a URL's query: "https://logs.example.com/search?q=x&api_key=***"`,
  },
  {
    name: "a Slack token in a panel's link, reported at the panel",
    model: () => fixture({ dashboards: [dashboard([], `https://slack.example.com/api?x=${slackToken}`)] }),
    subject: 'dashboard fx › panel 2 "Up"',
    source: { file: "src/dashboards/fixture.ts", line: 9 },
    message: 'panels[0].links[0].url holds a Slack token: "https://slack.example.com/api?x=***"',
  },
  {
    name: "a Slack webhook in an annotation",
    model: () => fixture({ alerts: [alert({ annotations: { ...alert().annotations, chat: slackHook } })] }),
    subject: "alert FixtureDown",
    source: { file: "src/alerts/fixture.ts", line: 4 },
    messageIs: 'annotations.chat holds a Slack webhook URL: "https://hooks.slack.com/services/***"',
  },
  {
    name: "an Authorization header in a label",
    model: () => fixture({ alerts: [alert({ labels: { ...alert().labels, auth: bearer } })] }),
    message: 'labels.auth holds an Authorization value: "Bearer ***"',
  },
  {
    name: "a token in a severity policy's channel",
    model: () =>
      fixture({
        severities: [
          {
            ...project.severities[0]!,
            channels: [{ kind: "slack", channel: "#x", webhookUrlFile: slackHook }],
          },
        ],
      }),
    subject: `severity policy ${project.severities[0]!.severity}`,
    sourceFile: "src/alerts/severities.ts",
    message: "channels[0].webhookUrlFile holds a Slack webhook URL",
    fix: "read it from a file or the environment",
  },
  {
    name: "a secret in a long description: quoted around it, redacted",
    model: () =>
      fixture({
        alerts: [
          alert({
            annotations: {
              ...alert().annotations,
              description: `${"All requests fail. ".repeat(12)}Call https://ops:${password}@pager.example.com now. ${"Then wait. ".repeat(12)}`,
            },
          }),
        ],
      }),
    message:
      /^annotations\.description holds credentials in a URL: …".*https:\/\/\*\*\*@pager\.example\.com now\..*"…$/,
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "the fixture", model: () => fixture() },
  {
    name: "a user without a password (ssh://git@...)",
    model: () => withSettings({ runbookUrl: "ssh://git@github.com/o/r.git" }),
  },
  {
    name: "a mailto link and an e-mail address",
    model: () =>
      fixture({
        dashboards: [dashboard([{ title: "Mail oncall@example.com", url: "mailto:oncall@example.com" }])],
      }),
  },
  {
    name: "a password taken from the environment",
    model: () =>
      withSettings({
        datasource: { ...settings.datasource, url: "http://grafana:$__env{PROM_PASSWORD}@prometheus:9090" },
      }),
  },
  {
    name: "a query with a token variable",
    model: () =>
      fixture({
        dashboards: [dashboard([{ title: "Logs", url: "https://logs.example.com/?token=${token}&q=$job" }])],
      }),
  },
  {
    name: "words about tokens and Basic auth in prose",
    model: () =>
      fixture({
        alerts: [
          alert({
            annotations: {
              ...alert().annotations,
              description:
                "Basic authentication failed: the token for {{ $labels.job }} expired; rotate the password.",
            },
          }),
        ],
      }),
  },
  {
    name: "a time and an image digest",
    model: () =>
      fixture({
        alerts: [
          alert({
            annotations: {
              ...alert().annotations,
              description: "since 10:30@home; image app:1.2@sha256:abcdef0123",
            },
          }),
        ],
      }),
  },
  {
    name: "Grafana variables and PromQL",
    model: () =>
      fixture({
        dashboards: [
          dashboard([
            { title: "Phoenix", url: "/d/gs-phoenix-metrics?var-job=$job&var-instance=${instance}" },
          ]),
        ],
      }),
  },
];

/** True when the text shows any 4-character piece of any secret. */
const leaks = (text: string) =>
  secrets.some((secret) =>
    [...secret].some((_, i) => i + 4 <= secret.length && text.includes(secret.slice(i, i + 4))),
  );
const shown = (found: Diagnostic[]) => found.map(formatDiagnostic).join("\n") + JSON.stringify(found);

describeModelCheck(
  "settings/credentials",
  credentials,
  {
    severity: "error",
    match: "exactly",
    expect: { fix: true, position: null },
    bad,
    alsoExpect: (d) => expect(leaks(shown([d])), shown([d])).toBe(false),
    good,
  },
  (run) => {
    it("reports every secret at once, one finding per string", () => {
      const found = run(
        fixture({
          settings: { ...settings, alertmanagers: [`a:${password}@am:9093`, `b:${password}@am:9093`] },
          alerts: [alert({ labels: { ...alert().labels, t: slackToken } })],
        }),
      );
      expect(found.map((d) => d.subject)).toEqual([
        "alert FixtureDown",
        "setting alertmanagers[0]",
        "setting alertmanagers[1]",
      ]);
    });
  },
);

describe("secrets in any message", () => {
  it("are redacted wherever a check, a schema or a tool quoted them, even cut short", () => {
    const long = `monitor:${password}${"x".repeat(60)}@alertmanager:9093`;
    const result = compile({ ...project, settings: { ...project.settings, alertmanagers: [long] } });
    expect(result.ok).toBe(false);
    const schema = result.diagnostics.find((d) => d.check === "schema/prometheus-config");
    // The schema quotes the value it rejects; before redaction it was cut at 57 characters, mid-password.
    expect(schema?.message).toContain('(got "***@alertmanager:9093")');
    const text = result.diagnostics.map(formatDiagnostic).join("\n");
    expect(text).toContain("settings/credentials");
    expect(leaks(text), text).toBe(false);
  });

  it("are redacted by formatDiagnostic whatever put them in a diagnostic", () => {
    const d: Diagnostic = {
      check: "tool/promtool",
      severity: "error",
      subject: "prometheus.yml",
      source: config,
      message: `promtool rejects it: bad url "http://u:${password}@h:1"`,
      fix: `try ${githubToken}`,
    };
    const text = formatDiagnostic(d);
    expect(text).toContain('bad url "http://***@h:1"');
    expect(text).toContain("fix: try ***");
    expect(leaks(text), text).toBe(false);
  });
});
