/**
 * build/kubernetes/: resources rendered from the same model as the Prometheus, Grafana and Alertmanager files,
 * each valid against its schema (converted from the pinned CRDs), and a folder Debian's kubectl renders with
 * `kubectl kustomize` (no cluster needed).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { KubernetesOutput } from "../../src/engine/define/outputs.ts";
import { emit } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { validateArtifacts } from "../../src/engine/validate/schemas.ts";
import { project } from "../../src/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-kubernetes-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const real = project.settings.outputs!.kubernetes!;
const withKubernetes = (changes: Partial<KubernetesOutput>) =>
  compile({
    ...project,
    settings: { ...project.settings, outputs: { kubernetes: { ...real, ...changes } } },
  });

const built = compile(project);
const file = (artifacts: Artifact[], p: string) => {
  const found = artifacts.find((a) => a.path === p);
  if (!found) throw new Error(`no ${p} among ${artifacts.map((a) => a.path).join(", ")}`);
  return found;
};
const doc = (artifacts: Artifact[], p: string) => parse(file(artifacts, p).content) as Record<string, any>;
const underKubernetes = (artifacts: Artifact[]) => artifacts.filter((a) => a.path.startsWith("kubernetes/"));

/** kubectl from PATH (Debian's kubernetes-client, or any other); the test fails, never skips, without it. */
function kubectl(args: string[]) {
  const run = spawnSync("kubectl", args, { encoding: "utf8" });
  if (run.error)
    throw new Error(
      `this test needs kubectl on PATH (Debian: apt-get install kubernetes-client): ${run.error.message}`,
    );
  return run;
}

describe("build/kubernetes", () => {
  it("has one PrometheusRule per rule group file, holding exactly the group of its Prometheus rule file", () => {
    const { model, artifacts } = built;
    expect(built.ok, built.diagnostics.map((d) => d.message).join("\n")).toBe(true);
    const rules = underKubernetes(artifacts).filter((a) => a.schema === "kubernetes-prometheusrule");
    expect(rules).toHaveLength(model.ruleGroups.length);
    for (const group of model.ruleGroups) {
      const stem = group.name.replace(/-(alerts|recording)$/, "");
      const resource = doc(artifacts, `kubernetes/prometheusrules/${group.kind}/${stem}.yaml`);
      const prometheus = doc(artifacts, `prometheus/rules/${group.kind}/${stem}.yaml`);
      expect(resource.apiVersion).toBe("monitoring.coreos.com/v1");
      expect(resource.kind).toBe("PrometheusRule");
      expect(resource.metadata).toEqual({
        name: prometheus.groups[0].name,
        namespace: real.namespace,
        labels: real.labels,
      });
      expect(resource.spec.groups).toEqual(prometheus.groups);
    }
  });

  it("has each dashboard as a sidecar ConfigMap carrying the dashboard file's bytes, with the folder annotation", () => {
    const { model, artifacts } = built;
    for (const dashboard of model.dashboards) {
      const resource = doc(artifacts, `kubernetes/dashboards/${dashboard.uid}.yaml`);
      expect(resource.kind).toBe("ConfigMap");
      expect(resource.metadata.labels).toEqual({ ...real.labels, [real.sidecar.dashboardLabel]: "1" });
      expect(resource.metadata.annotations).toEqual({
        [real.sidecar.folderAnnotation]: model.settings.grafana.folder,
      });
      expect(resource.data).toEqual({
        [`${dashboard.uid}.json`]: file(artifacts, `grafana/dashboards/${dashboard.uid}.json`).content,
      });
    }
  });

  it("has the datasource as a sidecar ConfigMap and Alertmanager's configuration as the operator's Secret", () => {
    const { artifacts } = built;
    const datasource = doc(artifacts, "kubernetes/grafana-datasource.yaml");
    expect(datasource.metadata.labels[real.sidecar.datasourceLabel]).toBe("1");
    expect(Object.values(datasource.data)).toEqual([
      file(artifacts, "grafana/provisioning/datasources/prometheus.yaml").content,
    ]);
    const secret = doc(artifacts, "kubernetes/alertmanager-secret.yaml");
    expect(secret.kind).toBe("Secret");
    expect(secret.metadata.name).toBe(real.alertmanagerSecret);
    expect(secret.stringData).toEqual({
      "alertmanager.yaml": file(artifacts, "alertmanager/alertmanager.yml").content,
    });
  });

  it("lists every resource in kustomization.yaml", () => {
    const resources = underKubernetes(built.artifacts)
      .map((a) => a.path.slice("kubernetes/".length))
      .filter((p) => p !== "kustomization.yaml")
      .sort();
    expect(doc(built.artifacts, "kubernetes/kustomization.yaml").resources).toEqual(resources);
  });

  it("renders with kubectl kustomize, every resource once, as written", () => {
    const out = path.join(temp, "build");
    emit(out, built.artifacts);
    const run = kubectl(["kustomize", path.join(out, "kubernetes")]);
    expect(run.status, run.stderr).toBe(0);
    const rendered = parseAllDocuments(run.stdout).map((d) => d.toJS() as Record<string, any>);
    const resources = underKubernetes(built.artifacts).filter((a) => a.schema !== "kustomization");
    const key = (r: Record<string, any>) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
    expect(rendered.map(key).sort()).toEqual(resources.map((a) => key(parse(a.content))).sort());
    for (const resource of resources) {
      const written = parse(resource.content) as Record<string, any>;
      expect(rendered.find((r) => key(r) === key(written))).toEqual(written);
    }
  });

  it("as grafana-operator's GrafanaDashboards: instanceSelector, folder and the dashboard's JSON, valid against the CRD", () => {
    const result = withKubernetes({ dashboards: "grafana-operator" });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const dashboard of result.model.dashboards) {
      const resource = doc(result.artifacts, `kubernetes/dashboards/${dashboard.uid}.yaml`);
      expect(resource.apiVersion).toBe("grafana.integreatly.org/v1beta1");
      expect(resource.kind).toBe("GrafanaDashboard");
      expect(resource.spec.instanceSelector).toEqual({ matchLabels: real.grafanaOperator.instanceLabels });
      expect(resource.spec.folder).toBe(result.model.settings.grafana.folder);
      const json =
        resource.spec.json ?? gunzipSync(Buffer.from(resource.spec.gzipJson, "base64")).toString("utf8");
      expect(json).toBe(file(result.artifacts, `grafana/dashboards/${dashboard.uid}.json`).content);
    }
  });

  it("for Thanos Ruler: partial_response_strategy on every group", () => {
    const result = withKubernetes({
      ruler: "thanos",
      rulerVersion: "0.36.0",
      partialResponseStrategy: "warn",
    });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const rules = underKubernetes(result.artifacts).filter((a) => a.schema === "kubernetes-prometheusrule");
    for (const rule of rules)
      expect(parse(rule.content).spec.groups[0].partial_response_strategy).toBe("warn");
  });

  it.each([
    ["a label value with spaces", { release: "kube prometheus stack" }],
    // A computed key (or JSON) makes "__proto__" a key of its own: it must reach the check, not set a prototype.
    ["a label key __proto__", Object.fromEntries([["__proto__", "x"]]) as Record<string, string>],
  ])(
    "a setting Kubernetes refuses (%s) is one error at the setting, nothing rendered for Kubernetes, nothing written",
    (_, labels) => {
      const result = withKubernetes({ labels });
      expect(result.ok).toBe(false);
      expect(result.artifacts).toEqual([]);
      expect(
        result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.check} ${d.source.file}`),
      ).toEqual(["targets/kubernetes-resource src/config.ts"]);
    },
  );
});

describe("the Kubernetes schemas", () => {
  /** A resource of the real build with `change` applied to its document, as an artifact to validate. */
  const changed = (p: string, change: (d: Record<string, any>) => void): Artifact => {
    const original = file(built.artifacts, p);
    const document = parse(original.content) as Record<string, any>;
    change(document);
    return { ...original, content: stringify(document) };
  };
  const operator = withKubernetes({ dashboards: "grafana-operator" }).artifacts;
  const dashboardPath = underKubernetes(operator).find(
    (a) => a.schema === "kubernetes-grafanadashboard",
  )!.path;
  const changedDashboard = (change: (d: Record<string, any>) => void): Artifact => {
    const original = file(operator, dashboardPath);
    const document = parse(original.content) as Record<string, any>;
    change(document);
    return { ...original, content: stringify(document) };
  };
  const rule = "kubernetes/prometheusrules/alerts/scrape.yaml";

  it("accept every resource of the real build", () => {
    expect(validateArtifacts(underKubernetes(built.artifacts))).toEqual([]);
    expect(validateArtifacts(underKubernetes(operator))).toEqual([]);
  });

  it.each([
    ["a misspelt rule field", rule, (d: any) => (d.spec.groups[0].rules[0].fro = "5m"), /fro/],
    [
      "a Thanos strategy that does not exist",
      rule,
      (d: any) => (d.spec.groups[0].partial_response_strategy = "maybe"),
      /pattern/,
    ],
    [
      "a group interval that is not a duration",
      rule,
      (d: any) => (d.spec.groups[0].interval = "30 s"),
      /pattern/,
    ],
    ["a rule without expr", rule, (d: any) => delete d.spec.groups[0].rules[0].expr, /expr/],
    ["a resource name with an underscore", rule, (d: any) => (d.metadata.name = "global_sovereign"), /name/],
    [
      "a label value of 64 characters",
      rule,
      (d: any) => (d.metadata.labels.release = "r".repeat(64)),
      /labels/,
    ],
    [
      "a ConfigMap data key with a slash",
      "kubernetes/grafana-datasource.yaml",
      (d: any) => (d.data = { "a/b.yaml": "x" }),
      /data/,
    ],
  ])("reject %s", (_name, p, change, expected) => {
    const found = validateArtifacts([changed(p, change)]);
    expect(found.length, JSON.stringify(found)).toBeGreaterThan(0);
    expect(found.map((d) => d.message).join("\n")).toMatch(expected);
  });

  it.each([
    ["folder together with folderUID", (d: any) => (d.spec.folderUID = "abc")],
    ["no instanceSelector", (d: any) => delete d.spec.instanceSelector],
    ["a uid longer than 40", (d: any) => (d.spec.uid = "u".repeat(41))],
    ["a resync period that is not a duration", (d: any) => (d.spec.resyncPeriod = "ten minutes")],
  ])("reject a GrafanaDashboard with %s", (_name, change) => {
    expect(validateArtifacts([changedDashboard(change)]).length).toBeGreaterThan(0);
  });
});
