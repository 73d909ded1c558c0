/** build/mimir/ and build/victoriametrics/: the same groups as the Prometheus rule files, in each engine's format. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { emit } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { validateArtifacts } from "../../src/engine/validate/schemas.ts";
import { project } from "../../src/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-outputs-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const built = compile(project);
const file = (p: string) => built.artifacts.find((a) => a.path === p)!;
const doc = (p: string) => parse(file(p).content) as Record<string, any>;
const prometheusGroups = built.model.ruleGroups.map(
  (g) => doc(`prometheus/rules/${g.kind}/${g.name.replace(/-(alerts|recording)$/, "")}.yaml`).groups[0],
);

describe("build/mimir", () => {
  it("is one namespace file for mimirtool: namespace and groups only, the groups as Prometheus's, in order", () => {
    const mimir = doc("mimir/rules.yaml");
    expect(Object.keys(mimir)).toEqual(["namespace", "groups"]);
    expect(mimir.namespace).toBe(project.settings.outputs!.mimir!.namespace);
    expect(mimir.groups).toEqual(prometheusGroups);
  });

  it("takes its namespace from the setting, and its schema refuses a field mimirtool would", () => {
    const renamed = compile({
      ...project,
      settings: { ...project.settings, outputs: { mimir: { namespace: "team-a" } } },
    });
    expect(parse(renamed.artifacts.find((a) => a.path === "mimir/rules.yaml")!.content).namespace).toBe(
      "team-a",
    );
    expect(renamed.artifacts.some((a) => a.path.startsWith("kubernetes/"))).toBe(false);
    const extra: Artifact = {
      ...file("mimir/rules.yaml"),
      content: stringify({ ...doc("mimir/rules.yaml"), filepath: "x" }),
    };
    expect(validateArtifacts([extra]).map((d) => d.check)).toEqual(["schema/mimir-rules"]);
  });
});

describe("build/victoriametrics", () => {
  it("has vmalert's rule files, each the group of its Prometheus rule file", () => {
    built.model.ruleGroups.forEach((g, i) => {
      const stem = g.name.replace(/-(alerts|recording)$/, "");
      expect(doc(`victoriametrics/rules/${g.kind}/${stem}.yaml`).groups).toEqual([prometheusGroups[i]]);
    });
  });

  it("has a scrape configuration vmagent accepts, where prometheus.yml is refused", () => {
    const out = path.join(temp, "build");
    emit(out, built.artifacts);
    const check = (config: string) =>
      spawnSync(
        "vmagent",
        ["-dryRun", `-promscrape.config=${path.join(out, config)}`, "-loggerLevel=ERROR"],
        {
          encoding: "utf8",
        },
      );
    const accepted = check("victoriametrics/vmagent.yml");
    if (accepted.error)
      throw new Error("this test needs vmagent on PATH (Debian: apt-get install victoria-metrics)");
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(doc("victoriametrics/vmagent.yml").scrape_configs).toEqual(
      doc("prometheus/prometheus.yml").scrape_configs,
    );
    const refused = check("prometheus/prometheus.yml");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/field (rule_files|alerting) not found/);
  });
});

describe("no outputs", () => {
  it("builds only the Prometheus, Grafana and Alertmanager files", () => {
    const { outputs: _outputs, ...settings } = project.settings;
    const plain = compile({ ...project, settings });
    expect(plain.ok).toBe(true);
    expect(plain.artifacts.filter((a) => /^(kubernetes|mimir|victoriametrics)\//.test(a.path))).toEqual([]);
  });
});
