/**
 * An SLO of our own (not the project's) expanded into rules, alerts and tests: the workbook's factors, Sloth's series
 * and labels and its rule count, and promtool passing every generated test, the boundaries included.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { allChecks } from "../../src/engine/check/checks/index.ts";
import { checkModel } from "../../src/engine/check/run.ts";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { burnFactor, burnRateAlerts, expandSlo } from "../../src/engine/compile/slo.ts";
import { counter } from "../../src/engine/define/catalog.ts";
import { sloDashboard } from "../../src/engine/define/slo-dashboard.ts";
import { errorRatio, events, slo, type SloDefinition } from "../../src/engine/define/slo.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
import { project } from "../../src/project.ts";
import { run } from "../helpers/tools.ts";

const orders = counter({
  name: "shop_orders_total",
  help: "Orders placed, by outcome.",
  unit: "short",
  labels: { job: "Scrape job.", outcome: "ok or failed." },
  origin: { kind: "exporter", detail: "the shop's exporter", status: "exported" },
});
const testSeries = {
  good: 'shop_orders_total{job="shop", outcome="ok"}',
  bad: 'shop_orders_total{job="shop", outcome="failed"}',
};
const checkout = slo({
  service: "shop",
  name: "checkout",
  title: "Checkout",
  description: "orders placed without failure",
  objective: 99.5,
  objectiveReason: "a fixture",
  sli: events({
    errors: 'sum(rate(shop_orders_total{job="shop", outcome="failed"}[{{window}}]))',
    total: 'sum(rate(shop_orders_total{job="shop"}[{{window}}]))',
    testSeries,
  }),
  alerting: {
    name: "Checkout",
    team: "shop",
    page: { severity: "critical", runbook: "Checkout Budget Burn (page)" },
    ticket: { severity: "low", runbook: "Checkout Budget Burn (ticket)" },
  },
  labels: { tier: "1" },
});
const search = slo({
  service: "shop",
  name: "search",
  title: "Search",
  description: "searches that work",
  objective: 95,
  objectiveReason: "a fixture with a large budget",
  period: "30d",
  sli: errorRatio(
    'sum(rate(shop_orders_total{job="shop", outcome="failed"}[{{window}}])) / sum(rate(shop_orders_total{job="shop"}[{{window}}]))',
    testSeries,
  ),
  alerting: {
    name: "Search",
    team: "shop",
    page: { severity: "high", runbook: "Search Budget Burn (page)" },
    ticket: { severity: "medium", runbook: "Search Budget Burn (ticket)" },
  },
});
const dashboard = sloDashboard({
  uid: "fixture-slos",
  title: "Fixture SLOs",
  description: "SLOs of the fixture.",
  tags: [],
  anchorMetric: "shop_orders_total",
  defaultDatasourceUid: "prometheus",
  defaultJob: "shop",
  defaultPeriod: "28d",
  slos: [checkout, search],
});

describe("burn-rate factors", () => {
  it("derives the workbook's factors from the budget share and the period", () => {
    const factors = (period: string) => burnRateAlerts.map((a) => burnFactor(a.budgetShare, period, a.long));
    expect(factors("30d")).toEqual([14.4, 6, 3, 1]);
    expect(factors("28d")).toEqual([13.44, 5.6, 2.8, 0.9333333333]);
  });
});

describe("expandSlo", () => {
  const expanded = expandSlo(checkout, "28d");
  const rules = expanded.recordingRuleGroups.flatMap((g) => g.rules);
  const alerts = expanded.alertGroups.flatMap((g) => g.rules);

  it("records Sloth's series with Sloth's labels", () => {
    expect(rules.map((r) => r.record)).toEqual([
      "slo:sli_error:ratio_rate5m",
      "slo:sli_error:ratio_rate30m",
      "slo:sli_error:ratio_rate1h",
      "slo:sli_error:ratio_rate2h",
      "slo:sli_error:ratio_rate6h",
      "slo:sli_error:ratio_rate1d",
      "slo:sli_error:ratio_rate3d",
      "slo:sli_error:ratio_rate28d",
      "slo:objective:ratio",
      "slo:error_budget:ratio",
      "slo:time_period:days",
      "slo:current_burn_rate:ratio",
      "slo:period_burn_rate:ratio",
      "slo:period_error_budget_remaining:ratio",
      "sloth_slo_info",
    ]);
    const ids = { sloth_id: "shop-checkout", sloth_service: "shop", sloth_slo: "checkout", tier: "1" };
    expect(rules[0]!.labels).toEqual({ ...ids, sloth_window: "5m" });
    expect(rules[7]!.labels).toEqual({ ...ids, sloth_window: "28d" });
    expect(rules[8]!.labels).toEqual(ids);
    expect(rules[14]!.labels).toEqual({ ...ids, sloth_objective: "99.5" });
    expect(rules[8]!.expr).toBe("vector(0.995)");
    expect(rules[9]!.expr).toBe("vector(0.005)");
    expect(rules[10]!.expr).toBe("vector(28)");
    expect(rules[7]!.expr).toContain("sum_over_time(slo:sli_error:ratio_rate5m{");
    expect(rules[2]!.expr).toContain("[1h]");
  });

  it("costs what Sloth's rules for the same spec cost: the same 15 recorded series, alerts that read 8 selectors", () => {
    // Sloth's output for one SLO (examples/_gen/getting-started.yml in slok/sloth): 8 SLI recordings
    // (7 windows and the period), 7 metadata recordings and 2 alerts (page and ticket, each the `or` of two window
    // pairs, so 4 selectors each). Ours: the same 15 recordings, and one alert per window pair of 2 selectors each.
    const slothRecordings = 8 + 7;
    const slothAlertSelectors = 2 * 4;
    expect(rules).toHaveLength(slothRecordings);
    expect(alerts).toHaveLength(4);
    const selectors = alerts.flatMap((a) => a.expr.match(/slo:sli_error:ratio_rate\w+\{/g) ?? []);
    expect(selectors).toHaveLength(slothAlertSelectors);
    // Every window Sloth reads, and no other.
    expect(new Set(selectors)).toEqual(
      new Set(["5m", "30m", "1h", "2h", "6h", "1d", "3d"].map((w) => `slo:sli_error:ratio_rate${w}{`)),
    );
  });

  it("pages on 1h and 5m at 13.44x, 6h and 30m at 5.6x; tickets on 1d and 2h at 2.8x, 3d and 6h at 0.93x", () => {
    expect(alerts.map((a) => [a.name, a.severity, a.labels?.["sloth_severity"], a.threshold.value])).toEqual([
      ["CheckoutBudgetBurnPage1h", "critical", "page", 13.44],
      ["CheckoutBudgetBurnPage6h", "critical", "page", 5.6],
      ["CheckoutBudgetBurnTicket1d", "low", "ticket", 2.8],
      ["CheckoutBudgetBurnTicket3d", "low", "ticket", 0.9333333333],
    ]);
    expect(alerts[0]!.expr).toBe(
      'slo:sli_error:ratio_rate1h{sloth_id="shop-checkout", sloth_service="shop", sloth_slo="checkout"} / 0.005 > 13.44\n' +
        "and ignoring (sloth_window)\n" +
        'slo:sli_error:ratio_rate5m{sloth_id="shop-checkout", sloth_service="shop", sloth_slo="checkout"} / 0.005 > 13.44',
    );
    expect(alerts[0]!.dashboard.panel).toBe(103);
  });

  it("tests each alert just above and below its factor, before the long window has seen it, and after a burst", () => {
    for (const alert of alerts) {
      const names = alert.tests.map((t) => t.name);
      expect(names, alert.name).toHaveLength(5);
      expect(alert.tests.map((t) => t.value / alert.threshold.value).slice(1, 3)).toEqual([
        expect.closeTo(1.05, 6),
        expect.closeTo(0.95, 6),
      ]);
    }
  });
});

describe("generated tests", () => {
  const model = compileModel({
    ...project,
    metrics: [...project.metrics, orders],
    dashboards: [dashboard],
    alertGroups: [],
    recordingRuleGroups: [],
    slos: [checkout, search],
    sloPeriod: "28d",
    runbook: {
      file: "RUNBOOK.md",
      text: ["Checkout", "Search"]
        .flatMap((s) => ["page", "ticket"].map((k) => `### Alert: ${s} Budget Burn (${k})\n**Trigger**: x\n`))
        .join("\n"),
    },
  });
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-slo-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are held to the alert and rule checks like hand-written ones, and pass them", () => {
    const checks = allChecks.filter((c) => /^(alerts|rules|slo)\//.test(c.id) && c.id !== "alerts/runbook");
    const found = checkModel(model, checks).filter((d) => !d.subject.startsWith("runbook"));
    expect(found.map((d) => `${d.check} ${d.subject}: ${d.message}`)).toEqual([]);
  });

  it("pass promtool, each boundary included", () => {
    const files = renderPrometheus(model).filter((a) => a.path.startsWith("prometheus/"));
    for (const file of files) {
      mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      writeFileSync(path.join(dir, file.path), file.content);
    }
    const tests = files.filter((f) => f.path.includes("/tests/")).map((f) => f.path);
    expect(tests).toHaveLength(2 * (2 + 4));
    const result = run("promtool", ["test", "rules", ...tests], dir);
    expect(result.code, result.output).toBe(0);
  }, 120_000);
});
