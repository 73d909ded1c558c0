import { expect, it } from "vitest";
import { alertThreshold } from "../../../src/engine/check/checks/alerts/threshold.ts";
import { above, atLeast, below, type ThresholdDefinition } from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { serverErrorRatio } from "../../../src/recording-rules/phoenix.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const phoenix = base.alerts.find((a) => a.name === "PhoenixHigh5xxErrorRate")!;
const subject = "alert PhoenixHigh5xxErrorRate";

/** The real alert with another threshold, interpolated into its expression as the definitions do. */
const withThreshold = (threshold: ThresholdDefinition) =>
  compile(projectWith([variantAlert({ threshold, expr: `${serverErrorRatio} ${threshold}` })])).model;
/** The real alert with another expression and its declared threshold unchanged. */
const withExpr = (expr: string): Model => ({
  ...base,
  alerts: base.alerts.map((a) => (a === phoenix ? { ...a, expr } : a)),
});

const bad: BadModel[] = [
  {
    name: "a percentage written where a ratio is expected",
    model: () => withThreshold(above(5, "ratio")),
    message: "threshold 5 is a ratio above 1: it looks like a percentage",
  },
  {
    name: "a negative threshold",
    model: () => withThreshold(above(-0.05, "ratio")),
    message: "threshold -0.05 is negative, which a ratio cannot be",
  },
  {
    name: "a threshold that is not a number",
    model: (): Model => ({
      ...base,
      alerts: base.alerts.map((a) =>
        a === phoenix ? { ...a, threshold: { ...a.threshold, value: Number.NaN } } : a,
      ),
    }),
    message: "threshold NaN is not a finite number",
  },
  {
    name: "a bool threshold other than 0 or 1",
    model: () => withThreshold(below(2, "bool")),
    message: "threshold 2 for a bool must be 0 or 1",
  },
  {
    name: "a number written into the expression instead of the threshold",
    model: () => withExpr(`${serverErrorRatio} > 0.08`),
    message: "the expression compares `> 0.08` but the declared threshold is `> 0.05`",
  },
  {
    // alerts/comparison lets a rule file from elsewhere alert "while this exists"; ours declare a threshold.
    name: "a selector alone, which compares nothing",
    model: () => withExpr('up{job="global-sovereign"}'),
    message:
      "the expression compares nothing: it fires while the selected series exist, whatever their value, not at the declared threshold `> 0.05`",
  },
  {
    name: "an operator that disagrees with the threshold",
    model: () => withExpr(`${serverErrorRatio} >= 0.05`),
    message: "the expression compares `>= 0.05` but the declared threshold is `> 0.05`",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a threshold interpolated inside parentheses",
    model: () => withExpr(`(${serverErrorRatio} ${phoenix.threshold.op} ${phoenix.threshold.value})`),
  },
  { name: "the same number spelt another way", model: () => withExpr(`${serverErrorRatio} > 5e-2`) },
  { name: "a ratio of exactly 1", model: () => withThreshold(atLeast(1, "ratio")) },
  // An expression with no comparison at all is alerts/comparison's finding, not this check's.
  {
    name: "an expression with no comparison (left to alerts/comparison)",
    model: () => withExpr(`${serverErrorRatio}`),
  },
];

describeModelCheck(
  "alerts/threshold",
  alertThreshold,
  { severity: "error", match: "message", expect: { subject }, bad, good },
  (run) => {
    it("reports value problems where the threshold was written, and a mismatch where the alert was", () => {
      const [value] = run(withThreshold(above(5, "ratio"))).filter((d) => d.message.includes("percentage"));
      expect(value!.source.file).toBe("test/checks/alerts/threshold.test.ts");
      const [mismatch] = run(withExpr(`${serverErrorRatio} > 0.08`));
      expect(mismatch!.source).toEqual(phoenix.source);
    });

    it("names the bool modifier when it is the only difference", () => {
      const found = run(withExpr(`${serverErrorRatio} > bool 0.05`));
      expect(found).toHaveLength(1);
      expect(found[0]!.message).toContain("bool");
    });
  },
);
