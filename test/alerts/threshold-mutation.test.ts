import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emit } from "../../src/engine/emit/emit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
import { project } from "../../src/project.ts";
import type { AlertModel } from "../../src/engine/model.ts";
import { run } from "../helpers/tools.ts";

const { model } = compile(project);
const temp = mkdtempSync(path.join(tmpdir(), "o11y-mutation-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const firesWhenHigher = (alert: AlertModel) => alert.threshold.op.startsWith(">");

/**
 * Moves one alert's threshold by 10% (`loosen`: so it fires less) and runs its promtool tests, which must
 * then fail. Whole counts move by at least one: ">= 2.7 regions" means the same as ">= 3".
 */
function testsWithThreshold(
  alert: AlertModel,
  loosen: boolean,
  which: "threshold" | "trafficGuard" = "threshold",
) {
  const { op, value, unit } = alert[which]!;
  const step = unit === "count" ? Math.max(value * 0.1, 1) : value * 0.1;
  const moved = firesWhenHigher(alert) === loosen ? value + step : value - step;
  const written = `${op} ${value}`;
  const at = which === "threshold" ? alert.expr.lastIndexOf(written) : alert.expr.indexOf(written);
  expect(at, `${alert.name}'s expression ends with ${written}`).toBeGreaterThan(0);
  // Every comparison with it: a multiwindow alert (an SLO's) compares each of its two windows with the same factor.
  const mutated = { ...alert, expr: alert.expr.replaceAll(written, `${op} ${moved}`) };
  const dir = mkdtempSync(path.join(temp, `${alert.name}-`));
  emit(dir, renderPrometheus({ ...model, alerts: model.alerts.map((a) => (a === alert ? mutated : a)) }));
  const group = model.ruleGroups.find((g) => g.name === alert.group)!;
  const testFile = `prometheus/tests/alerts/${group.name.replace(/-alerts$/, "")}.test.yaml`;
  return run("promtool", ["test", "rules", testFile], dir);
}

// A bool threshold has no 10%: up < 1 and up < 0.9 select the same samples.
const continuous = model.alerts.filter((a) => a.threshold.unit !== "bool");

describe("every alert's tests sit at its threshold", () => {
  it("covers every alert but the bool ones", () => {
    // MetricsEndpointDown (up < 1) and AlertInputMetricMissing (present < 1).
    expect(model.alerts.length - continuous.length).toBe(2);
    writeFileSync(path.join(temp, "ok"), "");
  });

  it.each(continuous.map((a) => [a.name, a]))(
    "%s: loosening the threshold by 10% fails a firing case",
    (_name, alert) => {
      const { code, output } = testsWithThreshold(alert, true);
      expect(code).toBe(1);
      expect(output).toContain(`alertname: ${alert.name}`);
    },
  );

  it.each(continuous.map((a) => [a.name, a]))(
    "%s: tightening the threshold by 10% fails a silent case",
    (_name, alert) => {
      const { code, output } = testsWithThreshold(alert, false);
      expect(code).toBe(1);
      expect(output).toContain("FAILED");
    },
  );
});

// A traffic guard is a threshold too: moved by 10%, the case just at it or the one just short of it fails.
const guarded = model.alerts.filter((a) => a.trafficGuard);

describe("every traffic guard's tests sit at the guard", () => {
  it("covers the ratio alerts", () => {
    expect(guarded.length).toBeGreaterThan(0);
  });

  it.each(guarded.map((a) => [a.name, a]))(
    "%s: asking for 10% more traffic fails a firing case",
    (_name, alert) => {
      const { code, output } = testsWithThreshold(alert, true, "trafficGuard");
      expect(code).toBe(1);
      expect(output).toContain(`alertname: ${alert.name}`);
    },
  );

  it.each(guarded.map((a) => [a.name, a]))(
    "%s: asking for 10% less traffic fails a silent case",
    (_name, alert) => {
      const { code, output } = testsWithThreshold(alert, false, "trafficGuard");
      expect(code).toBe(1);
      expect(output).toContain("FAILED");
    },
  );
});
