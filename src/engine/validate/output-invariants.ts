/**
 * The build's invariant for the outputs of `settings.outputs` (Kubernetes, Mimir, VictoriaMetrics): read back,
 * each output's files hold every alert and recording rule of the model exactly once, in the file of its group;
 * the Kubernetes dashboards, datasource and Alertmanager Secret carry exactly the bytes of the files Grafana and
 * Alertmanager load; kustomization.yaml lists every resource of its folder and nothing else; and no file lies in
 * the folder of an output that is off. A renderer bug fails the build instead of deploying a cluster without an alert.
 */
import { posix } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";
import type { Diagnostic } from "../diagnostics.ts";
import { outputFolders } from "../define/outputs.ts";
import type { Model, RuleGroupModel } from "../model.ts";
import { schemaKind, type Artifact } from "../render/artifact.ts";
import { dashboardPath } from "../render/grafana.ts";
import {
  alertmanagerSecretPath,
  dashboardResourcePath,
  datasourceResourcePath,
  kubernetesDir,
  kustomizationPath,
  prometheusRulePath,
} from "../render/kubernetes.ts";
import { mimirRulesPath } from "../render/mimir.ts";
import { outputNames, outputOf, type OutputName } from "../render/outputs.ts";
import { seriesText } from "../render/prometheus.ts";
import { vmalertRulePath } from "../render/victoriametrics.ts";
import type { SourceLocation } from "../source.ts";
import { invariantCheck } from "./invariants.ts";
import { parsedDocument } from "./schemas.ts";

const fix =
  "this is a bug in o11y, not in your definitions (an output's renderer): report it with this message.";

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** An artifact's document: the parse its schema validation made, else parsed here; undefined when it cannot be. */
export function documentOf(artifact: Artifact): unknown {
  const known = parsedDocument(artifact);
  if (known) return known.document;
  try {
    return artifact.format === "json" ? JSON.parse(artifact.content) : parseYaml(artifact.content);
  } catch {
    return undefined;
  }
}

/** Where each output keeps its rule groups: the file of a group, and the groups a file's document holds. */
const ruleLayout: Partial<
  Record<
    OutputName,
    { fileOf: (group: RuleGroupModel) => string; schema: string; groups: (doc: unknown) => unknown[] }
  >
> = {
  kubernetes: {
    fileOf: prometheusRulePath,
    schema: "kubernetes-prometheusrule",
    groups: (doc) => asList(asRecord(asRecord(doc).spec).groups),
  },
  mimir: {
    fileOf: () => mimirRulesPath,
    schema: "mimir-rules",
    groups: (doc) => asList(asRecord(doc).groups),
  },
  victoriaMetrics: {
    fileOf: vmalertRulePath,
    schema: "vmalert-rules",
    groups: (doc) => asList(asRecord(doc).groups),
  },
};

export function checkOutputInvariants(model: Model, artifacts: Artifact[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (subject: string, source: SourceLocation, message: string) =>
    out.push({ check: invariantCheck, severity: "error", subject, source, message, fix });
  const enabled = model.settings.outputs ?? {};
  const byOutput = new Map<OutputName, Artifact[]>();
  for (const artifact of artifacts) {
    const output = outputOf(artifact.path);
    if (output === undefined) continue;
    if (!enabled[output]) {
      report(
        artifact.subject,
        artifact.source,
        `${artifact.path} is written, but the ${output} output is off`,
      );
      continue;
    }
    byOutput.set(output, [...(byOutput.get(output) ?? []), artifact]);
  }

  for (const output of outputNames) {
    if (!enabled[output]) continue;
    const files = byOutput.get(output) ?? [];
    const layout = ruleLayout[output];
    if (layout) {
      const written = { alerts: new Map<string, string[]>(), records: new Map<string, string[]>() };
      for (const artifact of files.filter((a) => schemaKind(a.schema) === layout.schema)) {
        for (const group of layout.groups(documentOf(artifact))) {
          for (const rule of asList(asRecord(group).rules).map(asRecord)) {
            const [map, key] =
              typeof rule.alert === "string"
                ? [written.alerts, rule.alert]
                : [
                    written.records,
                    seriesText(String(rule.record), asRecord(rule.labels) as Record<string, string>),
                  ];
            map.set(key, [...(map.get(key) ?? []), artifact.path]);
          }
        }
      }
      const groupOf = (kind: RuleGroupModel["kind"], name: string) =>
        model.ruleGroups.find((g) => g.kind === kind && g.name === name);
      /**
       * Each key (an alert's name, a recorded series) is held once per definition, in its group's file: alerts may
       * share a name (an imported rule file's, one per severity), each held in its own group.
       */
      const expect = (
        definitions: Array<{ subject: string; source: SourceLocation; file: string | undefined }>,
        key: string,
        map: Map<string, string[]>,
      ) => {
        const found = map.get(key) ?? [];
        map.delete(key);
        const files = definitions.map((d) => d.file);
        const sorted = (list: (string | undefined)[]) => [...list].sort().join("\0");
        if (
          files.every((f) => f !== undefined)
            ? sorted(found) === sorted(files)
            : found.length === files.length
        )
          return;
        const where = found.length === 0 ? "none of them holds it" : `it is in ${found.join(", ")}`;
        const times = files.length === 1 ? "once" : `${files.length} times`;
        const inFiles = files.every((f) => f !== undefined) ? ` (in ${[...new Set(files)].join(", ")})` : "";
        report(
          definitions[0]!.subject,
          definitions[0]!.source,
          `the ${output} output should hold it ${times}${inFiles}, but ${where}`,
        );
      };
      type Definition = { subject: string; source: SourceLocation; file: string | undefined };
      const byKey = (map: Map<string, Definition[]>, key: string, definition: Definition) =>
        map.set(key, [...(map.get(key) ?? []), definition]);
      const alerts = new Map<string, Definition[]>();
      for (const alert of model.alerts) {
        const group = groupOf("alerts", alert.group);
        byKey(alerts, alert.name, {
          subject: `alert ${alert.name}`,
          source: alert.source,
          file: group && layout.fileOf(group),
        });
      }
      const records = new Map<string, Definition[]>();
      for (const rule of model.recordingRules) {
        const group = groupOf("recording", rule.group);
        byKey(records, seriesText(rule.record, rule.labels), {
          subject: `recording rule ${rule.record}`,
          source: rule.source,
          file: group && layout.fileOf(group),
        });
      }
      for (const [name, definitions] of alerts) expect(definitions, name, written.alerts);
      for (const [key, definitions] of records) expect(definitions, key, written.records);
      for (const [name, paths] of [...written.alerts, ...written.records])
        for (const path of new Set(paths)) {
          const artifact = files.find((a) => a.path === path)!;
          report(artifact.subject, artifact.source, `${path} holds ${name}, which no definition has`);
        }
    }
    if (output === "kubernetes") checkKubernetesFiles(model, artifacts, files, report);
  }
  return out;
}

/** The text a dashboard resource carries: a sidecar ConfigMap's file, or a GrafanaDashboard's json or gzipJson. */
function dashboardText(doc: unknown): string | undefined {
  const record = asRecord(doc);
  const data = Object.values(asRecord(record.data));
  if (record.kind === "ConfigMap") return data.length === 1 ? String(data[0]) : undefined;
  const spec = asRecord(record.spec);
  if (typeof spec.json === "string") return spec.json;
  if (typeof spec.gzipJson === "string") {
    try {
      return gunzipSync(Buffer.from(spec.gzipJson, "base64")).toString("utf8");
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function checkKubernetesFiles(
  model: Model,
  artifacts: Artifact[],
  files: Artifact[],
  report: (subject: string, source: SourceLocation, message: string) => void,
): void {
  const at = (path: string) => files.find((a) => a.path === path);
  const base = (schema: string) =>
    artifacts.find((a) => a.schema === schema && outputOf(a.path) === undefined);
  const carries = (what: Artifact | undefined, path: string, text: (doc: unknown) => string | undefined) => {
    if (!what) return;
    const resource = at(path);
    if (!resource)
      return report(
        what.subject,
        what.source,
        `${path}, which carries ${what.path} to Kubernetes, is not written`,
      );
    if (text(documentOf(resource)) !== what.content)
      report(what.subject, what.source, `${path} does not carry ${what.path} as it is written`);
  };
  for (const dashboard of model.dashboards)
    carries(
      artifacts.find((a) => a.path === dashboardPath(dashboard)),
      dashboardResourcePath(dashboard),
      dashboardText,
    );
  carries(base("grafana-datasources"), datasourceResourcePath, (doc) => {
    const data = Object.values(asRecord(asRecord(doc).data));
    return data.length === 1 ? String(data[0]) : undefined;
  });
  carries(base("alertmanager-config"), alertmanagerSecretPath, (doc) =>
    String(asRecord(asRecord(doc).stringData)["alertmanager.yaml"]),
  );

  const kustomization = at(kustomizationPath);
  const resources = files
    .filter((a) => a.path !== kustomizationPath)
    .map((a) => posix.relative(kubernetesDir, a.path));
  if (!kustomization) {
    if (resources.length)
      report("kustomization.yaml", { file: "src/config.ts", line: 1 }, `${kustomizationPath} is not written`);
    return;
  }
  const listed = asList(asRecord(documentOf(kustomization)).resources).map(String);
  for (const file of resources)
    if (!listed.includes(file))
      report(
        kustomization.subject,
        kustomization.source,
        `${kustomizationPath} does not list ${file}, so kubectl apply -k would not apply it`,
      );
  for (const entry of listed)
    if (!resources.includes(entry) || listed.indexOf(entry) !== listed.lastIndexOf(entry))
      report(
        kustomization.subject,
        kustomization.source,
        `${kustomizationPath} lists ${entry}, which is not once among the files of ${outputFolders.kubernetes}/`,
      );
}
