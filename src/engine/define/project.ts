import type { DashboardBuilder, Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import type { Diagnostic } from "../diagnostics.ts";
import type { ProjectSettings } from "../model.ts";
import { formatLocation, type SourceLocation } from "../source.ts";
import {
  isDefinition,
  isThreshold,
  severities,
  keepPolicySource,
  severityPolicySource,
  validatedAlert,
  validatedRecordingRule,
  validatedRuleGroup,
  type AlertDefinition,
  type AlertRoutingDefinition,
  type ReceiverChannel,
  type RecordingRuleDefinition,
  type RuleGroupDefinition,
  type SeverityPolicy,
  type ThresholdDefinition,
  validatedThreshold,
} from "./alerting.ts";
import { metricTypes, validatedMetric, type MetricDefinition } from "./catalog.ts";
import {
  isImportedAlert,
  validatedImportedAlert,
  validatedImportedRecordingRule,
  type ImportedAlertDefinition,
} from "./imported-rules.ts";
import { outputsShape } from "./outputs.ts";
import { locationOf } from "./registry.ts";
import { sloPeriods, validatedSlo, type SloDefinition, type SloPeriod } from "./slo.ts";
import {
  definitionCheck,
  list,
  object,
  oneOf,
  optional,
  Problems,
  problemsOf,
  readSpec,
  text,
  type DefinitionProblem,
  type Rule,
  type Shape,
  type Validated,
} from "./validate.ts";

/** What content code hands to the engine: its settings and every definition. */
export interface ProjectDefinition {
  settings: ProjectSettings;
  metrics: MetricDefinition[];
  dashboards: DashboardBuilder[];
  /** Hand-written alert()s and, brought in by `o11y import rules`, importedAlert()s. */
  alertGroups: RuleGroupDefinition<AlertDefinition | ImportedAlertDefinition>[];
  recordingRuleGroups: RuleGroupDefinition<RecordingRuleDefinition>[];
  severities: SeverityPolicy[];
  /** The root receiver and inhibition, made by alertRouting(); without it, the least urgent policy's receiver and no inhibition. */
  routing?: AlertRoutingDefinition;
  /** Service level objectives: each becomes recording rules, burn-rate alerts and their tests (compile/slo.ts). */
  slos?: SloDefinition[];
  /** The error budget period of every SLO that sets none. */
  sloPeriod?: SloPeriod;
  /** The runbook that alerts link to, relative to the project root. Its alert table is generated. */
  runbook: { file: string; text?: string };
  /**
   * Every threshold by name (src/alerts/thresholds.ts), so that a number written in a text can be held to the
   * threshold it states, also one that is not an alert's own `threshold:` (alerts/stale-threshold-text).
   */
  thresholds?: Record<string, ThresholdDefinition>;
}

/** Where a project was loaded from, and what loading it found (type errors): set by the CLI. */
const loaded = new WeakMap<ProjectDefinition, { source: SourceLocation; diagnostics: Diagnostic[] }>();

/** The project as loaded from `source`, with what loading it found, for checkDefinitions to report with the rest. */
export function loadedProject(
  project: ProjectDefinition,
  source: SourceLocation,
  diagnostics: Diagnostic[],
): ProjectDefinition {
  const copy = { ...project };
  loaded.set(copy, { source, diagnostics });
  return copy;
}

export interface CheckedDefinitions {
  /** The project with placeholders where a definition is wrong, and without what is no definition at all: safe to compile. */
  project: ProjectDefinition;
  /** Every problem found in the definitions, each once, at its line; and what loading the project found. */
  diagnostics: Diagnostic[];
  /**
   * Whether a later finding concerns a definition that has problems: its fields hold placeholders, so what the
   * checks say about it is noise until it is fixed. Schema findings are matched by line too, as they may name
   * only the file's subject.
   */
  covers(diagnostic: Diagnostic): boolean;
}

/**
 * Every definition of the project, validated where it was written (see validate.ts): the problems as
 * diagnostics, and a project that the engine can compile whatever was wrong.
 */
export function checkDefinitions(project: ProjectDefinition): CheckedDefinitions {
  const load = loaded.get(project);
  const projectSource = load?.source ?? { file: "<project>", line: 0 };
  const diagnostics: Diagnostic[] = [...(load?.diagnostics ?? [])];
  /** Each definition with problems: its subject, and the lines the checks would report it at. */
  const invalid = new Map<string, Set<string>>();
  const invalidLines = new Set<string>();
  const seen = new Set<string>();
  const report = (subject: string, source: SourceLocation, problems: readonly DefinitionProblem[]) => {
    if (problems.length === 0) return;
    const lines = invalid.get(subject) ?? new Set<string>();
    invalid.set(subject, lines);
    for (const at of [source, ...problems.map((p) => p.source)]) {
      lines.add(formatLocation(at));
      invalidLines.add(formatLocation(at));
    }
    for (const problem of problems) {
      // A threshold shared by several alerts is wrong once.
      const key = `${formatLocation(problem.source)}\0${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const diagnostic: Diagnostic = {
        check: problem.check ?? definitionCheck,
        severity: "error",
        subject,
        source: problem.source,
        message: problem.message,
        fix: problem.fix,
      };
      if (problem.position) diagnostic.position = problem.position;
      diagnostics.push(diagnostic);
    }
  };
  const top = new Problems(projectSource);
  const listOf = <T>(
    key: keyof ProjectDefinition,
    what: string,
    accepts: (value: unknown) => boolean,
  ): T[] => {
    const value = (project as unknown as Record<string, unknown>)[key];
    const fix = `project.${key}: a list of ${what}.`;
    if (!Array.isArray(value)) {
      top.wrong(`project.${key}`, value, "a list", fix);
      return [];
    }
    return value.filter((entry, index) => {
      if (accepts(entry)) return true;
      top.wrong(
        `project.${key}[${index}]`,
        entry,
        what,
        `${fix} Check that each name in it is imported and spelt right.`,
      );
      return false;
    }) as T[];
  };

  const metrics = listOf<MetricDefinition>(
    "metrics",
    "a metric made by counter(), gauge(), histogram() or summary()",
    (m) => isDefinition(m) && (metricTypes as readonly unknown[]).includes((m as MetricDefinition).type),
  ).map((metric) => {
    const checked = validatedMetric(metric);
    report(`metric ${checked.value.name}`, metric.source, checked.problems);
    return checked.value;
  });

  const dashboards = listOf<DashboardBuilder>("dashboards", "a dashboard(...) builder", isBuilder);
  for (const builder of dashboards) checkDashboard(builder, report);

  const groups = <T extends { source: SourceLocation }>(
    key: "alertGroups" | "recordingRuleGroups",
    validated: (rule: T) => { value: T; problems: DefinitionProblem[] },
    subject: (rule: T) => string,
  ) =>
    listOf<RuleGroupDefinition<T>>(
      key,
      "a ruleGroup(...)",
      (g) => typeof g === "object" && g !== null && "rules" in g,
    ).map((group) => {
      const checked = validatedRuleGroup(group, projectSource);
      report(`rule group ${checked.value.name}`, checked.source, checked.problems);
      return {
        ...checked.value,
        rules: checked.value.rules.map((rule) => {
          const one = validated(rule);
          report(subject(one.value), rule.source, one.problems);
          return one.value;
        }),
      };
    });
  const alertGroups = groups<AlertDefinition | ImportedAlertDefinition>(
    "alertGroups",
    (a): Validated<AlertDefinition | ImportedAlertDefinition> =>
      isImportedAlert(a) ? validatedImportedAlert(a) : validatedAlert(a),
    (a) => `alert ${a.name}`,
  );
  const recordingRuleGroups = groups<RecordingRuleDefinition>(
    "recordingRuleGroups",
    (r) => (r.imported === true ? validatedImportedRecordingRule(r) : validatedRecordingRule(r)),
    (r) => `recording rule ${r.record}`,
  );

  const slos =
    project.slos === undefined
      ? undefined
      : listOf<SloDefinition>("slos", "an slo(...) definition", isDefinition).map((slo) => {
          const checked = validatedSlo(slo);
          const name = typeof slo.name === "string" ? slo.name : "(no name)";
          report(`slo ${name}`, slo.source, checked.problems);
          return checked.value;
        });
  const sloPeriod = oneOf(sloPeriods, 'sloPeriod: "28d" or "30d", the error budget\'s period.')(
    project.sloPeriod ?? "28d",
    "project.sloPeriod",
    top,
  );

  const policies = listOf<SeverityPolicy>(
    "severities",
    "a severity policy",
    (p) => typeof p === "object" && p !== null,
  ).map((policy) => {
    const source = severityPolicySource(policy) ?? projectSource;
    const read = readSpec(
      policy,
      severityShape,
      "{ severity, responseTime, receiver, channels, ... }",
      source,
    );
    report(
      `severity ${typeof policy.severity === "string" ? policy.severity : read.spec.severity}`,
      source,
      read.problems,
    );
    return keepPolicySource(read.spec, source);
  });

  let routing: AlertRoutingDefinition | undefined;
  if (project.routing !== undefined) {
    const source =
      typeof project.routing === "object" && project.routing !== null && isLocation(project.routing.source)
        ? project.routing.source
        : projectSource;
    const read = readSpec(project.routing, routingShape, "alertRouting({ unrouted, inhibit })", source);
    report("alert routing", source, read.problems);
    routing = { ...read.spec, source };
  }

  const settings = readSpec(
    project.settings,
    settingsShape,
    "{ scrapeInterval, evaluationInterval, datasource, grafana, runbookUrl, scrapeTargets, alertmanagers }",
    projectSource,
  );
  report(
    "project settings",
    projectSource,
    settings.problems.map((problem) => ({ ...problem, message: `settings: ${problem.message}` })),
  );

  const runbook = project.runbook;
  const runbookOk =
    typeof runbook === "object" &&
    runbook !== null &&
    typeof runbook.file === "string" &&
    (runbook.text === undefined || typeof runbook.text === "string");
  if (!runbookOk)
    top.wrong(
      "project.runbook",
      runbook,
      '{ file: "RUNBOOK.md" }',
      'runbook: { file: "RUNBOOK.md" }, the runbook alerts link to, relative to the project root.',
    );
  const thresholds: Record<string, ThresholdDefinition> = {};
  if (project.thresholds !== undefined) {
    if (typeof project.thresholds !== "object" || project.thresholds === null)
      top.wrong(
        "project.thresholds",
        project.thresholds,
        "an object of thresholds",
        "thresholds: the object of src/alerts/thresholds.ts, each made by above(), below() or atLeast().",
      );
    else
      for (const [name, threshold] of Object.entries(project.thresholds)) {
        if (!isThreshold(threshold)) {
          top.wrong(
            `project.thresholds.${name}`,
            threshold,
            "a threshold",
            `make thresholds.${name} with above(), below() or atLeast().`,
          );
          continue;
        }
        const checked = validatedThreshold(threshold, projectSource);
        report(`threshold ${name}`, checked.value.source, checked.problems);
        thresholds[name] = checked.value;
      }
  }
  report("project", projectSource, top.list);

  const covers = (d: Diagnostic) => {
    const line = formatLocation(d.source);
    if (d.check.startsWith("schema/")) return invalidLines.has(line);
    // A query's findings are placed in its own text (query-source.ts), away from the panel's line.
    return [...invalid].some(
      ([subject, lines]) =>
        (d.subject === subject || d.subject.startsWith(`${subject} `)) &&
        (lines.has(line) || d.subject.startsWith(`${subject} › query `)),
    );
  };
  return {
    project: {
      ...project,
      settings: settings.spec,
      metrics,
      dashboards,
      alertGroups,
      recordingRuleGroups,
      ...(slos ? { slos } : {}),
      sloPeriod,
      severities: policies,
      routing: routing ?? defaultRouting(projectSource, policies),
      runbook: runbookOk ? runbook : { file: "RUNBOOK.md", text: "" },
      thresholds,
    },
    diagnostics,
    covers,
  };
}

const isBuilder = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { build?: unknown }).build === "function";

const isLocation = (value: unknown): value is SourceLocation =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as SourceLocation).file === "string" &&
  typeof (value as SourceLocation).line === "number";

/**
 * A project that says nothing of its routing: the root route takes the least urgent policy's receiver and timers
 * (alerts/route reports it if that receiver pages), and nothing is inhibited.
 */
export function defaultRouting(
  source: SourceLocation,
  policies: readonly SeverityPolicy[],
): AlertRoutingDefinition {
  const least = policies.at(-1);
  return {
    unrouted: {
      receiver: least?.receiver ?? "unrouted",
      channels: least?.channels ?? [],
      groupWait: least?.groupWait ?? "5m",
      groupInterval: least?.groupInterval ?? "15m",
      repeatInterval: least?.repeatInterval ?? "4h",
    },
    inhibit: { severities: [], equal: [] },
    source,
  };
}

/** A dashboard's problems and those of its panels and variables, found when the kit made them. */
function checkDashboard(
  builder: DashboardBuilder,
  report: (subject: string, source: SourceLocation, problems: DefinitionProblem[]) => void,
): void {
  const built = builder.build();
  const source = locationOf(built) ?? unknownSource;
  // As compile/dashboard.ts and the checks name them; made only for what has problems (a build may have thousands of panels).
  const dashboard = `dashboard ${built.uid ?? ""}`;
  const check = (object: object, subject: () => string) => {
    const problems = problemsOf(object);
    if (problems.length) report(subject(), locationOf(object) ?? source, problems);
  };
  check(built, () => dashboard);
  const visit = (panel: Panel | RowPanel) => {
    check(panel, () => `${dashboard} › panel ${panel.id ?? 0} "${panel.title ?? ""}"`);
    if (panel.type === "row") for (const nested of (panel as RowPanel).panels ?? []) visit(nested);
  };
  for (const panel of built.panels ?? []) visit(panel as Panel | RowPanel);
  for (const variable of built.templating?.list ?? [])
    check(variable, () => `${dashboard} › variable $${variable.name}`);
}

const unknownSource: SourceLocation = { file: "<unknown>", line: 0 };

const channel: Rule<ReceiverChannel> = (value, at, problems) => {
  const kind = oneOf(
    ["pagerduty", "slack"],
    'channels: [{ kind: "pagerduty", routingKeyFile }] or [{ kind: "slack", channel, webhookUrlFile }].',
  )((value as { kind?: unknown } | undefined)?.kind, `${at}.kind`, problems);
  const shape: Shape<ReceiverChannel> =
    kind === "pagerduty"
      ? ({
          kind: text(""),
          routingKeyFile: text("routingKeyFile: the path of the mounted file that holds the routing key."),
        } as Shape<ReceiverChannel>)
      : ({
          kind: text(""),
          channel: text('channel: "#on-call", the Slack channel.'),
          webhookUrlFile: text("webhookUrlFile: the path of the mounted file that holds the webhook URL."),
        } as Shape<ReceiverChannel>);
  return { ...object(shape, "a channel")(value, at, problems), kind } as ReceiverChannel;
};

/** Host:port lists by scrape job. */
const scrapeTargets: Rule<Record<string, readonly string[]>> = (value, at, problems) => {
  const fix = 'scrapeTargets: { "my-job": ["host:4000"] }, the targets of each scrape job.';
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.wrong(at, value, "an object of target lists", fix);
    return {};
  }
  return Object.fromEntries(
    Object.entries(value).map(([job, targets]) => [
      job,
      list(text(fix), fix)(targets, `${at}.${job}`, problems),
    ]),
  );
};

/** The settings every renderer reads; placeholders stand in for wrong values, so that nothing downstream trips on them. */
const settingsShape: Shape<ProjectSettings> = {
  scrapeInterval: text('scrapeInterval: "15s", a duration, as text.', "15s"),
  evaluationInterval: text('evaluationInterval: "30s", a duration, as text.', "30s"),
  datasource: object<ProjectSettings["datasource"]>(
    {
      name: text('datasource.name: "Prometheus", as text.', "Prometheus"),
      uid: text('datasource.uid: "gs-prometheus", as text.', "prometheus"),
      url: text('datasource.url: "http://prometheus:9090", as text.', "http://localhost:9090"),
    },
    "{ name, uid, url }",
  ),
  grafana: object<ProjectSettings["grafana"]>(
    {
      baseUrl: text('grafana.baseUrl: "http://grafana:3000", as text.', "http://localhost:3000"),
      folder: text('grafana.folder: "My service", as text.', "Dashboards"),
      dashboardsPath: text(
        'grafana.dashboardsPath: "/var/lib/grafana/dashboards", as text.',
        "/var/lib/grafana/dashboards",
      ),
      minimumVersion: optional(
        text('grafana.minimumVersion: "12.2.0", the oldest Grafana the dashboards must work on, as text.'),
      ),
    },
    "{ baseUrl, folder, dashboardsPath, minimumVersion? }",
  ),
  runbookUrl: text('runbookUrl: "https://example.com/RUNBOOK.md", as text.', "http://localhost/RUNBOOK.md"),
  scrapeTargets,
  alertmanagers: list(
    text('alertmanagers: ["alertmanager:9093"], host:port addresses.'),
    'alertmanagers: ["alertmanager:9093"], host:port addresses.',
  ),
  outputs: outputsShape,
};

// Durations that stand in for wrong ones are harmless to the routing check and the schema: nothing is said twice.
const severityShape: Shape<SeverityPolicy> = {
  severity: oneOf(severities, 'severity: "critical", "high", "medium" or "low".'),
  responseTime: text('responseTime: "< 15 min", the runbook\'s words.'),
  notifyWithin: text('notifyWithin: "15m", a duration, as text.', "52w"),
  action: text("action: what on-call does, as text."),
  receiver: text('receiver: "oncall-urgent", the receiver\'s name.', "placeholder"),
  channels: list(channel, "channels: [...], where notifications go."),
  groupWait: text('groupWait: "1m", a duration, as text.', "0s"),
  groupInterval: text('groupInterval: "5m", a duration, as text.', "1m"),
  repeatInterval: text('repeatInterval: "1h", a duration, as text.', "1h"),
};

const routingShape: Shape<Omit<AlertRoutingDefinition, "source">> = {
  unrouted: object<AlertRoutingDefinition["unrouted"]>(
    {
      receiver: text('unrouted.receiver: "unrouted", the root route\'s receiver.', "unrouted"),
      channels: list(
        channel,
        "unrouted.channels: [...], where alerts that match no route go; none that pages.",
      ),
      groupWait: text('unrouted.groupWait: "5m", a duration, as text.', "5m"),
      groupInterval: text('unrouted.groupInterval: "15m", a duration, as text.', "15m"),
      repeatInterval: text('unrouted.repeatInterval: "4h", a duration, as text.', "4h"),
    },
    "{ receiver, channels, groupWait, groupInterval, repeatInterval }",
  ),
  inhibit: object<AlertRoutingDefinition["inhibit"]>(
    {
      severities: list(
        oneOf(severities, 'inhibit.severities: ["critical", "high"], the levels that hold back lower ones.'),
        'inhibit.severities: ["critical", "high"], the levels that hold back lower ones.',
      ),
      equal: list(
        text('inhibit.equal: ["service", "job"], the labels both alerts must share.'),
        'inhibit.equal: ["service", "job"], the labels both alerts must share.',
      ),
    },
    "{ severities, equal }",
  ),
};
