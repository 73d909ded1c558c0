import { expect, it } from "vitest";
import { uniqueUid } from "../../../src/engine/check/checks/dashboard/unique-uid.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { goodPanel, testDashboard } from "../../helpers/dashboards.ts";
import { compileWith } from "../../helpers/project.ts";

const model = realModel();
const phoenix = model.dashboards.find((d) => d.uid === "gs-phoenix-metrics")!;

const bad: BadModel[] = [
  {
    name: "two new dashboards with one uid",
    model: () =>
      compileWith([
        testDashboard("dup").withPanel(goodPanel(1)),
        testDashboard("dup").withPanel(goodPanel(1)),
      ]).model,
    findings: [
      {
        subject: 'dashboard dup "Test dup"',
        message:
          /^uid "dup" is already used by "Test dup" \(test\/checks\/dashboard\/unique-uid\.test\.ts:\d+\)$/,
      },
    ],
  },
  {
    name: "a copy of a real dashboard under a new title",
    model: () => ({ ...model, dashboards: [...model.dashboards, { ...phoenix, title: "Phoenix (copy)" }] }),
    findings: [
      {
        subject: 'dashboard gs-phoenix-metrics "Phoenix (copy)"',
        message:
          /^uid "gs-phoenix-metrics" is already used by "Phoenix Metrics" \(src\/dashboards\/phoenix-metrics\.ts:\d+\)$/,
      },
    ],
  },
  {
    name: "three dashboards with one uid (each repeat is reported, against the first)",
    model: () =>
      compileWith([testDashboard("x"), testDashboard("y"), testDashboard("x"), testDashboard("x")]).model,
    findings: [
      { subject: 'dashboard x "Test x"', message: /^uid "x" is already used by "Test x"/ },
      { subject: 'dashboard x "Test x"', message: /^uid "x" is already used by "Test x"/ },
    ],
  },
];

const good: GoodModel[] = [
  { name: "the real project's dashboards", model: () => model },
  {
    name: "new dashboards with their own uids",
    model: () =>
      compileWith([testDashboard("a").withPanel(goodPanel(1)), testDashboard("b").withPanel(goodPanel(1))])
        .model,
  },
  // Uids are per dashboard; one title used twice is confusing but not this check's concern.
  {
    name: "two uids with the same title",
    model: () => ({
      ...model,
      dashboards: [...model.dashboards, { ...phoenix, uid: "gs-phoenix-metrics-2" }],
    }),
  },
];

describeModelCheck(
  "dashboard/unique-uid",
  uniqueUid,
  { severity: "error", match: "exactly", expect: { fix: true, position: null }, bad, good },
  (run) => {
    it("points at the repeated dashboard, not the first", () => {
      const [d] = run({
        ...model,
        dashboards: [
          ...model.dashboards,
          { ...phoenix, source: { file: "src/dashboards/copy.ts", line: 7 } },
        ],
      });
      expect(d!.source).toEqual({ file: "src/dashboards/copy.ts", line: 7 });
    });
  },
);
