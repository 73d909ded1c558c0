/**
 * The route-tree evaluator against Alertmanager's own: for every config and label set of the table, the
 * receivers `amtool config routes test` resolves to must be the ones routeAlert finds, in order.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  assumptionText,
  newMatcher,
  parseMatchers,
  readRoutingConfig,
  routeAlert,
  RoutingConfigError,
  type LabelLookup,
} from "../../src/engine/diff/routing.ts";
import { artifacts, model } from "./build.ts";
import { run } from "../helpers/tools.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-routing-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const receivers = (...names: string[]) => names.map((name) => `  - name: ${name}`).join("\n");

/** Configs that exercise each rule of the walk; the fixture project's build's is the first. */
const configs: Record<string, string> = {
  build: artifacts.find((a) => a.path === "alertmanager/alertmanager.yml")!.content,
  "continue, nesting, legacy match and match_re": `
route:
  receiver: root
  group_by: [alertname]
  routes:
    - receiver: db-page
      matchers: ['severity=~"crit.*"', 'team="db"']
      continue: true
    - receiver: web
      match_re: { service: "api|web" }
      routes:
        - receiver: web-eu
          matchers: ['{env!="prod", zone=~"eu-.*"}']
        - receiver: web-prod
          match: { env: prod }
    - receiver: team
      matchers: [team=db]
      continue: true
    - receiver: catch-all-db
      matchers: ['team=~"d.*"']
receivers:
${receivers("root", "db-page", "web", "web-eu", "web-prod", "team", "catch-all-db")}
`,
  "negative matchers, empty values and regex edge cases": `
route:
  receiver: root
  routes:
    - receiver: no-env
      matchers: ['env=""']
      routes:
        - receiver: not-staging
          matchers: ['stage!~"stag(e|ing)"']
    - receiver: any-env
      matchers: ['env=~".+"', 'severity!="low"']
    - receiver: case-insensitive
      matchers: ['name=~"(?i)disk.*"']
    - receiver: quoted-comma
      matchers: ['msg="a, b"', 'kind=~"x|y"']
receivers:
${receivers("root", "no-env", "not-staging", "any-env", "case-insensitive", "quoted-comma")}
`,
};

const labelSets: Array<Record<string, string>> = [
  {},
  { alertname: "A", severity: "critical" },
  { alertname: "A", severity: "high", team: "db" },
  { severity: "medium" },
  { severity: "low" },
  { severity: "critical", team: "db" },
  { severity: "critical", team: "db", service: "api", env: "dev", zone: "eu-west" },
  { service: "web", env: "prod" },
  { service: "web", env: "prod", zone: "eu-1" },
  { service: "webby" },
  { team: "db" },
  { team: "dx" },
  { env: "staging", severity: "high" },
  { stage: "stage" },
  { stage: "prod" },
  { env: "x", severity: "low" },
  { name: "DISKFULL" },
  { name: "mydisk" },
  { msg: "a, b", kind: "y" },
  { msg: "a, b", kind: "xy" },
];

function amtool(config: string, labels: Record<string, string>): string[] {
  const result = run("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${config}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  expect(result.code, result.output).toBe(0);
  return result.stdout.trim().split(",");
}

const known =
  (labels: Record<string, string>): LabelLookup =>
  (name) =>
    labels[name] ?? "";

describe("routeAlert agrees with amtool config routes test", () => {
  it.each(Object.keys(configs))("%s", (name) => {
    const file = path.join(temp, `${name.replace(/\W+/g, "-")}.yml`);
    writeFileSync(file, configs[name]!);
    const check = run("amtool", ["check-config", file]);
    expect(check.code, check.output).toBe(0);
    const config = readRoutingConfig(parse(configs[name]!));
    for (const labels of labelSets) {
      const outcomes = routeAlert(config, known(labels));
      expect(outcomes).toHaveLength(1);
      expect(
        outcomes[0]!.routes.map((r) => r.receiver),
        JSON.stringify(labels),
      ).toEqual(amtool(file, labels));
    }
  });
});

describe("routeAlert agrees with amtool on the build's own alerts", () => {
  it("each alert's labels, with a job as its expression carries one, reach the receivers amtool names", () => {
    const file = path.join(temp, "build-alerts.yml");
    writeFileSync(file, configs.build!);
    const config = readRoutingConfig(parse(configs.build!));
    // Every severity, the SLO's burn-rate alerts among them.
    expect(new Set(model.alerts.map((a) => a.labels.severity))).toEqual(
      new Set(["critical", "high", "medium", "low"]),
    );
    for (const alert of model.alerts) {
      const labels = { ...alert.labels, alertname: alert.name, job: "shop" };
      expect(
        routeAlert(config, known(labels))[0]!.routes.map((r) => r.receiver),
        alert.name,
      ).toEqual(amtool(file, labels));
    }
  });
});

describe("the routing tree", () => {
  const config = readRoutingConfig(
    parse(`
route:
  receiver: root
  group_by: [alertname, job]
  group_wait: 20s
  routes:
    - receiver: a
      matchers: [severity=high]
      group_wait: 1m
      routes:
        - receiver: a-all
          matchers: [team=db]
          group_by: ['...']
          repeat_interval: 2h
          mute_time_intervals: [nights]
    - receiver: b
      matchers: ['job=~"api.*"']
      group_by: [alertname]
    - matchers: [severity=low]
receivers:
  - name: root
  - name: a
    pagerduty_configs: [{ routing_key_file: /k }]
    slack_configs: [{ channel: "#a", api_url_file: /u }]
  - name: a-all
  - name: b
    email_configs: [{ to: b@example.com }]
time_intervals:
  - name: nights
    time_intervals: [{ times: [{ start_time: "00:00", end_time: "06:00" }] }]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=~"high|medium"]
    equal: [job, alertname]
`),
  );

  it("inherits receiver, group_by and timers, with Alertmanager's defaults at the root; time intervals are not inherited", () => {
    const [a, aAll] = [config.root.routes[0]!, config.root.routes[0]!.routes[0]!];
    expect([config.root.groupWait, config.root.groupInterval, config.root.repeatInterval]).toEqual([
      20_000, 300_000, 14_400_000,
    ]);
    expect([a.receiver, a.groupBy, a.groupWait, a.repeatInterval, a.muteTimeIntervals]).toEqual([
      "a",
      ["alertname", "job"],
      60_000,
      14_400_000,
      [],
    ]);
    expect([aAll.groupBy, aAll.groupWait, aAll.repeatInterval, aAll.muteTimeIntervals]).toEqual([
      "all",
      60_000,
      7_200_000,
      ["nights"],
    ]);
    expect(config.root.routes[2]!.receiver).toBe("root");
    expect(aAll.key).toBe('{severity="high"} › {team="db"}');
  });

  it("reads receivers' integrations, which of them page, without showing secrets", () => {
    expect(config.receivers.get("a")!.integrations).toEqual([
      { kind: "pagerduty", pages: true },
      { kind: "slack", detail: "#a", pages: false },
    ]);
    expect(config.receivers.get("b")!.integrations).toEqual([
      { kind: "email", detail: "b@example.com", pages: false },
    ]);
    expect(config.inhibitRules.map((r) => r.text)).toEqual([
      '{severity="critical"} inhibits {severity=~"high|medium"} (equal: alertname, job)',
    ]);
  });

  it("follows both ways where a matcher reads a label not known in advance, and says on what each rests", () => {
    const labels: LabelLookup = (name) =>
      ({ severity: "medium", alertname: "X" })[name] ?? (name === "job" ? undefined : "");
    const outcomes = routeAlert(config, labels);
    expect(outcomes.map((o) => [o.assumptions.map(assumptionText), o.routes.map((r) => r.receiver)])).toEqual(
      [
        [['job=~"api.*"'], ["b"]],
        [['job!~"api.*"'], ["root"]],
      ],
    );
  });

  it("parses matchers as Alertmanager does: braces, several per line, quoted commas and escapes, quoted names", () => {
    expect(parseMatchers('{foo = "bar", dings != "bums", }').map((m) => m.text)).toEqual([
      'foo="bar"',
      'dings!="bums"',
    ]);
    expect(parseMatchers('quote="She said: \\"Hi, all\\""').map((m) => m.value)).toEqual([
      'She said: "Hi, all"',
    ]);
    expect(parseMatchers("statuscode=~5..")[0]!.test("503")).toBe(true);
    expect(parseMatchers('"service name"="api"')[0]!.text).toBe('"service name"="api"');
    expect(() => parseMatchers("= x")).toThrow(RoutingConfigError);
    expect(newMatcher("x", "=~", "a|b").test("ab")).toBe(false);
    expect(newMatcher("x", "=~", "(?i:abc)").test("ABC")).toBeUndefined();
  });

  it("refuses a config it cannot route with, saying why", () => {
    expect(() => readRoutingConfig({ receivers: [] })).toThrow("no `route`");
    expect(() => readRoutingConfig({ route: { receiver: "x" }, receivers: [] })).toThrow(
      'route root: receiver "x" is not defined',
    );
    expect(() =>
      readRoutingConfig({ route: { receiver: "x", group_wait: "soon" }, receivers: [{ name: "x" }] }),
    ).toThrow('route root: group_wait: "soon" is not a duration');
  });
});
