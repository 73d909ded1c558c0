import type { AlertTest } from "../../../define/alerting.ts";
import { parseDurationMs } from "../../../duration.ts";
import type { AlertModel, ThresholdModel } from "../../../model.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** How close to the threshold a boundary case must sit: moving the threshold by this much breaks a test. */
const nearness = 0.1;

/** Whether `value` crosses `threshold`. */
function crosses(threshold: ThresholdModel, value: number): boolean {
  const t = threshold.value;
  switch (threshold.op) {
    case ">":
      return value > t;
    case ">=":
      return value >= t;
    case "<":
      return value < t;
    case "<=":
      return value <= t;
    case "==":
      return value === t;
    default:
      return value !== t;
  }
}

const firesAt = (alert: AlertModel, value: number) => crosses(alert.threshold, value);

/** Whether the scenario has the traffic the alert's guard asks for (no guard: always). */
const trafficEnough = (alert: AlertModel, test: AlertTest) =>
  !alert.trafficGuard || (test.traffic !== undefined && crosses(alert.trafficGuard, test.traffic));

/** Within 10% of the threshold, or one step for whole counts, where 10% is less than one. */
function isNear(alert: AlertModel, value: number, threshold: ThresholdModel = alert.threshold): boolean {
  const { unit, value: t } = threshold;
  if (unit === "bool") return true;
  const margin = Math.max(Math.abs(t) * nearness, unit === "count" ? 1 : 0);
  return Math.abs(value - t) <= margin + 1e-12;
}

/**
 * Every alert is proven at its threshold: a case just above it that is pending before `for` and firing
 * after, with its rendered description, and a case just below it that stays silent.
 */
export const alertTests: ModelCheck = {
  id: "alerts/tests",
  kind: "house",
  severity: "error",
  summary: "An alert without boundary tests: firing just above, pending before `for`, silent just below.",
  scope: "model",
  check(model) {
    return model.alerts.flatMap((alert): Finding[] => {
      const subject = `alert ${alert.name}`;
      const source = alert.source;
      if (alert.tests.length === 0) {
        return [
          {
            subject,
            source,
            message: "the alert has no tests",
            fix: "add `tests:` with a case just above the threshold and one just below it.",
          },
        ];
      }
      const forMs = parseDurationMs(alert.for) || 0;
      const findings: Finding[] = [];
      const firing = (test: AlertTest) =>
        test.expect.some((e) => e.state === "firing" && parseDurationMs(e.at) >= forMs);
      // promtool proves the state; here we only require that some case asks.
      const pending = (test: AlertTest) => test.expect.some((e) => e.state === "pending");
      const guard = alert.trafficGuard;
      for (const test of alert.tests) {
        if (guard && test.traffic === undefined) {
          findings.push({
            subject,
            source,
            message: `test "${test.name}" does not say its traffic, which the alert's guard (${guard.op} ${guard.value}) reads`,
            fix: "give the test `traffic:`, the value the guard's left side takes in its scenario.",
          });
          continue;
        }
        const above = firesAt(alert, test.value);
        const enough = trafficEnough(alert, test);
        const states = new Set(test.expect.map((e) => e.state));
        if (above && enough && states.has("silent"))
          findings.push({
            subject,
            source,
            message: `test "${test.name}": value ${test.value} crosses the threshold${guard ? ` with traffic ${test.traffic} enough for the guard` : ""}, yet expects silence`,
          });
        if (!above && (states.has("firing") || states.has("pending")))
          findings.push({
            subject,
            source,
            message: `test "${test.name}": value ${test.value} does not cross the threshold, yet expects the alert`,
          });
        else if (!enough && (states.has("firing") || states.has("pending")))
          findings.push({
            subject,
            source,
            message: `test "${test.name}": traffic ${test.traffic} is below the guard (${guard!.op} ${guard!.value}), yet expects the alert`,
          });
        const stateAt = new Map<number, string>();
        for (const e of test.expect) {
          // Prometheus holds an alert pending only until `for` has elapsed: with for: 0s it fires at once.
          if (e.state === "pending" && parseDurationMs(alert.for) === 0) {
            findings.push({
              subject,
              source,
              message: `test "${test.name}" at ${e.at}: expects pending, but with for: ${alert.for} the alert fires as soon as its condition holds and is never pending, so promtool fails this test`,
              fix: "give the alert a `for` longer than the pending time (most alerts need one to ride out a single bad scrape), or expect firing.",
            });
          }
          const at = parseDurationMs(e.at);
          const earlier = stateAt.get(at);
          if (earlier !== undefined && earlier !== e.state)
            findings.push({
              subject,
              source,
              message: `test "${test.name}" expects both ${earlier} and ${e.state} at ${e.at}`,
              fix: "keep the one expectation that is true at that time.",
            });
          stateAt.set(at, e.state);
          if (e.state === "firing" && !e.description)
            findings.push({
              subject,
              source,
              message: `test "${test.name}" at ${e.at}: a firing expectation must give the rendered description`,
              fix: "write the description as on-call will read it, values humanized.",
            });
          if (e.state === "firing" && parseDurationMs(e.at) < forMs)
            findings.push({
              subject,
              source,
              message: `test "${test.name}": firing at ${e.at}, before for: ${alert.for} can have elapsed`,
            });
        }
      }
      const fireCases = alert.tests.filter(
        (t) => firesAt(alert, t.value) && trafficEnough(alert, t) && firing(t),
      );
      const fireCase = fireCases.find((t) => isNear(alert, t.value)) ?? fireCases[0];
      const silentCase = alert.tests.find(
        (t) =>
          !firesAt(alert, t.value) && t.expect.some((e) => e.state === "silent") && isNear(alert, t.value),
      );
      if (!fireCase)
        findings.push({
          subject,
          source,
          message: "no test fires above the threshold once `for` has elapsed",
          fix: "add a case just above the threshold that expects firing after `for`.",
        });
      else if (!isNear(alert, fireCase.value))
        findings.push({
          subject,
          source,
          message: `the firing case's value ${fireCase.value} is not within 10% of the threshold ${alert.threshold.value}, so a loosened threshold would still pass`,
          fix: "move its input closer to the threshold.",
        });
      if (forMs > 0 && !alert.tests.some((t) => firesAt(alert, t.value) && pending(t))) {
        findings.push({
          subject,
          source,
          message: `no test shows the alert pending before for: ${alert.for} elapses`,
          fix: "expect state pending at a time shorter than `for`.",
        });
      }
      if (!silentCase)
        findings.push({
          subject,
          source,
          message: "no test stays silent just below the threshold (within 10%)",
          fix: "add a case just below the threshold that expects silence.",
        });
      if (guard) {
        // The guard is proven at its own boundary: over the threshold, just enough traffic fires, just too little does not.
        const overThreshold = alert.tests.filter((t) => t.traffic !== undefined && firesAt(alert, t.value));
        const nearGuard = (t: AlertTest) => isNear(alert, t.traffic!, guard);
        if (!overThreshold.some((t) => trafficEnough(alert, t) && firing(t) && nearGuard(t)))
          findings.push({
            subject,
            source,
            message: `no test fires over the threshold with traffic just at the guard (${guard.op} ${guard.value}, within 10%)`,
            fix: "add a case over the threshold whose traffic just meets the guard, expecting firing after `for`.",
          });
        if (
          !overThreshold.some(
            (t) => !trafficEnough(alert, t) && t.expect.some((e) => e.state === "silent") && nearGuard(t),
          )
        )
          findings.push({
            subject,
            source,
            message: `no test stays silent over the threshold with traffic just short of the guard (${guard.op} ${guard.value}, within 10%)`,
            fix: "add a case over the threshold whose traffic just misses the guard, expecting silence.",
          });
      }
      return findings;
    });
  },
};
