/**
 * Any text in any text field comes back exactly from the YAML and JSON files we write: written as UTF-8
 * bytes, read back by `yaml` and by js-yaml, each as YAML 1.2 and as YAML 1.1 (what Go's yaml.v2, and so
 * Alertmanager, and many other readers speak), and by JSON.parse.
 */
import { isDeepStrictEqual } from "node:util";
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
import { compileModel } from "../../src/engine/compile/compile.ts";
import { renderAlertmanager } from "../../src/engine/render/alertmanager.ts";
import { jsonArtifact, yamlArtifact, type Artifact } from "../../src/engine/render/artifact.ts";
import { renderGrafana } from "../../src/engine/render/grafana.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
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
// The text fields of our definitions through the real renderers

/** Every text field a definition writes into a file, and where it lands: [artifact path, JSON pointer, expected]. */
export interface Texts {
  alertName: string;
  summary: string;
  description: string;
  labelValue: string;
  service: string;
  team: string;
  testName: string;
  firingDescription: string;
  expectedLabel: string;
  ruleLabel: string;
  ruleTestName: string;
  dashboardTitle: string;
  panelTitle: string;
  panelDescription: string;
  legend: string;
  rowTitle: string;
  tag: string;
  folder: string;
  datasourceName: string;
  receiver: string;
}

export const texts: fc.Arbitrary<Texts> = fc.record({
  alertName: anyString,
  summary: anyString,
  description: anyString,
  labelValue: anyString,
  service: anyString,
  team: anyString,
  testName: anyString,
  firingDescription: anyString,
  expectedLabel: anyString,
  ruleLabel: anyString,
  ruleTestName: anyString,
  dashboardTitle: anyString,
  panelTitle: anyString,
  panelDescription: anyString,
  legend: anyString,
  rowTitle: anyString,
  tag: anyString,
  folder: anyString,
  datasourceName: anyString,
  receiver: anyString,
});

type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The small project, less what no text of the case reaches or what would only have every reader read the same
 * places again: the alert's first test holds every place its texts reach in a test file (the test's name, the
 * alertname of each step, the expected labels and annotations, the ALERTS series); the other severities'
 * receivers and routes, and the dashboard's other row and panels, hold no text of the case. (The severity
 * kept is the least urgent now, so its receiver is the root route's too: one more place.) Without them, and
 * with an unchanged file read once (below), a case costs a third less.
 */
export function roundTripSpec(): ProjectSpec {
  const spec = validSpec();
  spec.alerts[0].tests = spec.alerts[0].tests.slice(0, 1);
  spec.severities = spec.severities.slice(0, 1);
  const [row] = spec.dashboards[0].rows;
  spec.dashboards[0].rows = [{ ...row, panels: row.panels.slice(0, 1) }];
  return spec;
}

/**
 * Each file's last agreed reading, by path: a file that no text of the case reached (prometheus.yml, say) has
 * the bytes it had in the last case, and reading the same bytes again can only give the same answer.
 */
const lastReading = new Map<string, { content: string; value: Json }>();

export function definitionTextCase(t: Texts): void {
  const spec = roundTripSpec();
  const alert = spec.alerts[0];
  Object.assign(alert, {
    name: t.alertName,
    summary: t.summary,
    description: t.description,
    service: t.service,
    team: t.team,
    labels: { tier: t.labelValue },
  });
  alert.tests[0].name = t.testName;
  alert.tests[0].expect[1].description = t.firingDescription;
  alert.tests[0].expect[1].labels = { job: t.expectedLabel };
  spec.recordingRules[1].labels = { team: t.ruleLabel };
  spec.recordingRules[0].tests[0].name = t.ruleTestName;
  const board = spec.dashboards[0];
  Object.assign(board, { title: t.dashboardTitle, tags: [t.tag] });
  board.rows[0].title = t.rowTitle;
  Object.assign(board.rows[0].panels[0], { title: t.panelTitle, description: t.panelDescription });
  board.rows[0].panels[0].queries[0].legend = t.legend;
  spec.settings.grafana.folder = t.folder;
  spec.settings.datasource.name = t.datasourceName;
  spec.severities[0].receiver = t.receiver;

  const model = compileModel(buildProject(spec));
  const artifacts = [...renderGrafana(model), ...renderPrometheus(model), renderAlertmanager(model)];
  const byPath = new Map(artifacts.map((a) => [a.path, a]));
  // Each file read back by every reader (once); then the fields, from one reading (the readers agree).
  const read = (path: string): Json => {
    const artifact = byPath.get(path);
    if (!artifact) throw new Error(`no artifact ${path} (have ${[...byPath.keys()].join(", ")})`);
    const last = lastReading.get(path);
    if (last?.content === artifact.content) return last.value;
    const value = readAgreed(artifact);
    lastReading.set(path, { content: artifact.content, value });
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
  const expectField = (path: string, where: string, got: unknown, wrote: string) => {
    if (got !== wrote)
      throw new Error(
        `${path} ${where}: wrote ${show(wrote)}, read back ${show(got)}\nfile:\n${byPath.get(path)!.content.slice(0, 1500)}`,
      );
  };

  for (const artifact of artifacts) read(artifact.path);

  const rules = read("prometheus/rules/alerts/shop.yaml").groups[0].rules[0];
  expectField("prometheus/rules/alerts/shop.yaml", "alert", rules.alert, t.alertName);
  expectField("prometheus/rules/alerts/shop.yaml", "summary", rules.annotations.summary, t.summary);
  expectField(
    "prometheus/rules/alerts/shop.yaml",
    "description",
    rules.annotations.description,
    t.description,
  );
  expectField("prometheus/rules/alerts/shop.yaml", "label tier", rules.labels.tier, t.labelValue);
  expectField("prometheus/rules/alerts/shop.yaml", "label service", rules.labels.service, t.service);
  expectField("prometheus/rules/alerts/shop.yaml", "label team", rules.labels.team, t.team);

  const alertTest = read("prometheus/tests/alerts/shop.test.yaml").tests[0];
  expectField(
    "prometheus/tests/alerts/shop.test.yaml",
    "test name",
    alertTest.name,
    `${t.alertName}: ${t.testName}`,
  );
  const firing = alertTest.alert_rule_test[1].exp_alerts[0];
  expectField(
    "prometheus/tests/alerts/shop.test.yaml",
    "expected description",
    firing.exp_annotations.description,
    t.firingDescription,
  );
  expectField(
    "prometheus/tests/alerts/shop.test.yaml",
    "expected label job",
    firing.exp_labels.job,
    t.expectedLabel,
  );
  expectField(
    "prometheus/tests/alerts/shop.test.yaml",
    "expected summary",
    firing.exp_annotations.summary,
    t.summary,
  );

  const recorded = read("prometheus/rules/recording/shop.yaml").groups[0].rules[1];
  expectField("prometheus/rules/recording/shop.yaml", "label team", recorded.labels.team, t.ruleLabel);
  expectField(
    "prometheus/tests/recording/shop.test.yaml",
    "test name",
    read("prometheus/tests/recording/shop.test.yaml").tests[0].name,
    `job:shop_requests:rate5m: ${t.ruleTestName}`,
  );

  const boardPath = model.dashboards[0] ? `grafana/dashboards/${model.dashboards[0].uid}.json` : "";
  const json = read(boardPath);
  expectField(boardPath, "title", json.title, t.dashboardTitle);
  expectField(boardPath, "tag", json.tags[0], t.tag);
  const panels = json.panels as Json[];
  const panel = panels.find((p) => p.id === 101)!;
  expectField(boardPath, "row title", panels.find((p) => p.id === 100)?.title, t.rowTitle);
  expectField(boardPath, "panel title", panel.title, t.panelTitle);
  expectField(boardPath, "panel description", panel.description, t.panelDescription);
  expectField(boardPath, "legend", panel.targets[0].legendFormat, t.legend);

  expectField(
    "grafana/provisioning/dashboards/global-sovereign.yaml",
    "folder",
    read("grafana/provisioning/dashboards/global-sovereign.yaml").providers[0].folder,
    t.folder,
  );
  expectField(
    "grafana/provisioning/datasources/prometheus.yaml",
    "name",
    read("grafana/provisioning/datasources/prometheus.yaml").datasources[0].name,
    t.datasourceName,
  );
  expectField(
    "alertmanager/alertmanager.yml",
    "receiver",
    read("alertmanager/alertmanager.yml").receivers[0].name,
    t.receiver,
  );
}
