import { expect, it } from "vitest";
import { alertTests } from "../../../src/engine/check/checks/alerts/tests.ts";
import type { AlertTest } from "../../../src/engine/define/alerting.ts";
import type { AlertModel, Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const phoenix = base.alerts.find((a) => a.name === "PhoenixHigh5xxErrorRate")!;
const subject = "alert PhoenixHigh5xxErrorRate";

// The real alert (threshold `> 0.05` ratio, for: 5m) has two cases: 0.052 pending at 3m and firing at 8m, 0.048 silent;
// then two at its traffic guard (`>= 100` requests): 100 requests fire, 99 do not.
const [near, silent, atGuard, belowGuard] = phoenix.tests as [AlertTest, AlertTest, AlertTest, AlertTest];
/** The 5xx alert changed; without its traffic guard unless `changes` give one. */
const edit = (changes: Partial<AlertModel>): Model => ({
  ...base,
  alerts: base.alerts.map((a) => (a === phoenix ? { ...a, trafficGuard: undefined, ...changes } : a)),
});
const guarded = (tests: AlertTest[]) => edit({ trafficGuard: phoenix.trafficGuard, tests });
const withTests = (tests: AlertTest[]) => edit({ tests });
const firingOnly = { ...near, expect: near.expect.filter((e) => e.state !== "pending") };

const bad: BadModel[] = [
  {
    name: "an alert without tests",
    model: () => compile(projectWith([variantAlert({ tests: [] })])).model,
    message: "the alert has no tests",
  },
  {
    name: "a firing case at 0.5 for a 0.05 threshold (too far to catch a loosened threshold)",
    model: () => withTests([{ ...near, value: 0.5 }, silent]),
    message:
      "the firing case's value 0.5 is not within 10% of the threshold 0.05, so a loosened threshold would still pass",
  },
  {
    name: "no pending case before for elapses",
    model: () => withTests([firingOnly, silent]),
    message: "no test shows the alert pending before for: 5m elapses",
  },
  {
    name: "a silent case above the threshold",
    model: () => withTests([near, { ...silent, value: 0.06 }]),
    message: 'test "48 of every 1000 requests fail": value 0.06 crosses the threshold, yet expects silence',
  },
  {
    name: "a silent case above the threshold, leaving none just below",
    model: () => withTests([near, { ...silent, value: 0.06 }]),
    message: "no test stays silent just below the threshold (within 10%)",
  },
  {
    name: "a silent case far below the threshold",
    model: () => withTests([near, { ...silent, value: 0.01 }]),
    message: "no test stays silent just below the threshold (within 10%)",
  },
  {
    name: "a case below the threshold that expects the alert",
    model: () => withTests([near, { ...silent, expect: [{ at: "3m", state: "pending" }] }]),
    message:
      'test "48 of every 1000 requests fail": value 0.048 does not cross the threshold, yet expects the alert',
  },
  {
    name: "a firing expectation without the rendered description",
    model: () => withTests([{ ...near, expect: near.expect.map(({ description: _d, ...e }) => e) }, silent]),
    message:
      'test "52 of every 1000 requests fail" at 8m: a firing expectation must give the rendered description',
  },
  {
    name: "firing before for can have elapsed",
    model: () =>
      withTests([
        { ...near, expect: near.expect.map((e) => (e.state === "firing" ? { ...e, at: "3m" } : e)) },
        silent,
      ]),
    message: 'test "52 of every 1000 requests fail": firing at 3m, before for: 5m can have elapsed',
  },
  {
    name: "no case above the threshold at all",
    model: () => withTests([silent]),
    message: "no test fires above the threshold once `for` has elapsed",
  },
  {
    name: "a pending expectation when for is 0s (promtool would fail it: the alert fires at once)",
    model: () => edit({ for: "0s" }),
    message:
      'test "52 of every 1000 requests fail" at 3m: expects pending, but with for: 0s the alert fires as soon as its condition holds and is never pending, so promtool fails this test',
    fix: "give the alert a `for` longer than the pending time",
  },
  {
    name: "two states at one time",
    model: () =>
      withTests([
        { ...near, expect: [...near.expect, { at: "3m", state: "firing", description: "x" }] },
        silent,
      ]),
    message: 'test "52 of every 1000 requests fail" expects both pending and firing at 3m',
  },
];

const guardBad: BadModel[] = [
  {
    name: "a guarded alert's case that does not say its traffic",
    model: () => guarded([near, silent, atGuard, { ...belowGuard, traffic: undefined }]),
    message:
      'test "10% of 19.8 requests a minute fail: 99 requests in 5 minutes, too few to page on" does not say its traffic',
    fix: "traffic:",
  },
  {
    name: "a case below the traffic guard that expects the alert",
    model: () => guarded([near, silent, atGuard, { ...belowGuard, expect: atGuard.expect }]),
    message: "traffic 99 is below the guard (>= 100), yet expects the alert",
  },
  {
    name: "no firing case at the traffic guard",
    model: () => guarded([near, silent, belowGuard]),
    message: "no test fires over the threshold with traffic just at the guard (>= 100, within 10%)",
  },
  {
    name: "no silent case just short of the traffic guard",
    model: () => guarded([near, silent, atGuard]),
    message:
      "no test stays silent over the threshold with traffic just short of the guard (>= 100, within 10%)",
  },
  {
    name: "a silent case far short of the traffic guard",
    model: () => guarded([near, silent, atGuard, { ...belowGuard, traffic: 10 }]),
    message: "no test stays silent over the threshold with traffic just short of the guard",
  },
  {
    name: "a case with enough traffic over the threshold that expects silence",
    model: () => guarded([near, silent, atGuard, belowGuard, { ...belowGuard, name: "busy", traffic: 120 }]),
    message:
      'test "busy": value 0.1 crosses the threshold with traffic 120 enough for the guard, yet expects silence',
  },
];
bad.push(...guardBad);

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "the guarded alert's four cases", model: () => guarded([near, silent, atGuard, belowGuard]) },
  { name: "the cases in the other order", model: () => withTests([silent, near]) },
  { name: "no pending case when for is 0s", model: () => edit({ for: "0s", tests: [firingOnly, silent] }) },
  {
    name: "cases exactly 10% either side of the threshold",
    model: () =>
      withTests([
        { ...near, value: 0.055 },
        { ...silent, value: 0.045 },
      ]),
  },
  {
    name: "an extra silent case far below, besides the boundary ones",
    model: () => withTests([near, silent, { ...silent, name: "no errors", value: 0 }]),
  },
];

describeModelCheck(
  "alerts/tests",
  alertTests,
  { severity: "error", match: "message", expect: { subject }, bad, good },
  (run) => {
    it("allows one step either side of a small count threshold", () => {
      const regions = base.alerts.find((a) => a.name === "ProjectCreationFailingInRegions")!;
      expect(regions.threshold).toMatchObject({ op: ">=", value: 3, unit: "count" });
      expect(run({ ...base, alerts: [regions] })).toEqual([]);
      const [fires, two] = regions.tests as [AlertTest, AlertTest];
      const found = run({ ...base, alerts: [{ ...regions, tests: [{ ...fires, value: 5 }, two] }] });
      expect(found.map((d) => d.message)).toContain(
        "the firing case's value 5 is not within 10% of the threshold 3, so a loosened threshold would still pass",
      );
    });

    it("accepts a far firing case when a near one follows it", () => {
      const far = { ...near, name: "half of all requests fail", value: 0.5 };
      expect(run(withTests([near, far, silent]))).toEqual([]);
      expect(run(withTests([far, near, silent]))).toEqual([]);
    });
  },
);
