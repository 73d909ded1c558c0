/**
 * `compile(project, { expressionsOfDashboard })`, the import's debt pass: the expression checks run on that dashboard's
 * queries only, and say of it exactly what a whole compile says; every other check runs as usual.
 */
import { describe, expect, it } from "vitest";
import { sel } from "../../src/engine/define/dashboard-kit.ts";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { goodPanel, testDashboard } from "../helpers/dashboards.ts";
import { projectWith } from "../helpers/project.ts";

// A fixed window in a dashboard's rate(): promql/rate-window, an expression check, says so of each.
const withFixedWindow = (uid: string) =>
  testDashboard(uid)
    .withPanel(goodPanel(1, `sum(rate(up{${sel}}[5m]))`))
    .withPanel(goodPanel(2));

const about = (uid: string) => (d: Diagnostic) =>
  d.subject === `dashboard ${uid}` || d.subject.startsWith(`dashboard ${uid} `);
const ofExpressions = (d: Diagnostic) => d.subject.includes(" › query ");

describe("compile with expressionsOfDashboard", () => {
  const project = projectWith([withFixedWindow("a"), withFixedWindow("b")]);
  const whole = compile(project, { checkErrorsSuppressed: true });
  const only = compile(project, { checkErrorsSuppressed: true, expressionsOfDashboard: "a" });

  it("says of that dashboard what the whole compile says", () => {
    const ofA = whole.diagnostics.filter(about("a"));
    expect(ofA.some((d) => d.check === "promql/rate-window")).toBe(true);
    expect(only.diagnostics.filter(about("a"))).toEqual(ofA);
  });

  it("checks no other expression, and runs the other checks", () => {
    expect(whole.diagnostics.filter(about("b")).some(ofExpressions)).toBe(true);
    expect(only.diagnostics.filter(ofExpressions).every(about("a"))).toBe(true);
    const notExpressions = (r: typeof whole) => r.diagnostics.filter((d) => !ofExpressions(d));
    expect(notExpressions(only)).toEqual(notExpressions(whole));
  });
});
