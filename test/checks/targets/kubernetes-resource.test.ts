import { describe, expect, it } from "vitest";
import {
  kubernetesResource,
  kubernetesSizeProblems,
} from "../../../src/engine/check/checks/targets/kubernetes-resource.ts";
import type { KubernetesOutput } from "../../../src/engine/define/outputs.ts";
import type { Model } from "../../../src/engine/model.ts";
import { renderGrafana } from "../../../src/engine/render/grafana.ts";
import { renderKubernetes } from "../../../src/engine/render/kubernetes.ts";
import { documentOf } from "../../../src/engine/validate/output-invariants.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const kubernetes = base.settings.outputs!.kubernetes!;
const withKubernetes = (changes: Partial<KubernetesOutput>): Model => ({
  ...base,
  settings: { ...base.settings, outputs: { kubernetes: { ...kubernetes, ...changes } } },
});
const settingsAt = { file: "src/config.ts", line: 1 };

const bad: BadModel[] = [
  {
    name: "a label value with spaces (a ConfigMap cannot hold it)",
    model: () => withKubernetes({ labels: { release: "kube prometheus stack" } }),
    message: "is not a label value a ConfigMap or any resource can hold",
    messageIs:
      "outputs.kubernetes.labels[\"release\"]: \"kube prometheus stack\" is not a label value a ConfigMap or any resource can hold: a label value is letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    fix: 'change outputs.kubernetes.labels["release"] in src/config.ts',
  },
  {
    name: "a label value of 64 characters",
    model: () => withKubernetes({ labels: { release: "r".repeat(64) } }),
    message: "it is 64 characters long, more than 63",
  },
  {
    name: "an uppercase namespace",
    model: () => withKubernetes({ namespace: "Monitoring" }),
    message: 'outputs.kubernetes.namespace: "Monitoring" is not a namespace',
  },
  {
    name: "a sidecar label key with a space",
    model: () => withKubernetes({ sidecar: { ...kubernetes.sidecar, dashboardLabel: "grafana dashboard" } }),
    message: "outputs.kubernetes.sidecar.dashboardLabel: not a label or annotation key",
  },
  {
    name: "a label key whose prefix is not a DNS subdomain",
    model: () => withKubernetes({ labels: { "Example.com/team": "a" } }),
    message: 'not a label key: its prefix "Example.com" is not a DNS subdomain',
  },
  {
    name: "an Alertmanager Secret name with an underscore",
    model: () => withKubernetes({ alertmanagerSecret: "alertmanager_main" }),
    message: 'outputs.kubernetes.alertmanagerSecret: "alertmanager_main" is not a resource name',
  },
];

const good: GoodModel[] = [
  { name: "the real settings", model: () => base },
  {
    name: "prefixed keys, an empty value and a 63-character value",
    model: () =>
      withKubernetes({ labels: { "app.kubernetes.io/part-of": "o11y", empty: "", long: "v".repeat(63) } }),
  },
  {
    name: "no Kubernetes output",
    model: () => ({ ...base, settings: { ...base.settings, outputs: {} } }),
  },
];

describeModelCheck(
  "targets/kubernetes-resource",
  kubernetesResource,
  {
    severity: "error",
    match: "message",
    expect: { subject: "project settings", source: settingsAt, fix: true },
    bad,
    good,
  },
  () => {
    describe("sizes, after rendering", () => {
      /** The real model with its first dashboard grown past 300 KB (a long description). */
      const large = (dashboards: KubernetesOutput["dashboards"]) => {
        const model = withKubernetes({ dashboards });
        const [first, ...rest] = model.dashboards;
        const grown = { ...first!, json: { ...first!.json, description: "x".repeat(300_000) } };
        const withLarge = { ...model, dashboards: [grown, ...rest] };
        const rendered = renderKubernetes(
          withLarge,
          withLarge.settings.outputs!.kubernetes!,
          renderGrafana(withLarge),
        );
        return { first: grown, problems: kubernetesSizeProblems(rendered, documentOf) };
      };

      it("a dashboard ConfigMap too large for kubectl apply is an error that names the alternatives", () => {
        const { first, problems } = large("configmap");
        expect(problems.map((d) => [d.check, d.subject, d.source])).toEqual([
          ["targets/kubernetes-resource", `dashboard ${first.uid} "${first.title}"`, first.source],
        ]);
        expect(problems[0]!.message).toMatch(
          /^its ConfigMap \(kubernetes\/dashboards\/.*\.yaml\) is \d+ bytes as JSON, more than the 262144 that kubectl apply \(client-side\) can keep/,
        );
        expect(problems[0]!.fix).toContain('outputs.kubernetes.dashboards to "grafana-operator"');
        expect(problems[0]!.fix).toContain("kubectl apply --server-side");
      });

      it("the same dashboard as a GrafanaDashboard is written compressed, and fits", () => {
        expect(large("grafana-operator").problems).toEqual([]);
      });

      it("the real dashboards fit", () => {
        const rendered = renderKubernetes(base, kubernetes, renderGrafana(base));
        expect(kubernetesSizeProblems(rendered, documentOf)).toEqual([]);
      });
    });
  },
);
