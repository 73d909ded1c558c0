import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { above, atLeast, recordingRule } from "../../src/engine/define/alerting.ts";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
import { lineOf } from "../helpers/project.ts";
import { phoenixHigh5xxErrorRate } from "../../src/alerts/phoenix.ts";
import { projectWith, variantAlert } from "../helpers/alerts.ts";

const thisFile = "test/alerts/bad-input.test.ts";
const text = readFileSync(fileURLToPath(import.meta.url), "utf8");
const runbook = readFileSync(new URL("../../RUNBOOK.md", import.meta.url), "utf8");

const anything = <T>(value: unknown) => value as T;
/** The alert with `threshold`, written into its expression as content writes it. */
const unspellable = (threshold: ReturnType<typeof above>) =>
  variantAlert({ threshold, expr: `job:phoenix_http_requests_5xx:ratio_rate5m ${threshold}` });
/** The alert with `trafficGuard`, written into its expression after `and on (job)` as content writes it. */
const guardedBy = (trafficGuard: ReturnType<typeof above>) =>
  variantAlert({ trafficGuard, expr: phoenixHigh5xxErrorRate.expr.replace(/ [<>=]+ [\d.]+$/, ` ${trafficGuard}`) });

const cases = [
  {
    name: "a NaN threshold",
    alerts: () => [variantAlert({ threshold: above(Number.NaN, "ratio") })], // MARK:nan
    check: "alerts/threshold",
    message: "threshold NaN is not a finite number",
    mark: "MARK:nan",
  },
  {
    // Written into the expression, the threshold spells its value: that must not throw (found by npm run fuzz).
    name: "a threshold value that has no string of its own",
    alerts: () => [unspellable(above(anything<number>({ toString: "not a function" }), "ratio"))], // MARK:unspellable
    check: "definition/invalid",
    message: "the threshold's value is an object, not a number",
    mark: "MARK:unspellable",
  },
  {
    // Its interpolated copy must not reach the checks either (found by npm run fuzz: alerts/stale-threshold-text threw).
    name: "a traffic guard whose unit has no string of its own",
    alerts: () => [guardedBy(atLeast(1000, anything<"count">({ toString: "not a function" })))], // MARK:guard-unit
    check: "definition/invalid",
    message: "the threshold's unit is an object",
    mark: "MARK:guard-unit",
  },
  {
    name: "a negative threshold",
    alerts: () => [variantAlert({ threshold: above(-0.05, "ratio") })], // MARK:negative
    check: "alerts/threshold",
    message: "threshold -0.05 is negative",
    mark: "MARK:negative",
  },
  {
    name: "a percentage where a ratio is expected",
    alerts: () => [variantAlert({ threshold: above(5, "ratio") })], // MARK:percent
    check: "alerts/threshold",
    message: "ratio above 1: it looks like a percentage",
    fix: "0.05 for 5%",
    mark: "MARK:percent",
  },
  {
    name: "an expression that disagrees with its threshold",
    alerts: () => [variantAlert({ expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.08" })], // MARK:mismatch
    check: "alerts/threshold",
    message: "the expression compares `> 0.08` but the declared threshold is `> 0.05`",
    mark: "MARK:mismatch",
  },
  {
    name: "a malformed for",
    alerts: () => [variantAlert({ for: "5 minutes" })], // MARK:for
    check: "alerts/for",
    message: 'for: "5 minutes" is not a Prometheus duration',
    mark: "MARK:for",
  },
  {
    name: "a duplicate alert name",
    alerts: () => [variantAlert({}), variantAlert({ summary: "Again." })], // MARK:duplicate
    check: "alerts/unique-name",
    message: "alert name PhoenixHigh5xxErrorRate is already used",
    mark: "MARK:duplicate",
  },
  {
    name: "a severity outside the four",
    alerts: () => [variantAlert({ severity: "urgent" as "high" })], // MARK:severity
    check: "alerts/severity",
    message: 'severity "urgent" is not one of the runbook\'s levels',
    fix: "critical, high, medium, low",
    mark: "MARK:severity",
  },
  {
    name: "a missing runbook section",
    alerts: () => [variantAlert({ runbook: "Phoenix On Fire" })], // MARK:runbook
    check: "alerts/runbook",
    message: 'RUNBOOK.md has no section "### Alert: Phoenix On Fire" (anchor #alert-phoenix-on-fire)',
    mark: "MARK:runbook",
  },
  {
    name: "an annotation template that does not parse",
    alerts: () => [variantAlert({ description: "{{ $value | humanizePercentag }} failed" })], // MARK:template
    check: "alerts/template",
    message: "annotation description template",
    mark: "MARK:template",
  },
  {
    name: "an alert without tests",
    alerts: () => [variantAlert({ tests: [] })], // MARK:no-tests
    check: "alerts/tests",
    message: "the alert has no tests",
    mark: "MARK:no-tests",
  },
  {
    name: "tests far from the threshold",
    alerts: () => [variantAlert({ tests: variantAlert({}).tests.map((t) => ({ ...t, value: t.value > 0.05 ? 0.5 : t.value })) })], // MARK:far
    check: "alerts/tests",
    message: "the firing case's value 0.5 is not within 10% of the threshold 0.05",
    mark: "MARK:far",
  },
  {
    name: "a panel that does not draw the threshold",
    alerts: () => [variantAlert({ dashboard: { ...variantAlert({}).dashboard, panel: 201 } })], // MARK:panel
    check: "alerts/dashboard-link",
    message: 'panel 201 "Request rate by status" does not draw the threshold 0.05',
    mark: "MARK:panel",
  },
];

describe("bad alert input", () => {
  it.each(cases)("reports $name at the alert's definition", ({ alerts, check, message, mark, ...rest }) => {
    const result = compile(projectWith(alerts()));
    expect(result.ok).toBe(false);
    expect(result.artifacts).toEqual([]);
    const found = result.diagnostics.filter((d) => d.check === check);
    expect(found.length, result.diagnostics.map(formatDiagnostic).join("\n")).toBeGreaterThanOrEqual(1);
    const diagnostic = found.find((d) => d.message.includes(message));
    expect(diagnostic, found.map(formatDiagnostic).join("\n")).toBeDefined();
    expect(diagnostic!.subject).toBe("alert PhoenixHigh5xxErrorRate");
    expect(diagnostic!.severity).toBe("error");
    if ("fix" in rest) expect(diagnostic!.fix).toContain(rest.fix);
    // Thresholds report where the threshold was written, everything else where the alert was.
    expect(diagnostic!.source).toEqual({ file: thisFile, line: lineOf(text, mark) });
  });

  it("reports every problem at once", () => {
    const result = compile(projectWith(cases.flatMap((c) => c.alerts())));
    const checks = new Set(result.diagnostics.map((d) => d.check));
    for (const c of cases) expect(checks).toContain(c.check);
  });

  it("rejects a duplicate recording rule name and a badly named rule", () => {
    const again = recordingRule({ record: "job:phoenix_http_requests:rate5m", expr: "sum by (job) (rate(phoenix_http_request_total[5m]))", tests: [] }); // MARK:dup-rule
    const badName = recordingRule({ record: "phoenix_ratio", expr: "sum(up)", tests: [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }] }); // MARK:bad-name
    const result = compile(projectWith([variantAlert({})], [again, badName]));
    const byCheck = (id: string) => result.diagnostics.filter((d) => d.check === id);
    expect(byCheck("rules/unique-name")[0]).toMatchObject({ subject: "recording rule job:phoenix_http_requests:rate5m", source: { file: thisFile, line: lineOf(text, "MARK:dup-rule") } });
    expect(byCheck("rules/name")[0]).toMatchObject({ subject: "recording rule phoenix_ratio", source: { file: thisFile, line: lineOf(text, "MARK:bad-name") } });
    expect(byCheck("rules/tests")[0]!.subject).toBe("recording rule job:phoenix_http_requests:rate5m");
  });

  it("rejects a recorded series that nothing records, and a cycle", () => {
    const a = recordingRule({ record: "job:a:sum", expr: "sum by (job) (job:b:sum)", tests: [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }] });
    const b = recordingRule({ record: "job:b:sum", expr: "sum by (job) (job:a:sum)", tests: [{ name: "t", input: [], at: "1m", expect: [{ labels: {}, value: 1 }] }] });
    const result = compile(projectWith([variantAlert({ expr: "job:phoenix_http_requests_5xx:ratio_rate1m > 0.05" })], [a, b]));
    const messages = result.diagnostics.filter((d) => d.check === "rules/dependency").map((d) => d.message);
    expect(messages).toContain("job:phoenix_http_requests_5xx:ratio_rate1m is used but no recording rule records it");
    expect(messages).toContain("recording rules depend on each other in a cycle: job:a:sum -> job:b:sum -> job:a:sum");
  });

  it("rejects a runbook alert section that no alert links to", () => {
    const extra = runbook.replace("## 🔐 5. Secrets & Security", "### Alert: Orphan Playbook\nNo alert points here.\n\n## 🔐 5. Secrets & Security");
    const result = compile(projectWith([variantAlert({})], [], extra));
    const orphan = result.diagnostics.find((d) => d.subject === 'runbook section "Alert: Orphan Playbook"');
    expect(orphan).toMatchObject({ check: "alerts/runbook", message: "no alert links to this playbook", source: { file: "RUNBOOK.md" } });
  });
});

describe("YAML output", () => {
  it("keeps quotes, colons, #, newlines and {{ }} in labels and annotations exactly", () => {
    const summary = `Quotes "double" and 'single': colons, # not a comment, and a brace }} shown literally.`;
    const description = "line one: {{ $labels.job }}\nline two # still text\n  indented: 'x' \"y\"";
    const labels = { note: 'a: b # c "d"', multiline: "x\ny" };
    const { model } = compile(projectWith([variantAlert({ summary, description, labels })]));
    const artifact = renderPrometheus(model).find((a) => a.path === "prometheus/rules/alerts/test.yaml")!;
    const parsed = parse(artifact.content) as { groups: Array<{ rules: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> }> };
    const rule = parsed.groups[0]!.rules[0]!;
    expect(rule.annotations.summary).toBe(summary);
    expect(rule.annotations.description).toBe(description);
    expect(rule.labels).toMatchObject(labels);
  });
});
