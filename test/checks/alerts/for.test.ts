import { describe, expect, it } from "vitest";
import { alertFor } from "../../../src/engine/check/checks/alerts/for.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import { formatDiagnostic } from "../../../src/engine/diagnostics.ts";
import type { AlertModel, Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";

const base = compile(project).model;
const phoenix = base.alerts.find((a) => a.name === "PhoenixHigh5xxErrorRate")!;
const run = (model: Model) => checkModel(model, [alertFor]);
const subject = "alert PhoenixHigh5xxErrorRate";

/** The real model with the Phoenix alert changed. */
const edit = (changes: Partial<AlertModel>, model: Model = base): Model => ({
  ...model,
  alerts: model.alerts.map((a) => (a.name === phoenix.name ? { ...a, ...changes } : a)),
});
const absentExpr = 'absent(up{job="global-sovereign"}) == 1';

const bad = [
  { name: "a duration in words", model: () => edit({ for: "5 minutes" }), message: 'for: "5 minutes" is not a Prometheus duration' },
  { name: "an empty for", model: () => edit({ for: "" }), message: 'for: "" is not a Prometheus duration' },
  { name: "a fractional duration", model: () => edit({ for: "1.5m" }), message: 'for: "1.5m" is not a Prometheus duration' },
  { name: "a for shorter than the evaluation interval", model: () => edit({ for: "10s" }), message: "for: 10s is shorter than the evaluation interval 30s, so it means one evaluation" },
  {
    name: "a for shorter than its own group's longer interval",
    model: () => edit({ for: "45s" }, { ...base, ruleGroups: base.ruleGroups.map((g) => (g.name === phoenix.group ? { ...g, interval: "1m" } : g)) }),
    message: "for: 45s is shorter than the evaluation interval 1m",
  },
  { name: "absent() with no for", model: () => edit({ expr: absentExpr, for: "0s" }), message: "absent() without for: fires on the first evaluation after a restart or a missed scrape" },
];

const good = [
  { name: "the real project", model: () => base },
  { name: "no for at all (0s) on a threshold alert", model: () => edit({ for: "0s" }) },
  { name: "a for equal to the evaluation interval", model: () => edit({ for: "30s" }) },
  { name: "a compound duration", model: () => edit({ for: "1h30m" }) },
  { name: "absent() with a for of a few scrapes", model: () => edit({ expr: absentExpr, for: "2m" }) },
];

describe("alerts/for", () => {
  it.each(bad)("flags $name", ({ model, message }) => {
    const found = run(model());
    const diagnostic = found.find((d) => d.message.includes(message));
    expect(diagnostic, found.map(formatDiagnostic).join("\n")).toMatchObject({ check: "alerts/for", severity: "error", subject, source: phoenix.source });
  });

  it.each(good)("accepts $name", ({ model }) => {
    const found = run(model());
    expect(found, found.map(formatDiagnostic).join("\n")).toEqual([]);
  });

  it("flags units out of order, which Prometheus rejects", () => {
    const found = run(edit({ for: "30s5m" }));
    expect(found.some((d) => d.message.includes('for: "30s5m" is not a Prometheus duration'))).toBe(true);
  });
});
