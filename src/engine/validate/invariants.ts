/**
 * The last word before anything is written: the artifacts, read back, hold the model exactly. Every alert,
 * recording rule and test case once, in its group's file; every dashboard in one file with each of its panels
 * once; every rule file loaded by prometheus.yml and tested by its own test file; every path inside build/ and
 * distinct from every other, case ignored. The checks keep the definitions sound; this catches the renderer
 * (or a clash no check foresaw) dropping or repeating something, so such a bug fails the build instead of
 * silently losing an alert.
 */
import { posix } from "node:path";
import { get, plain, readYaml } from "../check/yaml-tree.ts";
import type { Diagnostic } from "../diagnostics.ts";
import type { DashboardModel, Model, RuleGroupModel } from "../model.ts";
import { schemaKind, writtenDocument, type Artifact } from "../render/artifact.ts";
import { dashboardPath } from "../render/grafana.ts";
import { prometheusConfigPath, ruleFilePath, ruleTestFilePath, seriesText } from "../render/prometheus.ts";
import { parsedDocument } from "./schemas.ts";
import type { SourceLocation } from "../source.ts";

export const invariantCheck = "build/invariant";

const fix =
  "this is a bug in o11y, not in your definitions (a renderer, or two names the checks did not see clash): report it with this message.";

/** What the files say, read back: which file holds each alert, rule, test case, dashboard and panel. */
interface Written {
  alerts: Map<string, string[]>;
  records: Map<string, string[]>;
  /** Test case name -> test files. */
  cases: Map<string, string[]>;
  dashboards: Map<string, Array<{ path: string; panelIds: unknown[] }>>;
}

const add = (map: Map<string, string[]>, key: string, value: string) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * The document an artifact's content holds, or why it cannot be read back. A JSON artifact's is the canonical
 * value it was written from, a YAML artifact's the parse the schema validation made of its content; only an
 * artifact neither has seen is parsed here.
 */
function readBack(artifact: Artifact): { document: unknown } | { problem: string } {
  const known = writtenDocument(artifact) ?? parsedDocument(artifact);
  if (known) return known;
  if (artifact.format === "json") {
    try {
      return { document: JSON.parse(artifact.content) as unknown };
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }
  const { root, problems } = readYaml(artifact.content);
  return problems.length ? { problem: problems[0]!.message } : { document: plain(root) };
}

/** Ids of every panel of a dashboard's JSON, rows' nested panels included. */
function panelIds(json: unknown): unknown[] {
  return asList(asRecord(json).panels).flatMap((panel) => [
    asRecord(panel).id,
    ...asList(asRecord(panel).panels).map((nested) => asRecord(nested).id),
  ]);
}

/** A build path that stays inside build/ and means the same on every file system. */
function unsafePath(path: string): string | undefined {
  if (path === "" || path.startsWith("/") || /^[a-zA-Z]:/.test(path)) return "it is not a relative path";
  if (path.includes("\\")) return "it holds a backslash";
  // Control characters: not a file name anyone can type, and some file systems refuse them.
  if (/[\u0000-\u001f\u007f]/.test(path)) return "it holds a control character";
  if (path.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    return "it has an empty, `.` or `..` segment, so it is not the file it names, or lies outside build/";
  return undefined;
}

/** `from`'s rule_files entry as a build path (they are relative to the file that lists them). */
const resolveFrom = (from: string, entry: string) => posix.normalize(posix.join(posix.dirname(from), entry));

export function checkInvariants(model: Model, artifacts: Artifact[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (subject: string, source: SourceLocation, message: string) =>
    out.push({ check: invariantCheck, severity: "error", subject, source, message, fix });

  // Paths: inside build/, and one file each on a case-insensitive file system too.
  const byKey = new Map<string, Artifact>();
  for (const artifact of artifacts) {
    const why = unsafePath(artifact.path);
    if (why !== undefined)
      report(
        artifact.subject,
        artifact.source,
        `its file ${JSON.stringify(artifact.path)} cannot be written: ${why}`,
      );
    const key = artifact.path.toLowerCase();
    const earlier = byKey.get(key);
    if (earlier)
      report(
        artifact.subject,
        artifact.source,
        `its file ${artifact.path} is also the file of ${earlier.subject} (${earlier.path}): one would replace the other`,
      );
    byKey.set(key, artifact);
  }
  // What would be on disk: of two artifacts at one path, the one written last.
  const kept = [...byKey.values()];

  // Read every rule, test and dashboard file back.
  const written: Written = { alerts: new Map(), records: new Map(), cases: new Map(), dashboards: new Map() };
  const ruleFiles = new Set<string>();
  const testFiles: Array<{ artifact: Artifact; ruleFiles: unknown[] }> = [];
  let config: { artifact: Artifact; ruleFiles: unknown[] } | undefined;
  for (const artifact of kept) {
    // An imported dashboard or rule group is a file like the others, held to a schema without the house rules.
    const kind = schemaKind(artifact.schema);
    if (!["prometheus-rules", "promtool-tests", "grafana-dashboard", "prometheus-config"].includes(kind))
      continue;
    const read = readBack(artifact);
    if ("problem" in read) {
      report(artifact.subject, artifact.source, `${artifact.path} cannot be read back: ${read.problem}`);
      continue;
    }
    const document = asRecord(read.document);
    switch (kind) {
      case "prometheus-rules":
        ruleFiles.add(artifact.path);
        for (const group of asList(document.groups)) {
          for (const rule of asList(asRecord(group).rules).map(asRecord)) {
            if (typeof rule.alert === "string") add(written.alerts, rule.alert, artifact.path);
            else if (typeof rule.record === "string")
              add(
                written.records,
                seriesText(rule.record, asRecord(rule.labels) as Record<string, string>),
                artifact.path,
              );
          }
        }
        break;
      case "promtool-tests":
        testFiles.push({ artifact, ruleFiles: asList(document.rule_files) });
        for (const test of asList(document.tests))
          add(written.cases, String(asRecord(test).name), artifact.path);
        break;
      case "grafana-dashboard": {
        const list = written.dashboards.get(String(document.uid)) ?? [];
        list.push({ path: artifact.path, panelIds: panelIds(document) });
        written.dashboards.set(String(document.uid), list);
        break;
      }
      case "prometheus-config":
        if (artifact.path === prometheusConfigPath)
          config = { artifact, ruleFiles: asList(document.rule_files) };
        break;
    }
  }

  // Each group's files: its rule file, and its test file.
  const groups = new Map<string, RuleGroupModel>();
  for (const group of model.ruleGroups) groups.set(`${group.kind}\u0000${group.name}`, group);
  const groupOf = (kind: RuleGroupModel["kind"], name: string) => groups.get(`${kind}\u0000${name}`);

  /** Written `expected` times, each time in `expectedFile` (when known). */
  const expectOnce = (
    subject: string,
    source: SourceLocation,
    what: string,
    found: string[] | undefined,
    /** The file that should hold it; or, for a name several definitions share in different files, each one's. */
    expectedFile: string | undefined | string[],
    expected: number,
  ) => {
    const files = found ?? [];
    const sorted = (list: string[]) => [...list].sort().join("\0");
    if (
      files.length === expected &&
      (expectedFile === undefined ||
        (Array.isArray(expectedFile)
          ? sorted(files) === sorted(expectedFile)
          : files.every((f) => f === expectedFile)))
    )
      return;
    const times = (n: number) => (n === 1 ? "once" : `${n} times`);
    const where =
      expectedFile === undefined
        ? ""
        : ` (in ${Array.isArray(expectedFile) ? [...new Set(expectedFile)].join(", ") : expectedFile})`;
    const actual =
      files.length === 0
        ? "it is in none of them"
        : `it is written ${times(files.length)}: ${files.join(", ")}`;
    report(
      subject,
      source,
      `the ${what} about to be written should hold it ${times(expected)}${where}, but ${actual}`,
    );
  };

  /** Each key of `items` as many times as the model has it, reported once per key, at its first definition. */
  function expectEach<T>(items: T[], keyOf: (item: T) => string, judge: (item: T, count: number) => void) {
    const counts = new Map<string, { item: T; count: number }>();
    for (const item of items) {
      const entry = counts.get(keyOf(item));
      if (entry) entry.count++;
      else counts.set(keyOf(item), { item, count: 1 });
    }
    for (const { item, count } of counts.values()) judge(item, count);
    return counts;
  }

  const seriesOf = (rule: Model["recordingRules"][number]) => seriesText(rule.record, rule.labels);
  const testFileOf = (kind: RuleGroupModel["kind"], name: string) => {
    const group = groupOf(kind, name);
    return group && ruleTestFilePath(group);
  };
  const ruleFileOf = (kind: RuleGroupModel["kind"], name: string) => {
    const group = groupOf(kind, name);
    return group && ruleFilePath(group);
  };
  const alertFiles = new Map<string, (string | undefined)[]>();
  for (const a of model.alerts)
    alertFiles.set(a.name, [...(alertFiles.get(a.name) ?? []), ruleFileOf("alerts", a.group)]);
  const definedAlerts = expectEach(
    model.alerts,
    (a) => a.name,
    (alert, count) => {
      // Alerts may share a name (an imported rule file's, one per severity), in one group or in several.
      const files = alertFiles.get(alert.name)!;
      const spread = new Set(files).size > 1 && files.every((f) => f !== undefined);
      expectOnce(
        `alert ${alert.name}`,
        alert.source,
        "alert rule files",
        written.alerts.get(alert.name),
        spread ? (files as string[]) : ruleFileOf("alerts", alert.group),
        count,
      );
    },
  );
  const definedRecords = expectEach(model.recordingRules, seriesOf, (rule, count) =>
    expectOnce(
      `recording rule ${rule.record}`,
      rule.source,
      "recording rule files",
      written.records.get(seriesOf(rule)),
      ruleFileOf("recording", rule.group),
      count,
    ),
  );
  const cases = [
    ...model.alerts.flatMap((alert) =>
      alert.tests.map((test) => ({
        name: `${alert.name}: ${test.name}`,
        file: testFileOf("alerts", alert.group),
        subject: `alert ${alert.name}`,
        source: alert.source,
      })),
    ),
    ...model.recordingRules.flatMap((rule) =>
      rule.tests.map((test) => ({
        name: `${rule.record}: ${test.name}`,
        file: testFileOf("recording", rule.group),
        subject: `recording rule ${rule.record}`,
        source: rule.source,
      })),
    ),
  ];
  const definedCases = expectEach(
    cases,
    (c) => c.name,
    (c, count) =>
      expectOnce(
        c.subject,
        c.source,
        `test files (test "${c.name}")`,
        written.cases.get(c.name),
        c.file,
        count,
      ),
  );

  // What the files hold that no definition has.
  const subjectOf = new Map(kept.map((a) => [a.path, a]));
  const stray = (files: string[], what: string) => {
    for (const file of new Set(files)) {
      const artifact = subjectOf.get(file)!;
      report(artifact.subject, artifact.source, `${file} holds ${what}, which no definition has`);
    }
  };
  for (const [name, files] of written.alerts) if (!definedAlerts.has(name)) stray(files, `alert ${name}`);
  for (const [series, files] of written.records)
    if (!definedRecords.has(series)) stray(files, `recording rule ${series}`);
  for (const [name, files] of written.cases) if (!definedCases.has(name)) stray(files, `test "${name}"`);

  // Dashboards: one file each, at its path, each panel once.
  const expectedDashboards = new Map<string, DashboardModel[]>();
  for (const dashboard of model.dashboards)
    expectedDashboards.set(dashboard.uid, [...(expectedDashboards.get(dashboard.uid) ?? []), dashboard]);
  for (const [uid, dashboards] of expectedDashboards) {
    const dashboard = dashboards[0]!;
    const subject = `dashboard ${uid} "${dashboard.title}"`;
    const files = written.dashboards.get(uid) ?? [];
    expectOnce(
      subject,
      dashboard.source,
      "dashboard files",
      files.map((f) => f.path),
      dashboardPath(dashboard),
      dashboards.length,
    );
    if (files.length !== 1 || dashboards.length !== 1) continue;
    const counts = new Map<unknown, number>();
    for (const id of files[0]!.panelIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const panel of [...dashboard.rows, ...dashboard.panels]) {
      const count = counts.get(panel.id) ?? 0;
      counts.delete(panel.id);
      if (count !== 1)
        report(
          `${subject} › panel ${panel.id} "${panel.title}"`,
          panel.source,
          `${files[0]!.path} should hold panel ${panel.id} once, but holds it ${count === 0 ? "nowhere" : `${count} times`}`,
        );
    }
    for (const id of counts.keys())
      report(
        subject,
        dashboard.source,
        `${files[0]!.path} holds a panel with id ${JSON.stringify(id) ?? "undefined"}, which the dashboard's definition does not have`,
      );
  }
  for (const [uid, files] of written.dashboards) {
    if (expectedDashboards.has(uid)) continue;
    for (const { path } of files)
      report(
        subjectOf.get(path)!.subject,
        subjectOf.get(path)!.source,
        `${path} is a dashboard (uid ${JSON.stringify(uid)}) that no definition has`,
      );
  }

  // Rule files: each loaded by prometheus.yml; each test file beside its rule file, loading rule files of the build.
  if (ruleFiles.size > 0 || model.ruleGroups.length > 0) {
    if (!config) {
      report(
        "prometheus.yml",
        { file: "src/config.ts", line: 1 },
        `${prometheusConfigPath}, which loads the rule files, is not among the files about to be written`,
      );
    } else {
      const loaded = new Set<string>();
      for (const entry of config.ruleFiles) {
        const target = resolveFrom(config.artifact.path, String(entry));
        loaded.add(target);
        if (!ruleFiles.has(target))
          report(
            config.artifact.subject,
            config.artifact.source,
            `rule_files lists ${String(entry)}, and the build has no rule file ${target}`,
          );
      }
      for (const file of ruleFiles) {
        if (!loaded.has(file))
          report(
            subjectOf.get(file)!.subject,
            subjectOf.get(file)!.source,
            `${file} is not in ${prometheusConfigPath}'s rule_files, so Prometheus would never evaluate its rules`,
          );
      }
    }
  }
  const testOf = new Map(model.ruleGroups.map((group) => [ruleTestFilePath(group), ruleFilePath(group)]));
  for (const { artifact, ruleFiles: entries } of testFiles) {
    const ruleFile = testOf.get(artifact.path);
    if (ruleFile === undefined || !ruleFiles.has(ruleFile)) {
      report(
        artifact.subject,
        artifact.source,
        `${artifact.path} tests no rule file of the build${ruleFile === undefined ? "" : ` (${ruleFile} is not among the files)`}`,
      );
    }
    for (const entry of entries) {
      const target = resolveFrom(artifact.path, String(entry));
      if (!ruleFiles.has(target))
        report(
          artifact.subject,
          artifact.source,
          `${artifact.path} loads ${String(entry)}, and the build has no rule file ${target}`,
        );
    }
  }
  return out;
}
