import { expect, it } from "vitest";
import { alertLabels, labelsCheck } from "../../../src/engine/check/checks/alerts/labels.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const subject = "alert PhoenixHigh5xxErrorRate";
/** The real model with the alert's labels changed, as a rule file or a render bug could leave them. */
const withLabels = (change: (labels: Record<string, string>) => Record<string, string>): Model => ({
  ...base,
  alerts: base.alerts.map((a) =>
    a.name === "PhoenixHigh5xxErrorRate" ? { ...a, labels: change(a.labels) } : a,
  ),
});
const without = (label: string) => withLabels(({ [label]: _gone, ...rest }) => rest);

const bad: BadModel[] = [
  {
    name: "an alert without team",
    model: () => without("team"),
    message: "the alert has no team label",
    fix: "add `team:`",
  },
  {
    name: "an alert without service",
    model: () => without("service"),
    message: "the alert has no service label",
  },
  {
    name: "an empty severity",
    model: () => withLabels((labels) => ({ ...labels, severity: " " })),
    message: "label severity is empty",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "more labels than required", model: () => withLabels((labels) => ({ ...labels, page: "true" })) },
];

describeModelCheck(
  "alerts/labels",
  alertLabels,
  { severity: "error", match: "message", expect: { subject }, bad, good },
  () => {
    it("requires what a team configures instead", () => {
      const found = labelsCheck(["severity", "owner"])
        .check(without("team"), undefined as never)
        .filter((f) => f.subject === subject);
      expect(found.map((f) => [f.message, f.fix])).toEqual([
        [
          "the alert has no owner label",
          "add `owner:` under the alert's labels (required: severity, owner).",
        ],
      ]);
    });
  },
);
