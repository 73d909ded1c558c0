import { posix } from "node:path";
import type { AlertExpectation } from "../define/alerting.ts";
import type { AlertModel, Model, RecordingRuleModel, RuleGroupModel } from "../model.ts";
import { mentionedSeries } from "../promql/mentioned-series.ts";
import type { SourceLocation } from "../source.ts";
import { yamlArtifact, type Artifact } from "./artifact.ts";

export const rulesDir = "prometheus/rules";
export const testsDir = "prometheus/tests";
export const prometheusConfigPath = "prometheus/prometheus.yml";

/**
 * The one place a rule group's name becomes a file name: its rule file and its promtool test file. The
 * names/path-collision check and the build's invariants call these too, so they cannot disagree with the files.
 */
const groupStem = (group: Pick<RuleGroupModel, "name">) =>
  String(group.name).replace(/-(alerts|recording)$/, "");
export const ruleFilePath = (group: Pick<RuleGroupModel, "name" | "kind">) =>
  `${rulesDir}/${group.kind}/${groupStem(group)}.yaml`;
export const ruleTestFilePath = (group: Pick<RuleGroupModel, "name" | "kind">) =>
  `${testsDir}/${group.kind}/${groupStem(group)}.test.yaml`;

/** A build path as written in a file at `from` (rule_files are relative to the file that lists them). */
const relativeFrom = (from: string, to: string) => posix.relative(posix.dirname(from), to);

/** `name{a="b"}` with label values escaped as PromQL strings. */
export function seriesText(name: string, labels: Record<string, string>): string {
  const inner = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(", ");
  return `${name}{${inner}}`;
}

function alertRule(alert: AlertModel) {
  return {
    alert: alert.name,
    expr: alert.expr,
    for: alert.for,
    ...(alert.keepFiringFor === undefined ? {} : { keep_firing_for: alert.keepFiringFor }),
    labels: alert.labels,
    annotations: alert.annotations,
  };
}

function recordingRule(rule: RecordingRuleModel) {
  return Object.keys(rule.labels).length
    ? { record: rule.record, expr: rule.expr, labels: rule.labels }
    : { record: rule.record, expr: rule.expr };
}

/** What every rule group's name starts with in its rule file. */
export const ruleGroupPrefix = "global-sovereign-";
/** The name a rule group has in its rule file. */
export const ruleGroupName = (group: RuleGroupModel) => `${ruleGroupPrefix}${group.name}`;

/** A rule group as every rule-file format writes it, and the definition behind each of its rules, in order. */
export interface RenderedGroup {
  group: { name: string; interval: string; rules: Array<Record<string, unknown>> };
  owners: Array<{ subject: string; source: SourceLocation }>;
}

/**
 * The one rendering of a group's rules: Prometheus's rule files, and every other output's (PrometheusRule,
 * Mimir's namespace file, vmalert's rule files), take the group from here.
 */
export function renderedGroup(model: Model, group: RuleGroupModel): RenderedGroup {
  const owners =
    group.kind === "alerts"
      ? model.alerts
          .filter((a) => a.group === group.name)
          .map((a) => ({ rule: alertRule(a), subject: `alert ${a.name}`, source: a.source }))
      : model.recordingRules
          .filter((r) => r.group === group.name)
          .map((r) => ({ rule: recordingRule(r), subject: `recording rule ${r.record}`, source: r.source }));
  return {
    group: { name: ruleGroupName(group), interval: group.interval, rules: owners.map((o) => o.rule) },
    owners: owners.map(({ subject, source }) => ({ subject, source })),
  };
}

function ruleFile(model: Model, group: RuleGroupModel): Artifact {
  const rendered = renderedGroup(model, group);
  return yamlArtifact(
    {
      path: ruleFilePath(group),
      schema: group.imported ? "prometheus-rules-imported" : "prometheus-rules",
      subject: `rule group ${group.name}`,
      source: { file: group.file, line: 1 },
      locations: rendered.owners.map(({ subject, source }, index) => ({
        pointer: `/groups/0/rules/${index}`,
        subject,
        source,
      })),
    },
    { groups: [rendered.group] },
    group.file,
  );
}

/** The rule files a group's promtool test file loads (see `scopedGroups`). */
function ruleFilesFromTests(model: Model, group: RuleGroupModel): string[] {
  return scopedGroups(model, group).map((g) => relativeFrom(ruleTestFilePath(group), ruleFilePath(g)));
}

/**
 * The groups a test file loads: its scope's, in the scope's order (an SLO's); else the group and every group whose
 * recording rules it reads, at any depth, in the build's order. promtool evaluates every rule of the files a test
 * loads at every step, so a test of three alerts that loaded the whole project spent most of its time on rules it
 * never reads (scrape.test.yaml: ~300 ms, ~130 ms with its own file). In the build's order, as before: promtool
 * evaluates the files' groups in turn, so each rule sees the same recorded values. Every group, as before, when a
 * rule reads what it does not name (a selector without a metric name) or an alert's state (ALERTS).
 */
function scopedGroups(model: Model, group: RuleGroupModel): RuleGroupModel[] {
  const scope = group.tests?.ruleGroups;
  if (scope) return scope.flatMap((name) => model.ruleGroups.filter((g) => g.name === name));
  const read = groupsRead(model, group);
  return read ? model.ruleGroups.filter((g) => read.has(g.name)) : model.ruleGroups;
}

/**
 * Per model: the series each group's rules may read (every name their texts mention), the groups whose rules may
 * read some series they do not name (or an alert's state), and the groups recording each series.
 */
interface Readings {
  reads: Map<string, Set<string>>;
  unnamed: Set<string>;
  recordedIn: Map<string, string[]>;
}
const readings = new WeakMap<Model, Readings>();

function readingsOf(model: Model): Readings {
  const known = readings.get(model);
  if (known) return known;
  const found: Readings = { reads: new Map(), unnamed: new Set(), recordedIn: new Map() };
  for (const rule of model.recordingRules) {
    const groups = found.recordedIn.get(rule.record) ?? [];
    found.recordedIn.set(rule.record, groups);
    groups.push(rule.group);
  }
  for (const rule of [...model.alerts, ...model.recordingRules]) {
    if (found.unnamed.has(rule.group)) continue;
    const series = found.reads.get(rule.group) ?? new Set<string>();
    found.reads.set(rule.group, series);
    // Read from the text's tokens: a superset of its selectors' names, which costs no parse (a cold build parses
    // nothing else of the rules: its checks' verdicts are kept).
    const { names, unnamed } = mentionedSeries(rule.expr);
    if (unnamed) found.unnamed.add(rule.group);
    for (const name of names) series.add(name);
  }
  readings.set(model, found);
  return found;
}

/** The group and the groups whose recorded series its rules read, at any depth; undefined when that cannot be told. */
function groupsRead(model: Model, group: RuleGroupModel): Set<string> | undefined {
  const { reads, unnamed, recordedIn } = readingsOf(model);
  const read = new Set([group.name]);
  const queue = [group.name];
  while (queue.length) {
    const name = queue.pop()!;
    if (unnamed.has(name)) return undefined;
    for (const series of reads.get(name) ?? [])
      for (const recording of recordedIn.get(series) ?? [])
        if (!read.has(recording)) {
          read.add(recording);
          queue.push(recording);
        }
  }
  return read;
}

function alertCase(alert: AlertModel, expectation: AlertExpectation) {
  const firing = expectation.state === "firing";
  const expAlerts = firing
    ? [
        {
          exp_labels: { ...alert.labels, ...expectation.labels },
          exp_annotations: { ...alert.annotations, description: expectation.description ?? "" },
        },
      ]
    : [];
  return { eval_time: expectation.at, alertname: alert.name, exp_alerts: expAlerts };
}

/** A pending alert is invisible to alert_rule_test; the ALERTS series shows it. */
function pendingCase(alert: AlertModel, expectation: AlertExpectation) {
  const labels = { alertname: alert.name, alertstate: "pending", ...alert.labels, ...expectation.labels };
  return {
    expr: `ALERTS{alertname="${alert.name}", alertstate="pending"}`,
    eval_time: expectation.at,
    exp_samples: [{ labels: seriesText("ALERTS", labels), value: 1 }],
  };
}

/** One promtool test, and the definition it tests (for messages about it: a schema's, or promtool's own). */
interface TestEntry {
  test: Record<string, unknown>;
  subject: string;
  source: SourceLocation;
}

function alertTests(model: Model, group: RuleGroupModel): Artifact | undefined {
  const tests = model.alerts
    .filter((a) => a.group === group.name)
    .flatMap((alert) =>
      alert.tests.map((test): TestEntry => {
        const pending = test.expect.filter((e) => e.state === "pending");
        const entry: Record<string, unknown> = {
          name: `${alert.name}: ${test.name}`,
          interval: test.interval ?? "1m",
          input_series: test.input,
          alert_rule_test: test.expect.map((e) => alertCase(alert, e)),
        };
        if (pending.length) entry.promql_expr_test = pending.map((e) => pendingCase(alert, e));
        return { test: entry, subject: `alert ${alert.name}`, source: alert.source };
      }),
    );
  return testFile(model, group, tests);
}

function recordingTests(model: Model, group: RuleGroupModel): Artifact | undefined {
  const tests = model.recordingRules
    .filter((r) => r.group === group.name)
    .flatMap((rule) =>
      rule.tests.map((test): TestEntry => ({
        test: {
          name: `${rule.record}: ${test.name}`,
          interval: test.interval ?? "1m",
          input_series: test.input,
          promql_expr_test: [
            {
              // A rule with static labels (an SLO's) reads its own series, not those of rules of the same name.
              expr: Object.keys(rule.labels).length ? seriesText(rule.record, rule.labels) : rule.record,
              eval_time: test.at,
              exp_samples: test.expect.map((e) => ({
                labels: seriesText(rule.record, { ...e.labels, ...rule.labels }),
                value: e.value,
              })),
            },
          ],
        },
        subject: `recording rule ${rule.record}`,
        source: rule.source,
      })),
    );
  return testFile(model, group, tests);
}

/** A group's promtool test file; none for a group without a test (imported rules, until someone writes them). */
function testFile(model: Model, group: RuleGroupModel, tests: TestEntry[]): Artifact | undefined {
  if (!tests.length) return undefined;
  return yamlArtifact(
    {
      path: ruleTestFilePath(group),
      schema: "promtool-tests",
      subject: `tests of rule group ${group.name}`,
      source: { file: group.file, line: 1 },
      locations: tests.map(({ subject, source }, index) => ({ pointer: `/tests/${index}`, subject, source })),
    },
    {
      rule_files: ruleFilesFromTests(model, group),
      evaluation_interval: group.tests?.evaluationInterval ?? model.settings.evaluationInterval,
      // promtool evaluates groups in no set order; a step longer than the 5m lookback needs the readers after the writers.
      ...(group.tests ? { group_eval_order: scopedGroups(model, group).map(ruleGroupName) } : {}),
      tests: tests.map((t) => t.test),
    },
    group.file,
  );
}

/** The scrape jobs the selectors assume; vmagent's configuration takes them from here too. */
export function scrapeConfigs(model: Model) {
  return Object.entries(model.settings.scrapeTargets).map(([job, targets]) => ({
    job_name: job,
    metrics_path: "/metrics",
    static_configs: [{ targets: [...targets] }],
  }));
}

function prometheusConfig(model: Model): Artifact {
  const { settings } = model;
  return yamlArtifact(
    {
      path: prometheusConfigPath,
      schema: "prometheus-config",
      subject: "prometheus.yml",
      source: { file: "src/config.ts", line: 1 },
    },
    {
      global: { scrape_interval: settings.scrapeInterval, evaluation_interval: settings.evaluationInterval },
      rule_files: model.ruleGroups.map((g) => relativeFrom(prometheusConfigPath, ruleFilePath(g))),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [...settings.alertmanagers] }] }] },
      scrape_configs: scrapeConfigs(model),
    },
    "src/config.ts",
  );
}

export function renderPrometheus(model: Model): Artifact[] {
  return [
    ...model.ruleGroups.map((group) => ruleFile(model, group)),
    ...model.ruleGroups.flatMap(
      (group) => (group.kind === "alerts" ? alertTests(model, group) : recordingTests(model, group)) ?? [],
    ),
    prometheusConfig(model),
  ];
}
