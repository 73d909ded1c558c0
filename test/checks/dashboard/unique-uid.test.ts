import { describe, expect, it } from "vitest";
import { uniqueUid } from "../../../src/engine/check/checks/dashboard/unique-uid.ts";
import { checkModel } from "../../../src/engine/check/run.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = compile(project).model;
const phoenix = model.dashboards.find((d) => d.uid === "gs-phoenix-metrics")!;

const bad: Array<{ name: string; model: () => Model; findings: Array<{ subject: string; message: RegExp }> }> = [
  {
    name: "two new dashboards with one uid",
    model: () => compileWith([testDashboard("dup").withPanel(goodPanel(1)), testDashboard("dup").withPanel(goodPanel(1))]).model,
    findings: [{ subject: 'dashboard dup "Test dup"', message: /^uid "dup" is already used by "Test dup" \(test\/checks\/dashboard\/unique-uid\.test\.ts:\d+\)$/ }],
  },
  {
    name: "a copy of a real dashboard under a new title",
    model: () => ({ ...model, dashboards: [...model.dashboards, { ...phoenix, title: "Phoenix (copy)" }] }),
    findings: [
      {
        subject: 'dashboard gs-phoenix-metrics "Phoenix (copy)"',
        message: /^uid "gs-phoenix-metrics" is already used by "Phoenix Metrics" \(src\/dashboards\/phoenix-metrics\.ts:\d+\)$/,
      },
    ],
  },
  {
    name: "three dashboards with one uid (each repeat is reported, against the first)",
    model: () => compileWith([testDashboard("x"), testDashboard("y"), testDashboard("x"), testDashboard("x")]).model,
    findings: [
      { subject: 'dashboard x "Test x"', message: /^uid "x" is already used by "Test x"/ },
      { subject: 'dashboard x "Test x"', message: /^uid "x" is already used by "Test x"/ },
    ],
  },
];

const good: Array<{ name: string; model: () => Model }> = [
  { name: "the real project's five dashboards", model: () => model },
  { name: "new dashboards with their own uids", model: () => compileWith([testDashboard("a").withPanel(goodPanel(1)), testDashboard("b").withPanel(goodPanel(1))]).model },
  // Uids are per dashboard; one title used twice is confusing but not this check's concern.
  { name: "two uids with the same title", model: () => ({ ...model, dashboards: [...model.dashboards, { ...phoenix, uid: "gs-phoenix-metrics-2" }] }) },
];

describe("dashboard/unique-uid", () => {
  it.each(bad)("flags $name", ({ model: variant, findings }) => {
    const found = checkModel(variant(), [uniqueUid]);
    expect(found).toHaveLength(findings.length);
    for (const [index, expected] of findings.entries()) {
      const d = found[index]!;
      expect(d.check).toBe("dashboard/unique-uid");
      expect(d.severity).toBe("error");
      expect(d.subject).toBe(expected.subject);
      expect(d.message).toMatch(expected.message);
      expect(d.fix).toBeTruthy();
      expect(d.position).toBeUndefined();
    }
  });

  it.each(good)("accepts $name", ({ model: variant }) => {
    expect(checkModel(variant(), [uniqueUid])).toEqual([]);
  });

  it("points at the repeated dashboard, not the first", () => {
    const [d] = checkModel({ ...model, dashboards: [...model.dashboards, { ...phoenix, source: { file: "src/dashboards/copy.ts", line: 7 } }] }, [uniqueUid]);
    expect(d!.source).toEqual({ file: "src/dashboards/copy.ts", line: 7 });
  });
});
