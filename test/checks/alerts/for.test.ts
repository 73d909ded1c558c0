import { expect, it } from "vitest";
import { alertFor } from "../../../src/engine/check/checks/alerts/for.ts";
import type { AlertModel, Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const phoenix = base.alerts.find((a) => a.name === "PhoenixHigh5xxErrorRate")!;
const subject = "alert PhoenixHigh5xxErrorRate";

/** The real model with the Phoenix alert changed. */
const edit = (changes: Partial<AlertModel>, model: Model = base): Model => ({
  ...model,
  alerts: model.alerts.map((a) => (a.name === phoenix.name ? { ...a, ...changes } : a)),
});
const absentExpr = 'absent(up{job="global-sovereign"}) == 1';

const bad: BadModel[] = [
  {
    name: "a duration in words",
    model: () => edit({ for: "5 minutes" }),
    message: 'for: "5 minutes" is not a Prometheus duration',
  },
  { name: "an empty for", model: () => edit({ for: "" }), message: 'for: "" is not a Prometheus duration' },
  {
    name: "a fractional duration",
    model: () => edit({ for: "1.5m" }),
    message: 'for: "1.5m" is not a Prometheus duration',
  },
  {
    name: "a for shorter than the evaluation interval",
    model: () => edit({ for: "10s" }),
    message: "for: 10s is shorter than the evaluation interval 30s, so it means one evaluation",
  },
  {
    name: "a for shorter than its own group's longer interval",
    model: () =>
      edit(
        { for: "45s" },
        {
          ...base,
          ruleGroups: base.ruleGroups.map((g) => (g.name === phoenix.group ? { ...g, interval: "1m" } : g)),
        },
      ),
    message: "for: 45s is shorter than the evaluation interval 1m",
  },
  {
    name: "absent() with no for",
    model: () => edit({ expr: absentExpr, for: "0s" }),
    message: "absent() without for: fires on the first evaluation after a restart or a missed scrape",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "no for at all (0s) on a threshold alert", model: () => edit({ for: "0s" }) },
  { name: "a for equal to the evaluation interval", model: () => edit({ for: "30s" }) },
  { name: "a compound duration", model: () => edit({ for: "1h30m" }) },
  { name: "absent() with a for of a few scrapes", model: () => edit({ expr: absentExpr, for: "2m" }) },
];

describeModelCheck(
  "alerts/for",
  alertFor,
  { severity: "error", match: "message", expect: { subject, source: phoenix.source }, bad, good },
  (run) => {
    it("flags units out of order, which Prometheus rejects", () => {
      const found = run(edit({ for: "30s5m" }));
      expect(found.some((d) => d.message.includes('for: "30s5m" is not a Prometheus duration'))).toBe(true);
    });
  },
);
