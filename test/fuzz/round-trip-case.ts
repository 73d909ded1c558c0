/**
 * Any text in any text field comes back exactly from the YAML and JSON files we write: written as UTF-8
 * bytes, read back by `yaml` and by js-yaml, each as YAML 1.2 and as YAML 1.1 (what Go's yaml.v2, and so
 * Alertmanager, and many other readers speak), and by JSON.parse.
 */
import { isDeepStrictEqual } from "node:util";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import {
  constructFromEvents,
  load as jsYamlLoad,
  parseEvents,
  YAML11_SCHEMA,
  type Event as JsYamlEvent,
  type LoadOptions,
} from "js-yaml";
import { Composer, Parser, parse as yamlParse, type CST, type DocumentOptions } from "yaml";
import { kubernetesResource } from "../../src/engine/check/checks/targets/kubernetes-resource.ts";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { labelVariable } from "../../src/engine/define/dashboard-kit.ts";
import { loadedProject } from "../../src/engine/define/project.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { renderAlertmanager } from "../../src/engine/render/alertmanager.ts";
import {
  generatedHeader,
  jsonArtifact,
  yamlArtifact,
  type Artifact,
} from "../../src/engine/render/artifact.ts";
import { renderGrafana } from "../../src/engine/render/grafana.ts";
import {
  alertmanagerSecretPath,
  datasourceResourcePath,
  kustomizationPath,
} from "../../src/engine/render/kubernetes.ts";
import { mimirRulesPath } from "../../src/engine/render/mimir.ts";
import { renderOutputs } from "../../src/engine/render/outputs.ts";
import { renderPrometheus, seriesText } from "../../src/engine/render/prometheus.ts";
import { vmagentConfigPath } from "../../src/engine/render/victoriametrics.ts";
import { slugify } from "../../src/engine/runbook.ts";
import { anyString, show } from "./arbitraries.ts";
import { buildProject, validSpec, type ProjectSpec } from "./project-spec.ts";

/** The file as another program reads it: its UTF-8 bytes decoded. */
const onDisk = (content: string) => Buffer.from(content, "utf8").toString("utf8");

/**
 * The four readings of a YAML text: `yaml` and js-yaml, each as YAML 1.2 and as YAML 1.1, exactly as their
 * own `parse(text[, options])` and `load(text[, options])` read it. Each library reads in two stages, and
 * only the second depends on the version: `yaml` parses the text into tokens and composes them with a
 * version's schema, js-yaml parses it into events and constructs them with a schema. So each library parses a
 * text once and composes or constructs it once per version, with the options its parse or load passes
 * (parsing each text again for the other version cost an eighth of a round-trip case); whenever that is not
 * one document without errors, the library's own parse or load reads the text again, to throw (or give) what
 * it would.
 */
export function yamlReaders(text: string): Record<string, () => unknown> {
  let tokens: CST.Token[] | undefined;
  let events: JsYamlEvent[] | undefined;
  const composed = (options: DocumentOptions) => () => {
    tokens ??= Array.from(new Parser().parse(text));
    const documents = Array.from(new Composer(options).compose(tokens, true, text.length));
    const [document] = documents;
    if (documents.length !== 1 || !document || document.errors.length > 0) return yamlParse(text, options);
    return document.toJS();
  };
  const constructed = (options: LoadOptions) => () => {
    let documents: unknown[];
    try {
      events ??= parseEvents(text, {});
      documents = constructFromEvents(events, { ...options, source: text });
    } catch {
      return jsYamlLoad(text, options);
    }
    return documents.length === 1 ? documents[0] : jsYamlLoad(text, options);
  };
  return {
    "yaml (YAML 1.2)": composed({}),
    "yaml (YAML 1.1)": composed({ version: "1.1" }),
    "js-yaml (YAML 1.2 core)": constructed({}),
    "js-yaml (YAML 1.1)": constructed({ schema: YAML11_SCHEMA }),
  };
}

/** Every reading of an artifact's bytes, or why one failed. */
export function readBack(artifact: Artifact): Record<string, unknown> {
  const text = onDisk(artifact.content);
  const readers =
    artifact.format === "json" ? { "JSON.parse": () => JSON.parse(text) as unknown } : yamlReaders(text);
  const out: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(readers)) {
    try {
      out[name] = read();
    } catch (error) {
      throw new Error(
        `${artifact.path}: ${name} cannot read it back: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  return out;
}

/** Where two readings first differ: a path and both values; undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  const container = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !(v instanceof Date);
  if (container(a) && container(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(a[key], b[key], `${path}/${key}`);
      if (found) return found;
    }
  }
  return `at ${path || "/"}: ${show(a)} vs ${show(b)}`;
}

/** Throws unless every reader gives back `expected`. */
export function expectReadBack(artifact: Artifact, expected: unknown): void {
  for (const [reader, value] of Object.entries(readBack(artifact))) {
    const difference = firstDifference(expected, value);
    if (difference)
      throw new Error(
        `${artifact.path}, read back by ${reader}: wrote vs read ${difference}\nfile:\n${artifact.content.slice(0, 1500)}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------------
// Any document through yamlArtifact and jsonArtifact

// Not `__proto__`: what a reader does with that key is the reader's business, and no file of ours has it.
const key = fc
  .oneof(anyString, fc.constantFrom("summary", "description", "labels", "expr", "<<", "? x", "- y"))
  .filter((k) => k !== "__proto__");
/** A document of text only: maps with any keys, lists, strings. */
export const textDocument: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, anyString, tie("list"), tie("map")),
  list: fc.array(tie("node"), { maxLength: 4 }),
  map: fc.dictionary(key, tie("node"), { maxKeys: 4, noNullPrototype: true }),
})).map;

export function documentCase(document: unknown): void {
  const fields = {
    path: "fuzz/document",
    schema: "none",
    subject: "document",
    source: { file: "fuzz", line: 1 },
  };
  expectReadBack(yamlArtifact(fields, document, "fuzz"), document);
  expectReadBack(jsonArtifact(fields, document), document);
}

// ---------------------------------------------------------------------------------------------------
// The text fields of our definitions through the real renderers, into every output

/** A key of a map we write (labels, annotations, ConfigMap data). Not `__proto__`: see `key` above. */
const mapKey = anyString.filter((k) => k !== "__proto__");

// Kubernetes' own rules for the texts that become names, label keys and label values (k8s.io/apimachinery's
// validation), written out again here rather than imported: the property judges src/, it does not borrow it.
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const isNamespace = (s: string) => s.length <= 63 && dnsLabel.test(s);
const isResourceName = (s: string) => s.length <= 253 && dnsSubdomain.test(s);
const isLabelValue = (s: string) => s === "" || (s.length <= 63 && qualifiedName.test(s));
function isLabelKey(s: string): boolean {
  const slash = s.lastIndexOf("/");
  const name = s.slice(slash + 1);
  if (slash >= 0 && !isResourceName(s.slice(0, slash))) return false;
  return name.length >= 1 && name.length <= 63 && qualifiedName.test(name);
}

/**
 * A Kubernetes text: mostly one Kubernetes accepts (so that most cases render build/kubernetes/ and read every text
 * back from it), else any text, which the build must refuse: with ten such fields, about 1 case in 12 is refused
 * (over 800 of 10,000 cases, about 4 of `npm test`'s 50), and pays for a whole compile() (30 ms of CPU, more than the
 * rest of a case: at 1 in 5, a fifth of the property's time).
 */
const kubernetesText = (valid: RegExp) =>
  fc.oneof({ arbitrary: fc.stringMatching(valid), weight: 99 }, { arbitrary: anyString, weight: 1 });
const validLabelKey =
  /^([a-z0-9]{1,8}(\.[a-z0-9]{1,8}){0,2}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/;
const validLabelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?$/;
const validName = /^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/;

/**
 * Every text a definition or a setting carries into a file of build/, and where it lands (every file is read back
 * whole by every reader; `definitionTextCase` then finds each text at its place):
 *
 * - alert (prometheus/rules, its test file, PrometheusRule, Mimir, vmalert): name (`alert`, each step's
 *   `alertname`, the ALERTS series and expression of pending steps), expr, summary, description, runbook (the
 *   heading, in `runbook_url`'s anchor), service, team, an extra label's key and value; its test's name, input
 *   series and values, a firing step's description and an expected label's key and value.
 * - recording rule (rule file, test file, PrometheusRule, Mimir, vmalert): record, expr, a label's key and value;
 *   its test's name and an expected sample's label value.
 * - dashboard (its JSON, and as a ConfigMap's data, a GrafanaDashboard's `json` or, when large, `gzipJson`): uid's
 *   default datasource and job (the variables' current values), anchor metric (the job variable's query), title,
 *   description, tag, a label variable's name, label, labelName, selector and default; a row's title; a panel's
 *   title, description, unit, query and legend. A second dashboard's title and description are the first one's
 *   link title and tooltip (and the other way round), and the runbook URL is each one's runbook link.
 * - settings: datasource name, uid and URL (provisioning, the datasource ConfigMap and its name), Grafana's base URL
 *   (`dashboard_url`), folder (provider, the sidecar's folder annotation, the GrafanaDashboard's folder),
 *   dashboardsPath, runbookUrl (`runbook_url`, dashboard links), a scrape job and its target (prometheus.yml,
 *   vmagent.yml), an Alertmanager target.
 * - severity policy: receiver (its receiver, its route, the root route), Slack channel and webhook URL file.
 * - outputs: Kubernetes namespace, a label's key and value, the sidecar's dashboard and datasource labels and folder
 *   annotation, a grafana-operator instance label's key and value, the Alertmanager Secret's name; Mimir's namespace.
 *   Where Kubernetes refuses one (a label value with a space, say), nothing of build/kubernetes/ is rendered and
 *   `compile()` must refuse the build with a targets/kubernetes-resource error at that setting.
 *
 * Left out on purpose: durations and other timing texts (`for`, intervals, `at`: checked as durations before any
 * file, and the compile property fuzzes them); the dashboard uid, the rule groups' names and the runbook's file
 * name, which name files (names/path-safe-name refuses what cannot be one; the compile property fuzzes them);
 * severityReason, a policy's responseTime, notifyWithin and action, the metrics' help and labels' descriptions, which
 * reach no file of build/ (RUNBOOK.md's table: runbook-table.test.ts); the severity, a threshold's op and unit and
 * the Kubernetes ruler and dashboards kind, which are one of a few words (the dashboards kind is picked here, to
 * render both); the alert routing's texts, which land where the policy's receiver lands.
 */
export interface Texts {
  alertName: string;
  alertExpr: string;
  summary: string;
  description: string;
  runbook: string;
  service: string;
  team: string;
  labelKey: string;
  labelValue: string;
  testName: string;
  inputSeries: string;
  inputValues: string;
  firingDescription: string;
  expectedLabelKey: string;
  expectedLabel: string;
  record: string;
  ruleExpr: string;
  ruleLabelKey: string;
  ruleLabel: string;
  ruleTestName: string;
  ruleExpectedLabel: string;
  dashboardTitle: string;
  dashboardDescription: string;
  secondTitle: string;
  secondDescription: string;
  tag: string;
  defaultDatasourceUid: string;
  defaultJob: string;
  anchorMetric: string;
  variableName: string;
  variableLabel: string;
  variableLabelName: string;
  variableSelector: string;
  variableDefault: string;
  rowTitle: string;
  panelTitle: string;
  panelDescription: string;
  unit: string;
  panelExpr: string;
  legend: string;
  datasourceName: string;
  datasourceUid: string;
  datasourceUrl: string;
  grafanaBaseUrl: string;
  folder: string;
  dashboardsPath: string;
  runbookUrl: string;
  scrapeJob: string;
  scrapeTarget: string;
  alertmanager: string;
  receiver: string;
  slackChannel: string;
  webhookUrlFile: string;
  namespace: string;
  kubernetesLabelKey: string;
  kubernetesLabelValue: string;
  dashboardLabel: string;
  datasourceLabel: string;
  folderAnnotation: string;
  instanceLabelKey: string;
  instanceLabelValue: string;
  alertmanagerSecret: string;
  mimirNamespace: string;
  /** Not a text: which dashboard resource the Kubernetes output writes, so that both are read back. */
  dashboardKind: "configmap" | "grafana-operator";
  /** Not a text: a second dashboard large enough that its GrafanaDashboard holds `gzipJson` (grafana-operator only). */
  large: boolean;
}

export const texts: fc.Arbitrary<Texts> = fc.record({
  alertName: anyString,
  alertExpr: anyString,
  summary: anyString,
  description: anyString,
  runbook: anyString,
  service: anyString,
  team: anyString,
  labelKey: mapKey,
  labelValue: anyString,
  testName: anyString,
  inputSeries: anyString,
  inputValues: anyString,
  firingDescription: anyString,
  expectedLabelKey: mapKey,
  expectedLabel: anyString,
  record: anyString,
  ruleExpr: anyString,
  ruleLabelKey: mapKey,
  ruleLabel: anyString,
  ruleTestName: anyString,
  ruleExpectedLabel: anyString,
  dashboardTitle: anyString,
  dashboardDescription: anyString,
  secondTitle: anyString,
  secondDescription: anyString,
  tag: anyString,
  defaultDatasourceUid: anyString,
  defaultJob: anyString,
  anchorMetric: anyString,
  variableName: anyString,
  variableLabel: anyString,
  variableLabelName: anyString,
  variableSelector: anyString,
  variableDefault: anyString,
  rowTitle: anyString,
  panelTitle: anyString,
  panelDescription: anyString,
  unit: anyString,
  panelExpr: anyString,
  legend: anyString,
  datasourceName: anyString,
  datasourceUid: anyString,
  datasourceUrl: anyString,
  grafanaBaseUrl: anyString,
  folder: anyString,
  dashboardsPath: anyString,
  runbookUrl: anyString,
  scrapeJob: mapKey,
  scrapeTarget: anyString,
  alertmanager: anyString,
  receiver: anyString,
  slackChannel: anyString,
  webhookUrlFile: anyString,
  namespace: kubernetesText(validName),
  kubernetesLabelKey: kubernetesText(validLabelKey),
  kubernetesLabelValue: kubernetesText(validLabelValue),
  dashboardLabel: kubernetesText(validLabelKey),
  datasourceLabel: kubernetesText(validLabelKey),
  folderAnnotation: kubernetesText(validLabelKey),
  instanceLabelKey: kubernetesText(validLabelKey),
  instanceLabelValue: kubernetesText(validLabelValue),
  alertmanagerSecret: kubernetesText(validName),
  mimirNamespace: anyString,
  dashboardKind: fc.constantFrom("configmap" as const, "grafana-operator" as const),
  large: fc.oneof({ arbitrary: fc.constant(false), weight: 50 }, { arbitrary: fc.constant(true), weight: 1 }),
});

type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Enough 2-byte characters that the second dashboard's JSON passes half of kubectl's 262,144 bytes. */
const largeDescription = "é".repeat(70_000);
const isLarge = (t: Texts) => t.large && t.dashboardKind === "grafana-operator";

/**
 * The small project, less what no text of the case reaches or what would only have every reader read the same
 * places again: the alert's first test holds every place its texts reach in a test file (the test's name, the
 * alertname of each step, the expected labels and annotations, the ALERTS series); the other severities'
 * receivers and routes, and the dashboard's other row and panels, hold no text of the case. (The severity
 * kept is the least urgent now, so its receiver is the root route's too: one more place.) A second dashboard,
 * without rows, gives the first its link (and the Kubernetes output a second dashboard resource).
 */
export function roundTripSpec(t: Texts): ProjectSpec {
  const spec = validSpec();
  spec.severities = spec.severities.slice(0, 1);
  const alert = spec.alerts[0];
  Object.assign(alert, {
    name: t.alertName,
    expr: t.alertExpr,
    summary: t.summary,
    description: t.description,
    runbook: t.runbook,
    service: t.service,
    team: t.team,
    labels: { [t.labelKey]: t.labelValue },
  });
  const [test] = alert.tests;
  alert.tests = [test];
  test.name = t.testName;
  test.input = [{ series: t.inputSeries, values: t.inputValues }];
  test.expect[1].description = t.firingDescription;
  test.expect[1].labels = { [t.expectedLabelKey]: t.expectedLabel };
  const rule = spec.recordingRules[1];
  Object.assign(rule, { record: t.record, expr: t.ruleExpr, labels: { [t.ruleLabelKey]: t.ruleLabel } });
  rule.tests[0].name = t.ruleTestName;
  rule.tests[0].expect[0].labels = { job: t.ruleExpectedLabel };
  const board = spec.dashboards[0];
  Object.assign(board, {
    title: t.dashboardTitle,
    description: t.dashboardDescription,
    tags: [t.tag],
    defaultDatasourceUid: t.defaultDatasourceUid,
    defaultJob: t.defaultJob,
    anchorMetric: t.anchorMetric,
    variables: [
      labelVariable({
        name: t.variableName,
        label: t.variableLabel,
        labelName: t.variableLabelName,
        selector: t.variableSelector,
        default: t.variableDefault,
      }),
    ],
  });
  const [row] = board.rows;
  const [panel] = row.panels;
  board.rows = [{ ...row, title: t.rowTitle, panels: [panel] }];
  Object.assign(panel, { title: t.panelTitle, description: t.panelDescription, unit: t.unit });
  panel.queries = [{ expr: t.panelExpr, legend: t.legend }];
  spec.dashboards.push({
    uid: "second",
    title: t.secondTitle,
    description: isLarge(t) ? largeDescription : t.secondDescription,
    tags: [],
    anchorMetric: "up",
    defaultDatasourceUid: "shop-prometheus",
    defaultJob: "shop",
    rows: [],
  });
  const { settings } = spec;
  settings.datasource = { name: t.datasourceName, uid: t.datasourceUid, url: t.datasourceUrl };
  Object.assign(settings.grafana, {
    baseUrl: t.grafanaBaseUrl,
    folder: t.folder,
    dashboardsPath: t.dashboardsPath,
  });
  settings.runbookUrl = t.runbookUrl;
  settings.scrapeTargets = { [t.scrapeJob]: [t.scrapeTarget] };
  settings.alertmanagers = [t.alertmanager];
  Object.assign(spec.severities[0], { receiver: t.receiver });
  spec.severities[0].channels[0] = {
    kind: "slack",
    channel: t.slackChannel,
    webhookUrlFile: t.webhookUrlFile,
  };
  settings.outputs = {
    kubernetes: {
      namespace: t.namespace,
      labels: { [t.kubernetesLabelKey]: t.kubernetesLabelValue },
      ruler: "prometheus",
      rulerVersion: "3.0.0",
      dashboards: t.dashboardKind,
      sidecar: {
        dashboardLabel: t.dashboardLabel,
        datasourceLabel: t.datasourceLabel,
        folderAnnotation: t.folderAnnotation,
      },
      grafanaOperator: { instanceLabels: { [t.instanceLabelKey]: t.instanceLabelValue } },
      alertmanagerSecret: t.alertmanagerSecret,
    },
    mimir: { namespace: t.mimirNamespace },
    victoriaMetrics: { vmalertVersion: "1.79.5" },
  };
  return spec;
}

/** The settings of the Kubernetes output that Kubernetes refuses, as `outputs.kubernetes.<field>` (one per reason). */
export function kubernetesRefusals(t: Texts): string[] {
  const at = (field: string) => `outputs.kubernetes.${field}`;
  const out: string[] = [];
  if (!isNamespace(t.namespace)) out.push(at("namespace"));
  if (!isResourceName(t.alertmanagerSecret)) out.push(at("alertmanagerSecret"));
  const label = (field: string, key: string, value: string) => {
    if (!isLabelKey(key)) out.push(at(`${field}[${JSON.stringify(key)}]`));
    if (!isLabelValue(value)) out.push(at(`${field}[${JSON.stringify(key)}]`));
  };
  label("labels", t.kubernetesLabelKey, t.kubernetesLabelValue);
  label("grafanaOperator.instanceLabels", t.instanceLabelKey, t.instanceLabelValue);
  for (const field of ["dashboardLabel", "datasourceLabel", "folderAnnotation"] as const)
    if (!isLabelKey(t[field])) out.push(at(`sidecar.${field}`));
  return out.sort();
}

/** Whether the messages (`<setting>: <why>`) are about exactly these settings, one message each. */
function sameSettings(messages: string[], settings: string[]): boolean {
  const left = [...messages];
  // The longest first: a setting's name can hold `: ` and be the start of another's.
  for (const at of [...settings].sort((a, b) => b.length - a.length)) {
    const index = left.findIndex((m) => m.startsWith(`${at}: `));
    if (index < 0) return false;
    left.splice(index, 1);
  }
  return left.length === 0;
}

/**
 * The agreed readings of the last case's files and of this one's, by content: a file that no text of the case
 * reached (kustomization.yaml, say) has the bytes it had in the last case, and a vmalert rule file has the bytes of
 * its Prometheus rule file; reading the same bytes again can only give the same answer.
 */
let lastReadings = new Map<string, Json>();

export function definitionTextCase(t: Texts): void {
  const project = buildProject(roundTripSpec(t));
  const model = compileModel(project);
  const base = [...renderGrafana(model), ...renderPrometheus(model), renderAlertmanager(model)];
  const outputs = renderOutputs(model, base);
  const artifacts = [...base, ...outputs.flatMap((o) => o.artifacts)];
  const byPath = new Map(artifacts.map((a) => [a.path, a]));
  const content = (path: string) => {
    const artifact = byPath.get(path);
    if (!artifact) throw new Error(`no artifact ${path} (have ${[...byPath.keys()].join(", ")})`);
    return artifact.content;
  };
  // Each file read back by every reader (once); then the fields, from one reading (the readers agree).
  const readings = new Map<string, Json>();
  const read = (path: string): Json => {
    const artifact = byPath.get(path);
    if (!artifact) throw new Error(`no artifact ${path} (have ${[...byPath.keys()].join(", ")})`);
    const value =
      readings.get(artifact.content) ?? lastReadings.get(artifact.content) ?? readAgreed(artifact);
    readings.set(artifact.content, value);
    return value;
  };
  const readAgreed = (artifact: Artifact): Json => {
    const { path } = artifact;
    const readings = Object.entries(readBack(artifact));
    const [first, value] = readings[0]!;
    for (const [reader, other] of readings.slice(1)) {
      const difference = firstDifference(value, other);
      if (difference)
        throw new Error(
          `${path}: ${first} and ${reader} disagree ${difference}\nfile:\n${artifact.content.slice(0, 1500)}`,
        );
    }
    return value as Json;
  };
  /** `got`, read back from `path`, is what was written (a text, or a map or list of them). */
  const expectField = (path: string, where: string, got: unknown, wrote: unknown) => {
    const difference = firstDifference(wrote, got);
    if (difference)
      throw new Error(
        `${path} ${where}: wrote vs read back ${difference}\nfile:\n${byPath.get(path)?.content.slice(0, 1500)}`,
      );
  };

  for (const artifact of artifacts) read(artifact.path);
  lastReadings = readings;

  // Prometheus: the rule files, their tests, prometheus.yml.
  const alertRules = "prometheus/rules/alerts/shop.yaml";
  const alertRule = read(alertRules).groups[0].rules[0];
  const labels = { [t.labelKey]: t.labelValue, severity: "critical", service: t.service, team: t.team };
  const annotations = {
    summary: t.summary,
    description: t.description,
    runbook_url: `${t.runbookUrl}#${slugify(`Alert: ${t.runbook}`)}`,
    dashboard_url: `${t.grafanaBaseUrl}/d/shop-overview?viewPanel=101`,
  };
  const alertDefinition = project.alertGroups[0]!.rules[0]!;
  expectField(alertRules, "alert", alertRule.alert, t.alertName);
  expectField(alertRules, "expr", alertRule.expr, alertDefinition.expr);
  if (!alertDefinition.expr.startsWith(`${t.alertExpr} `))
    throw new Error("the alert's expr is not the text");
  expectField(alertRules, "labels", alertRule.labels, labels);
  expectField(alertRules, "annotations", alertRule.annotations, annotations);

  const alertTests = "prometheus/tests/alerts/shop.test.yaml";
  const alertTest = read(alertTests).tests[0];
  expectField(alertTests, "test name", alertTest.name, `${t.alertName}: ${t.testName}`);
  expectField(alertTests, "input series", alertTest.input_series, [
    { series: t.inputSeries, values: t.inputValues },
  ]);
  const [pending, firing] = alertTest.alert_rule_test;
  expectField(alertTests, "alertname", [pending.alertname, firing.alertname], [t.alertName, t.alertName]);
  expectField(alertTests, "expected labels", firing.exp_alerts[0].exp_labels, {
    ...labels,
    [t.expectedLabelKey]: t.expectedLabel,
  });
  expectField(alertTests, "expected annotations", firing.exp_alerts[0].exp_annotations, {
    ...annotations,
    description: t.firingDescription,
  });
  const pendingLabels = { alertname: t.alertName, alertstate: "pending", ...labels, job: "shop" };
  expectField(alertTests, "pending series", alertTest.promql_expr_test[0], {
    expr: `ALERTS{alertname="${t.alertName}", alertstate="pending"}`,
    eval_time: "3m",
    exp_samples: [{ labels: seriesText("ALERTS", pendingLabels), value: 1 }],
  });

  const recordingRules = "prometheus/rules/recording/shop.yaml";
  const ruleLabels = { [t.ruleLabelKey]: t.ruleLabel };
  expectField(recordingRules, "rule", read(recordingRules).groups[0].rules[1], {
    record: t.record,
    expr: t.ruleExpr,
    labels: ruleLabels,
  });
  const recordingTests = "prometheus/tests/recording/shop.test.yaml";
  const ruleTest = read(recordingTests).tests[1];
  expectField(recordingTests, "test name", ruleTest.name, `${t.record}: ${t.ruleTestName}`);
  expectField(recordingTests, "expression test", ruleTest.promql_expr_test[0], {
    expr: seriesText(t.record, ruleLabels),
    eval_time: "10m",
    exp_samples: [{ labels: seriesText(t.record, { job: t.ruleExpectedLabel, ...ruleLabels }), value: 0.05 }],
  });

  const prometheusYml = "prometheus/prometheus.yml";
  const scrapeConfigs = [
    { job_name: t.scrapeJob, metrics_path: "/metrics", static_configs: [{ targets: [t.scrapeTarget] }] },
  ];
  expectField(prometheusYml, "scrape_configs", read(prometheusYml).scrape_configs, scrapeConfigs);
  expectField(prometheusYml, "alerting", read(prometheusYml).alerting, {
    alertmanagers: [{ static_configs: [{ targets: [t.alertmanager] }] }],
  });

  // Grafana: both dashboards, the provisioning files.
  const boardPath = "grafana/dashboards/shop-overview.json";
  const json = read(boardPath);
  expectField(boardPath, "title", json.title, t.dashboardTitle);
  // The dashboard's description, and after it the note that says where it comes from.
  const note = generatedHeader(model.dashboards[0]!.source.file);
  expectField(
    boardPath,
    "description",
    json.description,
    [t.dashboardDescription, note].filter(Boolean).join("\n\n"),
  );
  expectField(boardPath, "tags", json.tags, [t.tag]);
  const [datasourceVariable, jobVariable, , variable] = json.templating.list as Json[];
  expectField(boardPath, "datasource variable", datasourceVariable!.current, {
    text: t.defaultDatasourceUid,
    value: t.defaultDatasourceUid,
  });
  expectField(
    boardPath,
    "job variable",
    [jobVariable!.current.text, jobVariable!.query],
    [t.defaultJob, `label_values(${t.anchorMetric}, job)`],
  );
  expectField(
    boardPath,
    "label variable",
    variable && [variable.name, variable.label, variable.query, variable.current],
    [
      t.variableName,
      t.variableLabel,
      `label_values(${t.variableSelector}, ${t.variableLabelName})`,
      { text: t.variableDefault, value: [t.variableDefault] },
    ],
  );
  const [toSecond, toRunbook] = json.links as Json[];
  expectField(
    boardPath,
    "links",
    [toSecond!.title, toSecond!.tooltip, toRunbook!.url],
    [t.secondTitle, isLarge(t) ? largeDescription : t.secondDescription, t.runbookUrl],
  );
  const panels = json.panels as Json[];
  const panel = panels.find((p) => p.id === 101)!;
  expectField(boardPath, "row title", panels.find((p) => p.id === 100)?.title, t.rowTitle);
  expectField(
    boardPath,
    "panel",
    [panel.title, panel.description, panel.fieldConfig.defaults.unit],
    [t.panelTitle, t.panelDescription, t.unit],
  );
  expectField(
    boardPath,
    "query",
    [panel.targets[0].expr, panel.targets[0].legendFormat],
    [t.panelExpr, t.legend],
  );
  const secondPath = "grafana/dashboards/second.json";
  const second = read(secondPath);
  expectField(
    secondPath,
    "link",
    [second.links[0].title, second.links[0].tooltip, second.links[1].url],
    [t.dashboardTitle, t.dashboardDescription, t.runbookUrl],
  );

  const datasources = "grafana/provisioning/datasources/prometheus.yaml";
  const datasource = read(datasources).datasources[0];
  expectField(
    datasources,
    "datasource",
    [datasource.name, datasource.uid, datasource.url],
    [t.datasourceName, t.datasourceUid, t.datasourceUrl],
  );
  const providers = "grafana/provisioning/dashboards/global-sovereign.yaml";
  const provider = read(providers).providers[0];
  expectField(providers, "provider", [provider.folder, provider.options.path], [t.folder, t.dashboardsPath]);

  // Alertmanager.
  const alertmanagerYml = "alertmanager/alertmanager.yml";
  const alertmanager = read(alertmanagerYml);
  expectField(
    alertmanagerYml,
    "route receivers",
    [alertmanager.route.receiver, alertmanager.route.routes[0].receiver],
    [t.receiver, t.receiver],
  );
  const [receiver] = alertmanager.receivers;
  const [slack] = receiver.slack_configs;
  expectField(
    alertmanagerYml,
    "receiver",
    [receiver.name, slack.channel, slack.api_url_file],
    [t.receiver, t.slackChannel, t.webhookUrlFile],
  );

  // Mimir and VictoriaMetrics: the rule groups as the Prometheus files hold them (their texts checked above).
  const ruleGroups = [read(recordingRules).groups[0], read(alertRules).groups[0]];
  expectField(mimirRulesPath, "namespace and groups", read(mimirRulesPath), {
    namespace: t.mimirNamespace,
    groups: ruleGroups,
  });
  expectField(
    "victoriametrics/rules/recording/shop.yaml",
    "groups",
    read("victoriametrics/rules/recording/shop.yaml").groups,
    [ruleGroups[0]],
  );
  expectField(
    "victoriametrics/rules/alerts/shop.yaml",
    "groups",
    read("victoriametrics/rules/alerts/shop.yaml").groups,
    [ruleGroups[1]],
  );
  expectField(vmagentConfigPath, "scrape_configs", read(vmagentConfigPath).scrape_configs, scrapeConfigs);

  kubernetesCase(t, project, model, outputs, { read, content, expectField }, ruleGroups);
}

interface Reading {
  read(path: string): Json;
  content(path: string): string;
  expectField(path: string, where: string, got: unknown, wrote: unknown): void;
}

/**
 * build/kubernetes/: every resource read back, each embedded file (a dashboard's JSON, provisioning and
 * alertmanager.yml) exactly the bytes of the file it embeds, and parsed again; or, when Kubernetes refuses a
 * setting, no resource, the check saying so at each such setting (and at no other), and a build that refuses.
 */
function kubernetesCase(
  t: Texts,
  project: ReturnType<typeof buildProject>,
  model: ReturnType<typeof compileModel>,
  outputs: ReturnType<typeof renderOutputs>,
  { read, content, expectField }: Reading,
  ruleGroups: Json[],
): void {
  const refusals = kubernetesRefusals(t);
  const messages = kubernetesResource
    .check(model, {} as Parameters<typeof kubernetesResource.check>[1])
    .map((f) => f.message);
  if (!sameSettings(messages, refusals))
    throw new Error(
      `targets/kubernetes-resource reports ${show(messages)}, Kubernetes refuses ${show(refusals)}`,
    );
  const kubernetes = outputs.find((o) => o.output === "kubernetes");
  if (refusals.length > 0) {
    if (kubernetes)
      throw new Error(`Kubernetes refuses ${show(refusals)}, yet build/kubernetes/ was rendered`);
    const result = compile(loadedProject(project, { file: "test/fuzz/project-spec.ts", line: 1 }, []));
    const errors = result.diagnostics
      .filter((d) => d.check === "targets/kubernetes-resource" && d.severity === "error")
      .map((d) => d.message);
    if (result.ok || result.artifacts.length > 0 || !sameSettings(errors, refusals))
      throw new Error(
        `Kubernetes refuses ${show(refusals)}: compile() ok ${result.ok}, ${result.artifacts.length} files, errors ${show(errors)}`,
      );
    return;
  }
  if (!kubernetes) throw new Error("build/kubernetes/ was not rendered");
  const labels = { [t.kubernetesLabelKey]: t.kubernetesLabelValue };
  const meta = (name: string, extra: Record<string, string> = {}) => ({
    name,
    namespace: t.namespace,
    labels: { ...labels, ...extra },
  });
  for (const [kind, group] of [
    ["recording", ruleGroups[0]!],
    ["alerts", ruleGroups[1]!],
  ] as const) {
    const path = `kubernetes/prometheusrules/${kind}/shop.yaml`;
    const resource = read(path);
    expectField(path, "metadata", resource.metadata, meta(group.name));
    expectField(path, "spec", resource.spec, { groups: [group] });
  }
  for (const uid of ["shop-overview", "second"]) {
    const path = `kubernetes/dashboards/${uid}.yaml`;
    const resource = read(path);
    const file = content(`grafana/dashboards/${uid}.json`);
    const dashboard = read(`grafana/dashboards/${uid}.json`);
    if (t.dashboardKind === "configmap") {
      expectField(path, "metadata", resource.metadata, {
        ...meta(`grafana-dashboard-${uid}`, { [t.dashboardLabel]: "1" }),
        annotations: { [t.folderAnnotation]: t.folder },
      });
      expectField(path, "data", resource.data, { [`${uid}.json`]: file });
      expectField(path, "data, parsed", JSON.parse(resource.data[`${uid}.json`]), dashboard);
      continue;
    }
    expectField(path, "metadata", resource.metadata, meta(uid));
    const { json, gzipJson, ...spec } = resource.spec;
    expectField(path, "spec", spec, {
      instanceSelector: { matchLabels: { [t.instanceLabelKey]: t.instanceLabelValue } },
      folder: t.folder,
    });
    // The second dashboard's description is the first one's link tooltip: both are large.
    const large = isLarge(t);
    const embedded = large ? gunzipSync(Buffer.from(gzipJson, "base64")).toString("utf8") : json;
    expectField(
      path,
      large ? "gzipJson, unzipped" : "json",
      [embedded, large ? json : gzipJson],
      [file, undefined],
    );
    expectField(path, "json, parsed", JSON.parse(embedded), dashboard);
  }
  const datasource = read(datasourceResourcePath);
  expectField(
    datasourceResourcePath,
    "labels and data",
    [datasource.metadata.labels, datasource.data],
    [
      { ...labels, [t.datasourceLabel]: "1" },
      { "prometheus.yaml": content("grafana/provisioning/datasources/prometheus.yaml") },
    ],
  );
  if (
    !isResourceName(datasource.metadata.name) ||
    !datasource.metadata.name.startsWith("grafana-datasource-")
  )
    throw new Error(
      `${datasourceResourcePath}: its name ${show(datasource.metadata.name)} is no resource name`,
    );
  const secret = read(alertmanagerSecretPath);
  expectField(
    alertmanagerSecretPath,
    "metadata and data",
    [secret.metadata, secret.stringData],
    [meta(t.alertmanagerSecret), { "alertmanager.yaml": content("alertmanager/alertmanager.yml") }],
  );
  expectField(kustomizationPath, "resources", read(kustomizationPath).resources, [
    "alertmanager-secret.yaml",
    "dashboards/second.yaml",
    "dashboards/shop-overview.yaml",
    "grafana-datasource.yaml",
    "prometheusrules/alerts/shop.yaml",
    "prometheusrules/recording/shop.yaml",
  ]);
}
