import { expect, it } from "vitest";
import { alertRouting } from "../../../src/engine/check/checks/alerts/routing.ts";
import type { SeverityPolicy } from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();

/** The real severity policies with one level's policy changed. */
const edit = (severity: SeverityPolicy["severity"], changes: Partial<SeverityPolicy>): Model => ({
  ...base,
  severities: base.severities.map((p) => (p.severity === severity ? { ...p, ...changes } : p)),
});

const bad: BadModel[] = [
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
  {
    name: "a repeat interval in words",
    model: () => edit("medium", { repeatInterval: "4 hours" }),
    message: 'repeatInterval: "4 hours" is not a duration',
    subject: "severity medium",
  },
  {
    name: "a response time that is not a duration",
    model: () => edit("low", { notifyWithin: "< 4 hours" }),
    message: 'notifyWithin: "< 4 hours" is not a duration',
    subject: "severity low",
  },
  {
    name: "an empty group interval",
    model: () => edit("low", { groupInterval: "" }),
    message: 'groupInterval: "" is not a duration',
    subject: "severity low",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "a group_wait exactly at the response time", model: () => edit("critical", { groupWait: "1m" }) },
  {
    name: "compound durations",
    model: () => edit("high", { groupWait: "1m30s", notifyWithin: "2m", repeatInterval: "1h30m" }),
  },
];

describeModelCheck(
  "alerts/routing",
  alertRouting,
  { severity: "error", match: "message", expect: { sourceFile: "src/alerts/severities.ts" }, bad, good },
  (run) => {
    it("reports every malformed field of a policy", () => {
      const found = run(edit("medium", { groupWait: "soon", repeatInterval: "daily" }));
      expect(found.map((d) => d.message)).toEqual([
        'groupWait: "soon" is not a duration',
        'repeatInterval: "daily" is not a duration',
      ]);
    });

    it("accepts a critical group_wait of 0s", () => {
      expect(run(edit("critical", { groupWait: "0s" }))).toEqual([]);
    });
  },
);
