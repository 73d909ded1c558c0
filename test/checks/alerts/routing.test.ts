import { describe, expect, it } from "vitest";
import { alertRouting } from "../../../src/engine/check/checks/alerts/routing.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import type { SeverityPolicy } from "../../../src/engine/define/alerting.ts";
import { formatDiagnostic } from "../../../src/engine/diagnostics.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";

const base = compile(project).model;
const run = (model: Model) => checkModel(model, [alertRouting]);

/** The real severity policies with one level's policy changed. */
const edit = (severity: SeverityPolicy["severity"], changes: Partial<SeverityPolicy>): Model => ({
  ...base,
  severities: base.severities.map((p) => (p.severity === severity ? { ...p, ...changes } : p)),
});

const bad = [
  {
    name: "a group_wait longer than the response time",
    model: () => edit("high", { groupWait: "20m" }),
    message: "group_wait 20m delays the first notification past 15m (< 15 min)",
    subject: "severity high",
  },
  {
    name: "a critical page held back for two minutes",
    model: () => edit("critical", { groupWait: "2m" }),
    message: "group_wait 2m delays the first notification past 1m (Immediate)",
    subject: "severity critical",
  },
  { name: "a repeat interval in words", model: () => edit("medium", { repeatInterval: "4 hours" }), message: 'repeatInterval: "4 hours" is not a duration', subject: "severity medium" },
  { name: "a response time that is not a duration", model: () => edit("low", { notifyWithin: "< 4 hours" }), message: 'notifyWithin: "< 4 hours" is not a duration', subject: "severity low" },
  { name: "an empty group interval", model: () => edit("low", { groupInterval: "" }), message: 'groupInterval: "" is not a duration', subject: "severity low" },
];

const good = [
  { name: "the real project", model: () => base },
  { name: "a group_wait exactly at the response time", model: () => edit("critical", { groupWait: "1m" }) },
  { name: "compound durations", model: () => edit("high", { groupWait: "1m30s", notifyWithin: "2m", repeatInterval: "1h30m" }) },
];

describe("alerts/routing", () => {
  it.each(bad)("flags $name", ({ model, message, subject }) => {
    const found = run(model());
    const diagnostic = found.find((d) => d.message.includes(message));
    expect(diagnostic, found.map(formatDiagnostic).join("\n")).toMatchObject({ check: "alerts/routing", severity: "error", subject, source: { file: "src/alerts/severities.ts" } });
  });

  it.each(good)("accepts $name", ({ model }) => {
    const found = run(model());
    expect(found, found.map(formatDiagnostic).join("\n")).toEqual([]);
  });

  it("reports every malformed field of a policy", () => {
    const found = run(edit("medium", { groupWait: "soon", repeatInterval: "daily" }));
    expect(found.map((d) => d.message)).toEqual(['groupWait: "soon" is not a duration', 'repeatInterval: "daily" is not a duration']);
  });

  it("accepts a critical group_wait of 0s", () => {
    expect(run(edit("critical", { groupWait: "0s" }))).toEqual([]);
  });
});
