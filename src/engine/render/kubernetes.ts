/**
 * build/kubernetes/: the same model as resources a cluster applies (`kubectl apply -k`, Argo CD, Flux): a
 * PrometheusRule per rule group file (Prometheus Operator), the dashboards as ConfigMaps for the Grafana chart's
 * sidecar or as grafana-operator's GrafanaDashboards, the datasource as a sidecar ConfigMap, Alertmanager's
 * configuration as the Secret the operator reads, and a kustomization.yaml listing them all. The rule groups
 * come from the Prometheus renderer and the files' contents from the other renderers: nothing is rendered twice.
 */
import { posix } from "node:path";
import { gzipSync } from "node:zlib";
import type { KubernetesOutput } from "../define/outputs.ts";
import { outputFolders } from "../define/outputs.ts";
import type { DashboardModel, Model, RuleGroupModel } from "../model.ts";
import { safeNamePattern } from "../check/path-names.ts";
import { yamlArtifact, type Artifact } from "./artifact.ts";
import { dashboardPath } from "./grafana.ts";
import { renderedGroup, ruleFilePath, rulesDir } from "./prometheus.ts";

export const kubernetesDir = outputFolders.kubernetes;
export const kustomizationPath = `${kubernetesDir}/kustomization.yaml`;

/** `kubectl apply` (client-side) keeps the whole object in an annotation, and annotations hold 262,144 bytes in all. */
export const clientSideApplyLimit = 262_144;
/** The Prometheus Operator packs rules into ConfigMaps of at most this many bytes (about 0.5 MiB). */
export const prometheusRuleLimit = 524_288;

/** The file of a rule group's PrometheusRule, beside its Prometheus rule file's layout. */
export const prometheusRulePath = (group: Pick<RuleGroupModel, "name" | "kind">) =>
  `${kubernetesDir}/prometheusrules/${posix.relative(rulesDir, ruleFilePath(group))}`;
export const dashboardResourcePath = (dashboard: Pick<DashboardModel, "uid">) =>
  `${kubernetesDir}/dashboards/${dashboard.uid}.yaml`;
export const datasourceResourcePath = `${kubernetesDir}/grafana-datasource.yaml`;
export const alertmanagerSecretPath = `${kubernetesDir}/alertmanager-secret.yaml`;

const metadata = (output: KubernetesOutput, name: string, extra: Record<string, string> = {}) => ({
  name,
  namespace: output.namespace,
  labels: { ...output.labels, ...extra },
});

function prometheusRule(model: Model, output: KubernetesOutput, group: RuleGroupModel): Artifact {
  const rendered = renderedGroup(model, group);
  const spec =
    output.ruler === "thanos" && output.partialResponseStrategy
      ? { ...rendered.group, partial_response_strategy: output.partialResponseStrategy }
      : rendered.group;
  return yamlArtifact(
    {
      path: prometheusRulePath(group),
      schema: "kubernetes-prometheusrule",
      subject: `rule group ${group.name}`,
      source: { file: group.file, line: group.line ?? 1 },
      locations: rendered.owners.map(({ subject, source }, index) => ({
        pointer: `/spec/groups/0/rules/${index}`,
        subject,
        source,
      })),
    },
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: metadata(output, rendered.group.name),
      spec: { groups: [spec] },
    },
    group.file,
  );
}

/** gzip whose bytes do not depend on the machine: the header's OS byte (which zlib sets per platform) says "unknown". */
export function portableGzipBase64(text: string): string {
  const bytes = gzipSync(Buffer.from(text, "utf8"), { level: 9 });
  bytes[9] = 255;
  return bytes.toString("base64");
}

function dashboardResource(
  model: Model,
  output: KubernetesOutput,
  dashboard: DashboardModel,
  json: string,
): Artifact {
  const fields = {
    path: dashboardResourcePath(dashboard),
    subject: `dashboard ${dashboard.uid} "${dashboard.title}"`,
    source: dashboard.source,
  };
  const folder = model.settings.grafana.folder;
  if (output.dashboards === "grafana-operator") {
    // One content source: the JSON as it is, unless the resource would be too large to apply, then compressed.
    const content =
      Buffer.byteLength(json, "utf8") < clientSideApplyLimit / 2
        ? { json }
        : { gzipJson: portableGzipBase64(json) };
    return yamlArtifact(
      { ...fields, schema: "kubernetes-grafanadashboard" },
      {
        apiVersion: "grafana.integreatly.org/v1beta1",
        kind: "GrafanaDashboard",
        metadata: metadata(output, dashboard.uid),
        spec: {
          instanceSelector: { matchLabels: { ...output.grafanaOperator.instanceLabels } },
          folder,
          ...content,
        },
      },
      dashboard.source.file,
    );
  }
  return yamlArtifact(
    { ...fields, schema: "kubernetes-configmap" },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        ...metadata(output, `grafana-dashboard-${dashboard.uid}`, { [output.sidecar.dashboardLabel]: "1" }),
        // The sidecar writes the file into this folder; the chart's provider (foldersFromFilesStructure) makes it Grafana's folder.
        annotations: { [output.sidecar.folderAnnotation]: folder },
      },
      data: { [posix.basename(dashboardPath(dashboard))]: json },
    },
    dashboard.source.file,
  );
}

/** A datasource uid may hold what a resource name cannot (uppercase, `_`): lowercased, those become `-`. */
const asResourceName = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 200) || "default";

function datasourceResource(model: Model, output: KubernetesOutput, provisioning: Artifact): Artifact {
  return yamlArtifact(
    {
      path: datasourceResourcePath,
      schema: "kubernetes-configmap",
      subject: `datasource ${model.settings.datasource.uid}`,
      source: { file: "src/config.ts", line: 1 },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(output, `grafana-datasource-${asResourceName(model.settings.datasource.uid)}`, {
        [output.sidecar.datasourceLabel]: "1",
      }),
      data: { [posix.basename(provisioning.path)]: provisioning.content },
    },
    "src/config.ts",
  );
}

/** Alertmanager's configuration, which holds no secret (receivers read theirs from mounted files). */
function alertmanagerSecret(output: KubernetesOutput, config: Artifact): Artifact {
  return yamlArtifact(
    {
      path: alertmanagerSecretPath,
      schema: "kubernetes-secret",
      subject: config.subject,
      source: config.source,
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(output, output.alertmanagerSecret),
      type: "Opaque",
      stringData: { "alertmanager.yaml": config.content },
    },
    config.source.file,
  );
}

function kustomization(resources: Artifact[]): Artifact {
  return yamlArtifact(
    {
      path: kustomizationPath,
      schema: "kustomization",
      subject: "kustomization.yaml",
      source: { file: "src/config.ts", line: 1 },
    },
    {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: resources.map((r) => posix.relative(kubernetesDir, r.path)).sort(),
    },
    "src/config.ts",
  );
}

/** build/kubernetes/, from the model and the files the other renderers wrote (`base`). */
export function renderKubernetes(model: Model, output: KubernetesOutput, base: Artifact[]): Artifact[] {
  const contentOf = (path: string) => base.find((a) => a.path === path);
  // A name that is no file name is names/path-safe-name's error already: no resource, and no second report of it.
  const resources: Artifact[] = model.ruleGroups
    .filter((group) => safeNamePattern.test(group.name))
    .map((group) => prometheusRule(model, output, group));
  for (const dashboard of model.dashboards) {
    if (!safeNamePattern.test(dashboard.uid)) continue;
    const file = contentOf(dashboardPath(dashboard));
    if (file) resources.push(dashboardResource(model, output, dashboard, file.content));
  }
  // Found by what they are: the Grafana and Alertmanager renderers own their paths.
  const datasource = base.find((a) => a.schema === "grafana-datasources");
  if (datasource) resources.push(datasourceResource(model, output, datasource));
  const alertmanager = base.find((a) => a.schema === "alertmanager-config");
  if (alertmanager) resources.push(alertmanagerSecret(output, alertmanager));
  return [...resources, kustomization(resources)];
}
