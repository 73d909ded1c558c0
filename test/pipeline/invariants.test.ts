/**
 * A future renderer bug of the kind that once dropped an alert (two groups on one file) must fail the build.
 * Here the Prometheus renderer is wrapped to lose the last rule of one file, as such a bug would: compile()
 * must report it at the alert's definition, write nothing, and not throw.
 */
import { describe, expect, it, vi } from "vitest";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { ruleGroup } from "../../src/engine/define/alerting.ts";
import { project as realProject } from "../../src/project.ts";
import { variantAlert } from "../helpers/alerts.ts";

const lossy = vi.hoisted(() => ({ on: false }));

vi.mock("../../src/engine/render/prometheus.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/engine/render/prometheus.ts")>();
  return {
    ...original,
    renderPrometheus: (model: Parameters<typeof original.renderPrometheus>[0]) =>
      original.renderPrometheus(model).map((artifact) => {
        if (!lossy.on || !artifact.path.endsWith("/alerts/test.yaml")) return artifact;
        const cut = artifact.content.lastIndexOf("      - alert: ");
        return { ...artifact, content: artifact.content.slice(0, cut) };
      }),
  };
});

describe("compile() with a renderer that drops an alert", () => {
  it("fails with the dropped alert at its definition, and writes nothing", () => {
    const alerts = [
      variantAlert({ name: "TestFirstErrorRate" }),
      variantAlert({ name: "TestDroppedErrorRate" }),
    ];
    const project = {
      ...realProject,
      alertGroups: [...realProject.alertGroups, ruleGroup("test-alerts", alerts)],
    };
    expect(compile(project).ok).toBe(true);
    lossy.on = true;
    try {
      const result = compile(project);
      expect(result.ok).toBe(false);
      expect(result.artifacts).toEqual([]);
      const found = result.diagnostics.filter((d) => d.check === "build/invariant");
      expect(found.map(formatDiagnostic)).toEqual([
        expect.stringMatching(
          /^test\/pipeline\/invariants\.test\.ts:\d+ error alert TestDroppedErrorRate: the alert rule files about to be written should hold it once \(in prometheus\/rules\/alerts\/test\.yaml\), but it is in none of them \[build\/invariant\]/,
        ),
      ]);
    } finally {
      lossy.on = false;
    }
  });
});
