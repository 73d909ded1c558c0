/** The outputs' invariant catches a renderer that drops, repeats or alters what an output must carry. */
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { checkOutputInvariants } from "../../src/engine/validate/output-invariants.ts";
import { project } from "../../src/project.ts";

const built = compile(project);
const { model } = built;
const rendered = built.artifacts.filter((a) => a.path !== "manifest.json");

/** The build with the document at `path` changed (or the file dropped, when `change` returns undefined). */
function withChange(path: string, change: (doc: any) => unknown): Artifact[] {
  return rendered.flatMap((a) => {
    if (a.path !== path) return [a];
    const next = change(parse(a.content));
    return next === undefined ? [] : [{ ...a, content: stringify(next) }];
  });
}
const messages = (artifacts: Artifact[]) =>
  checkOutputInvariants(model, artifacts).map((d) => `${d.subject}: ${d.message}`);

describe("the outputs' invariant", () => {
  it("holds for the real build", () => {
    expect(checkOutputInvariants(model, rendered)).toEqual([]);
  });

  it("names an alert a PrometheusRule dropped", () => {
    const dropped = withChange("kubernetes/prometheusrules/alerts/scrape.yaml", (d) => {
      d.spec.groups[0].rules = d.spec.groups[0].rules.slice(1);
      return d;
    });
    const first = model.alerts.find((a) => a.group.startsWith("scrape"))!;
    expect(messages(dropped)).toEqual([
      `alert ${first.name}: the kubernetes output should hold it once (in kubernetes/prometheusrules/alerts/scrape.yaml), but none of them holds it`,
    ]);
  });

  it("names a recording rule written twice in Mimir's file", () => {
    const twice = withChange("mimir/rules.yaml", (d) => {
      d.groups.push(d.groups[0]);
      return d;
    });
    expect(messages(twice).length).toBeGreaterThan(0);
    expect(
      messages(twice).every((m) =>
        /^recording rule .*: the mimir output should hold it once \(in mimir\/rules\.yaml\), but it is in mimir\/rules\.yaml, mimir\/rules\.yaml$/.test(
          m,
        ),
      ),
    ).toBe(true);
  });

  it("names a dashboard whose ConfigMap does not carry the dashboard file's bytes", () => {
    const dashboard = model.dashboards[0]!;
    const altered = withChange(`kubernetes/dashboards/${dashboard.uid}.yaml`, (d) => {
      const key = Object.keys(d.data)[0]!;
      d.data[key] = d.data[key].replace(/"title": "[^"]*"/, '"title": "Changed"');
      return d;
    });
    expect(messages(altered)).toEqual([
      `dashboard ${dashboard.uid} "${dashboard.title}": kubernetes/dashboards/${dashboard.uid}.yaml does not carry grafana/dashboards/${dashboard.uid}.json as it is written`,
    ]);
  });

  it("names a resource kustomization.yaml does not list, and an entry with no file", () => {
    const unlisted = withChange("kubernetes/kustomization.yaml", (d) => {
      d.resources = [...d.resources.filter((r: string) => r !== "alertmanager-secret.yaml"), "ghost.yaml"];
      return d;
    });
    expect(messages(unlisted)).toEqual([
      "kustomization.yaml: kubernetes/kustomization.yaml does not list alertmanager-secret.yaml, so kubectl apply -k would not apply it",
      "kustomization.yaml: kubernetes/kustomization.yaml lists ghost.yaml, which is not once among the files of kubernetes/",
    ]);
  });

  it("names a vmalert rule file that is missing", () => {
    const missing = withChange("victoriametrics/rules/alerts/scrape.yaml", () => undefined);
    expect(messages(missing).length).toBe(model.alerts.filter((a) => a.group.startsWith("scrape")).length);
  });

  it("names a file written for an output that is off", () => {
    const off = {
      ...model,
      settings: { ...model.settings, outputs: { kubernetes: model.settings.outputs!.kubernetes } },
    };
    const found = checkOutputInvariants(off, rendered).map((d) => d.message);
    expect(found).toContain("mimir/rules.yaml is written, but the mimir output is off");
  });
});
