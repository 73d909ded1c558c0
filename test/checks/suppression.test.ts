import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { alertComparison } from "../../src/engine/check/checks/alerts/comparison.ts";
import { panelUnit } from "../../src/engine/check/checks/dashboard/panel-unit.ts";
import { rateOnCounter } from "../../src/engine/check/checks/promql/rate-on-counter.ts";
import { regexp } from "../../src/engine/check/checks/promql/regexp.ts";
import { unknownLabel } from "../../src/engine/check/checks/promql/unknown-label.ts";
import { modelForRuleFile, readRuleFile } from "../../src/engine/check/rule-file.ts";
import { sel } from "../../src/engine/define/dashboard-kit.ts";
import { formatDiagnostic, hasErrors } from "../../src/engine/diagnostics.ts";
import type { Model } from "../../src/engine/model.ts";
import { renderGrafana } from "../../src/engine/render/grafana.ts";
import { expressionSite, realModel, runModel, runSites } from "../helpers/checks.ts";
import { goodPanel, testDashboard } from "../helpers/dashboards.ts";
import { compileWith, lineOf } from "../helpers/project.ts";

const thisFile = readFileSync(fileURLToPath(import.meta.url), "utf8");

const model = realModel();
const checks = [regexp, rateOnCounter, unknownLabel];

const site = (expr: string, subject = "test") => expressionSite(expr, { subject });
const run = (...exprs: string[]) =>
  runSites(
    checks,
    exprs.map((e) => site(e)),
  );

const anchored = 'sum(rate(phoenix_http_request_total{status=~"^5..$"}[5m]))';
const gaugeRate = "rate(global_sovereign_covenant_projects_total[1h])";

describe("o11y-disable in an expression", () => {
  it("marks the diagnostic suppressed, with the reason", () => {
    const found = run(
      `${anchored}\n# o11y-disable promql/regexp: copied verbatim from the vendor's rule pack`,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      check: "promql/regexp",
      suppressed: "copied verbatim from the vendor's rule pack",
      position: { line: 1, column: 37 },
    });
  });

  it("works at the end of a line too, and keeps the reason as written", () => {
    const [d] = run(`${anchored} # o11y-disable promql/regexp:   kept identical to upstream  `);
    expect(d!.suppressed).toBe("kept identical to upstream");
  });

  it("lets a suppressed error through hasErrors, and says so when printed", () => {
    const plain = run(gaugeRate);
    expect(plain.map((d) => [d.check, d.suppressed])).toEqual([["promql/rate-on-counter", undefined]]);
    expect(hasErrors(plain)).toBe(true);

    const found = run(
      `${gaugeRate}\n# o11y-disable promql/rate-on-counter: the panel shows deletions as spikes on purpose`,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      check: "promql/rate-on-counter",
      severity: "error",
      suppressed: "the panel shows deletions as spikes on purpose",
    });
    expect(hasErrors(found)).toBe(false);
    const text = formatDiagnostic(found[0]!);
    expect(text).toContain("suppressed error test:");
    expect(text).toContain("suppressed: the panel shows deletions as spikes on purpose");
    expect(text).not.toContain("fix:");
  });

  it("reports a directive without a reason as an error, and suppresses nothing", () => {
    for (const directive of [
      "# o11y-disable promql/regexp",
      "# o11y-disable promql/regexp:",
      "# o11y-disable promql/regexp:   ",
    ]) {
      const found = run(`${anchored}\n${directive}`);
      const regexpWarning = found.find((d) => d.check === "promql/regexp");
      expect(regexpWarning?.suppressed, directive).toBeUndefined();
      const missing = found.find((d) => d.check === "check/suppression");
      expect(missing, directive).toMatchObject({
        severity: "error",
        subject: "test",
        source: { file: "t", line: 1 },
        message: "o11y-disable promql/regexp has no reason (write it after a colon)",
        fix: "say why, for the next reader: # o11y-disable promql/regexp: <reason>",
      });
      expect(hasErrors(found), directive).toBe(true);
    }
  });

  it("suppresses nothing when it names another check", () => {
    const found = run(`${anchored}\n# o11y-disable promql/unknown-label: the label is added by relabelling`);
    expect(found.map((d) => [d.check, d.suppressed])).toEqual([["promql/regexp", undefined]]);
  });

  it("suppresses each named check, one directive per line", () => {
    const expr = `rate(global_sovereign_covenant_projects_total{source=~"^x$"}[1h])\n# o11y-disable promql/rate-on-counter: reason one\n# o11y-disable promql/regexp: reason two`;
    const found = run(expr);
    expect(found.map((d) => [d.check, d.suppressed]).sort()).toEqual([
      ["promql/rate-on-counter", "reason one"],
      ["promql/regexp", "reason two"],
      ["promql/unknown-label", undefined],
    ]);
  });

  it("covers only its own expression", () => {
    const found = runSites(checks, [
      site(`${anchored}\n# o11y-disable promql/regexp: this one only`, "first"),
      site(anchored, "second"),
    ]);
    expect(found.map((d) => [d.subject, d.suppressed])).toEqual([
      ["first", "this one only"],
      ["second", undefined],
    ]);
  });

  it("covers the panel a query belongs to, but not the panel's other queries", () => {
    const panel = 'dashboard gs-test › panel 1 "Requests"';
    const sites = [
      site(`${anchored}\n# o11y-disable promql/regexp: query A only`, `${panel} › query A`),
      site(anchored, `${panel} › query B`),
    ];
    const found = runSites(checks, sites);
    expect(found.map((d) => [d.subject, d.suppressed])).toEqual([
      [`${panel} › query A`, "query A only"],
      [`${panel} › query B`, undefined],
    ]);
  });

  it("ignores directive-like text inside a label value", () => {
    const found = run('sum(rate(phoenix_http_request_total{path=~"# o11y-disable promql/regexp: x"}[5m]))');
    expect(found.map((d) => [d.check, d.suppressed])).toEqual([["promql/regexp", undefined]]);
  });

  it("reports a directive whose reason lacks the colon", () => {
    const found = run(`${anchored}\n# o11y-disable promql/regexp vendor rule pack`);
    expect(found.map((d) => d.check)).toContain("check/suppression");
  });
});

describe("o11y-disable in definitions", () => {
  it("works in a TypeScript dashboard query, and stays in the generated JSON", () => {
    const expr = `sum(rate(phoenix_http_request_total{${sel}, status=~"^5..$"}[$__rate_interval]))\n# o11y-disable promql/regexp: mirrors the vendor dashboard we replace`; // marker: ts-query
    const result = compileWith([testDashboard("gs-suppressed").withPanel(goodPanel(1, expr))]);
    const regexpFindings = result.diagnostics.filter((d) => d.check === "promql/regexp");
    expect(regexpFindings).toEqual([
      expect.objectContaining({
        subject: 'dashboard gs-suppressed › panel 1 "Panel 1" › query A',
        suppressed: "mirrors the vendor dashboard we replace",
        source: expect.objectContaining({
          file: "test/checks/suppression.test.ts",
          line: lineOf(thisFile, "marker: ts-query") + 1,
        }),
      }),
    ]);
    const json = renderGrafana(result.model).find((a) => a.path.endsWith("gs-suppressed.json"))!;
    expect(JSON.parse(json.content).panels.find((p: { id: number }) => p.id === 1).targets[0].expr).toBe(
      expr,
    );
  });

  it("covers panel-level findings of the same check from any of the panel's queries", () => {
    const dashboard = model.dashboards.find((d) => d.uid === "gs-nats-streams")!;
    const [first, ...rest] = dashboard.panels;
    const { unit: _unit, ...bare } = first!;
    const target = {
      ...bare.targets[0]!,
      expr: `${bare.targets[0]!.expr}\n# o11y-disable dashboard/panel-unit: a bare count reads best here`,
    };
    const changed: Model = {
      ...model,
      dashboards: model.dashboards.map((d) =>
        d === dashboard ? { ...d, panels: [{ ...bare, targets: [target] }, ...rest] } : d,
      ),
    };
    const found = runModel(panelUnit, changed);
    expect(found.map((d) => [d.check, d.suppressed])).toEqual([
      ["dashboard/panel-unit", "a bare count reads best here"],
    ]);
  });

  it("works in an alert's expression, after the threshold, for the alert's own checks", () => {
    const alert = model.alerts[0]!;
    const expr =
      "job:phoenix_http_requests_5xx:ratio_rate5m\n# o11y-disable alerts/comparison: a test of suppression";
    const found = runModel(alertComparison, { ...model, alerts: [{ ...alert, expr }] });
    expect(found.map((d) => [d.check, d.subject, d.suppressed])).toEqual([
      ["alerts/comparison", `alert ${alert.name}`, "a test of suppression"],
    ]);
  });
});

describe("o11y-disable in a Prometheus rule file", () => {
  const rule = (name: string, expr: string) => `- alert: ${name}\n        expr: ${expr}`;
  const bad = 'sum(rate(phoenix_http_request_total{status=~"^5..$"}[5m])) > 1';
  const file = (rules: string) => `groups:\n  - name: legacy\n    rules:\n${rules}\n`;
  const suppressedIn = (text: string) => {
    const rules = readRuleFile("legacy.yaml", text, "1m");
    expect(rules.diagnostics).toEqual([]);
    return Object.fromEntries(
      runModel(regexp, modelForRuleFile(model, rules))
        .filter((d) => d.source.file === "legacy.yaml")
        .map((d) => [d.subject, d.suppressed ?? null]),
    );
  };
  const first = `      ${rule("First", "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05")}`;

  it("reads a YAML comment on the line above the rule", () => {
    const text = file(
      `${first}\n      # o11y-disable promql/regexp: vendor pack\n      ${rule("A", bad)}\n      ${rule("B", bad)}`,
    );
    expect(suppressedIn(text)).toEqual({ "alert A": "vendor pack", "alert B": null });
  });

  it("reads a YAML comment at the end of the expr line", () => {
    const text = file(`${first}\n      ${rule("A", `${bad}  # o11y-disable promql/regexp: vendor pack`)}`);
    expect(suppressedIn(text)).toEqual({ "alert A": "vendor pack" });
  });

  it("reads a directive inside a block scalar", () => {
    const text = file(
      `${first}\n      - alert: A\n        expr: |\n          ${bad}\n          # o11y-disable promql/regexp: vendor pack`,
    );
    expect(suppressedIn(text)).toEqual({ "alert A": "vendor pack" });
  });

  it("reports a YAML comment without a reason", () => {
    const text = file(`${first}\n      # o11y-disable promql/regexp\n      ${rule("A", bad)}`);
    const rules = readRuleFile("legacy.yaml", text, "1m");
    const found = runModel(regexp, modelForRuleFile(model, rules)).filter(
      (d) => d.source.file === "legacy.yaml",
    );
    expect(found.map((d) => [d.check, d.subject, d.source.line, d.suppressed])).toEqual([
      ["check/suppression", "alert A", 8, undefined],
      ["promql/regexp", "alert A", 8, undefined],
    ]);
  });

  it("reads a YAML comment above the first rule of a group", () => {
    const text = file(`      # o11y-disable promql/regexp: vendor pack\n      ${rule("A", bad)}`);
    expect(suppressedIn(text)).toEqual({ "alert A": "vendor pack" });
  });

  it("reads a YAML comment on its own line above expr:", () => {
    const text = file(
      `${first}\n      - alert: A\n        # o11y-disable promql/regexp: vendor pack\n        expr: ${bad}`,
    );
    expect(suppressedIn(text)).toEqual({ "alert A": "vendor pack" });
  });
});
