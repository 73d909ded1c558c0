import { describe, expect, it } from "vitest";
import { uniqueAlertName } from "../../../src/engine/check/checks/alerts/unique-name.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import { formatDiagnostic } from "../../../src/engine/diagnostics.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";

const base = compile(project).model;
const [phoenix, ecto] = base.alerts;
const run = (model: Model) => checkModel(model, [uniqueAlertName]);
const thisFile = "test/checks/alerts/unique-name.test.ts";

const bad = [
  {
    name: "two definitions of one alert in one group",
    model: () => compile(projectWith([variantAlert({}), variantAlert({ summary: "Again." })])).model,
    message: `alert name PhoenixHigh5xxErrorRate is already used at ${thisFile}:`,
    subject: "alert PhoenixHigh5xxErrorRate",
    count: 1,
  },
  {
    name: "a name reused by an alert in another group",
    model: (): Model => ({ ...base, alerts: [...base.alerts, { ...ecto!, name: phoenix!.name, group: "ecto-alerts" }] }),
    message: "alert name PhoenixHigh5xxErrorRate is already used at src/alerts/phoenix.ts:",
    subject: "alert PhoenixHigh5xxErrorRate",
    count: 1,
  },
  {
    name: "three alerts with one name (each repeat reported against the first)",
    model: (): Model => ({ ...base, alerts: [phoenix!, { ...ecto!, name: phoenix!.name }, { ...ecto!, name: phoenix!.name }] }),
    message: "alert name PhoenixHigh5xxErrorRate is already used at src/alerts/phoenix.ts:12",
    subject: "alert PhoenixHigh5xxErrorRate",
    count: 2,
  },
];

const good = [
  { name: "the real project", model: () => base },
  {
    name: "two variants with different names",
    model: () => compile(projectWith([variantAlert({}), variantAlert({ name: "PhoenixHigh5xxErrorRateSustained" })])).model,
  },
  {
    name: "an alert renamed rather than copied",
    model: (): Model => ({ ...base, alerts: base.alerts.map((a) => (a === phoenix ? { ...a, name: "PhoenixServerErrors" } : a)) }),
  },
];

describe("alerts/unique-name", () => {
  it.each(bad)("flags $name", ({ model, message, subject, count }) => {
    const found = run(model());
    expect(found, found.map(formatDiagnostic).join("\n")).toHaveLength(count);
    for (const diagnostic of found) {
      expect(diagnostic).toMatchObject({ check: "alerts/unique-name", severity: "error", subject });
      expect(diagnostic.message).toContain(message);
    }
  });

  it.each(good)("accepts $name", ({ model }) => {
    const found = run(model());
    expect(found, found.map(formatDiagnostic).join("\n")).toEqual([]);
  });
});
