/**
 * What `o11y import rules` does with each part of a rule file, on a hand-made one: a group of recording rules and
 * alerts (split in two), its interval and limit (reported), `for` (written out where absent) and `keep_firing_for`
 * (kept), labels and annotations with their Go templates (kept), a runbook_url into RUNBOOK.md (the `runbook` link),
 * alerts that share a name (one constant each), thresholds and a traffic guard (named, with their units), recording
 * rules read by interpolation (except one read above its definition), an alert without a comparison (debt), unknown
 * metrics (catalog entries); then the copy builds green and its rule files say what the source said.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectRoot } from "../../src/engine/source.ts";
import { project } from "../../src/project.ts";
import { readTree } from "../helpers/cli.ts";
import { editIn, o11yIn, projectCopies } from "../helpers/copy.ts";

const runbookUrl = project.settings.runbookUrl;
const source = `# A shop's rules, written for this test.
groups:
  - name: shop
    interval: 1m
    limit: 10
    rules:
      - record: job:shop_orders:rate5m
        expr: sum by (job) (rate(shop_orders_total[5m]))
      - record: job:shop_orders_failed:ratio_rate5m
        expr: sum by (job) (rate(shop_orders_total{outcome="failed"}[5m])) / job:shop_orders:rate5m
      - record: job:shop_orders:early
        expr: job:shop_orders:late * 2
      - record: job:shop_orders:late
        expr: job:shop_orders:rate5m
        labels:
          tier: "1"
      - alert: ShopOrdersFailing
        expr: |
          job:shop_orders_failed:ratio_rate5m > .05
          and on (job)
          sum by (job) (increase(shop_orders_total[5m])) >= 50
        for: 10m
        keep_firing_for: 15m
        labels:
          severity: critical
          team: shop
        annotations:
          summary: Orders fail.
          description: "{{ $value | humanizePercentage }} of orders on {{ $labels.job }} failed."
          runbook_url: ${runbookUrl}#alert-high-5xx-error-rate
      - alert: ShopDown
        expr: up{job="shop"} == 0
        labels:
          severity: warning
        annotations:
          runbook_url: https://wiki.example.com/ops/RUNBOOK.md#alert-metrics-endpoint-down
      - alert: ShopDown
        expr: up{job="shop"} == 0
        for: 15m
        labels:
          severity: critical
      - alert: Watchdog
        expr: vector(1)
        labels:
          severity: none
`;

/** The line of the source where `text` first is. */
const lineOf = (text: string) => source.slice(0, source.indexOf(text)).split("\n").length;

const dir = projectCopies("o11y-import-rules-features-")();
cpSync(path.join(projectRoot, ".prettierrc.json"), path.join(dir, ".prettierrc.json"));
// keep_firing_for needs vmalert 1.91 or later; the project's VictoriaMetrics output names 1.79.5 (rules-bad-input).
editIn(dir, "src/config.ts", 'victoriaMetrics: { vmalertVersion: "1.79.5" },', "");
const file = path.join(mkdtempSync(path.join(tmpdir(), "o11y-import-rules-features-")), "shop.yml");
writeFileSync(file, source);
let report = "";
let src: Map<string, string>;
let build: ReturnType<typeof o11yIn>;

beforeAll(() => {
  const result = o11yIn(dir, ["import", "rules", file]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  report = result.stdout;
  src = readTree(path.join(dir, "src"));
  build = o11yIn(dir, ["build"]);
}, 600_000);

type Rule = Record<string, unknown> & { alert?: string; record?: string; labels?: Record<string, string> };
const built = (kind: string, name: string) =>
  (
    parse(readFileSync(path.join(dir, "build/prometheus/rules", kind, `${name}.yaml`), "utf8")) as {
      groups: { name: string; interval: string; rules: Rule[] }[];
    }
  ).groups[0]!;

describe("o11y import rules, part by part", () => {
  it.each([
    [
      "the mixed group is split",
      /group shop: is split into global-sovereign-shop-recording \(its recording rules\) and global-sovereign-shop-alerts \(its alerts\)/,
    ],
    [
      "its interval is the project's",
      /group shop: is evaluated every 30s \(the project's evaluationInterval, src\/config\.ts\), not every 1m/,
    ],
    ["its limit is not kept", /group shop: its limit \(10\) is not kept/],
    [
      "a missing for is written out",
      new RegExp(`alert ShopDown \\(line ${lineOf("alert: ShopDown")}\\): has \`for: 0s\``),
    ],
    [
      "a threshold's spelling",
      /alert ShopOrdersFailing \(line 17\): `> \.05` is written `> 0\.05` in its expression/,
    ],
    [
      "a runbook under another URL",
      new RegExp(
        `alert ShopDown \\(line ${lineOf("alert: ShopDown")}\\): its runbook_url https://wiki\\.example\\.com/ops/RUNBOOK\\.md#alert-metrics-endpoint-down becomes `,
      ),
    ],
    ["each threshold with its unit and why", /thresholds\.shopOrdersFailing: > 0\.05 ratio \(/],
    ["the traffic guard", /thresholds\.shopOrdersFailingTraffic: >= 50 count \(the least traffic/],
    ["states compared for equality", /thresholds\.shopDownCritical: == 0 bool/],
    [
      "the unknown metric",
      /shop_orders_total: counter \(ends in _total; read with rate\(\) or increase\(\)\)/,
    ],
    [
      "where the imported alerts notify, and how many may page",
      /where the imported alerts notify through this project's Alertmanager \(4; [1-4] may page\)/,
    ],
    ["that a critical alert pages", /alert ShopOrdersFailing \(line 17\): pages, first after \S+; receiver /],
    [
      "an alert without a comparison, as debt",
      /alert Watchdog \(line \d+\): alerts\/threshold: imported from shop\.yml: the expression does not end in a comparison/,
    ],
  ])("reports %s", (_name, line) => {
    expect(report).toMatch(line);
  });

  it("writes the recording rules with those they read interpolated, but one read above its definition", () => {
    const rules = src.get("recording-rules/shop.ts")!;
    expect(rules).toContain(
      'import { debt, importedRecordingRule } from "../engine/define/imported-rules.ts";',
    );
    expect(rules).toMatch(
      /export const jobShopOrdersFailedRatioRate5m = importedRecordingRule\(\{[^]*?expr: `[^`]*\/ \$\{jobShopOrdersRate5m\}`/,
    );
    // job:shop_orders:late is defined below: a reference would read it before it exists.
    expect(rules).toMatch(/record: "job:shop_orders:early",\s+expr: `job:shop_orders:late \* 2`/);
    expect(rules).toMatch(/labels: \{ tier: "1" \}/);
    expect(rules).toContain('export const shopRules = ruleGroup("shop-recording", [');
  });

  it("writes the alerts with their thresholds, links and fields kept", () => {
    const alerts = src.get("alerts/shop.ts")!;
    expect(alerts).toContain("${jobShopOrdersFailedRatioRate5m} ${thresholds.shopOrdersFailing}");
    expect(alerts).toContain("${thresholds.shopOrdersFailingTraffic}");
    expect(alerts).toMatch(
      /threshold: thresholds\.shopOrdersFailing,\s+trafficGuard: thresholds\.shopOrdersFailingTraffic,/,
    );
    expect(alerts).toContain('keepFiringFor: "15m"');
    expect(alerts).toContain('runbook: "High 5xx Error Rate"');
    expect(alerts).toContain('runbook: "Metrics Endpoint Down"');
    expect(alerts).toContain('"{{ $value | humanizePercentage }} of orders on {{ $labels.job }} failed."');
    // Two alerts named ShopDown: one constant each, the second told apart by its severity.
    expect(alerts).toMatch(/export const shopDown = importedAlert\(/);
    expect(alerts).toMatch(/export const shopDownCritical = importedAlert\(/);
    expect(alerts).toContain('export const shopAlerts = ruleGroup("shop-alerts", [');
    const thresholds = src.get("alerts/thresholds.ts")!;
    expect(thresholds).toMatch(/shopOrdersFailing: above\(0\.05, "ratio"\),/);
    expect(thresholds).toMatch(/shopOrdersFailingTraffic: atLeast\(50, "count"\),/);
    expect(thresholds).toMatch(/shopDown: equalTo\(0, "bool"\),/);
    expect(thresholds).toMatch(
      /Imported from alert ShopOrdersFailing \(shop\.yml:17\): `> 0\.05`\. Unit ratio: /,
    );
    expect(src.get("catalog/imported.ts")).toMatch(
      /shopOrdersTotal = importedMetric\(\{[^]*?type: "counter"/,
    );
  });

  it("builds green, and the rule files say what the source said", () => {
    expect(
      build.stderr.split("\n").filter((l) => / error /.test(l) && !l.includes("suppressed error")),
    ).toEqual([]);
    expect(build.code, build.stderr.slice(-3000)).toBe(0);
    const recording = built("recording", "shop");
    expect(recording.name).toBe("global-sovereign-shop-recording");
    expect(recording.rules.map((r) => r.record)).toEqual([
      "job:shop_orders:rate5m",
      "job:shop_orders_failed:ratio_rate5m",
      "job:shop_orders:early",
      "job:shop_orders:late",
    ]);
    expect(recording.rules[3]!.labels).toEqual({ tier: "1" });
    const alerts = built("alerts", "shop").rules;
    expect(alerts.map((a) => [a.alert, a.labels?.severity, a.for])).toEqual([
      ["ShopOrdersFailing", "critical", "10m"],
      ["ShopDown", "warning", "0s"],
      ["ShopDown", "critical", "15m"],
      ["Watchdog", "none", "0s"],
    ]);
    expect(alerts[0]).toMatchObject({
      expr: "job:shop_orders_failed:ratio_rate5m > 0.05\nand on (job)\nsum by (job) (increase(shop_orders_total[5m])) >= 50\n",
      keep_firing_for: "15m",
      labels: { severity: "critical", team: "shop" },
      annotations: {
        summary: "Orders fail.",
        description: "{{ $value | humanizePercentage }} of orders on {{ $labels.job }} failed.",
        runbook_url: `${runbookUrl}#alert-high-5xx-error-rate`,
      },
    });
    expect(alerts[1]!.annotations).toEqual({ runbook_url: `${runbookUrl}#alert-metrics-endpoint-down` });
    expect(alerts[3]!.expr).toBe("vector(1)");
  });

  it("reads standard input for -, and names it <stdin>", () => {
    const result = spawnSync(
      process.execPath,
      [path.join(dir, "bin/o11y.js"), "import", "rules", "--dry-run", "-"],
      {
        cwd: dir,
        // The same rules under names the copy does not have yet.
        input: source
          .replace("- name: shop", "- name: stdin-shop")
          .replaceAll("job:shop_orders", "job:stdin_orders")
          .replaceAll("alert: Shop", "alert: StdinShop")
          .replace("alert: Watchdog", "alert: StdinWatchdog"),
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("wrote src/alerts/stdin-shop.ts");
    expect(result.stdout).toMatch(/imported from <stdin>: /);
    expect(readTree(path.join(dir, "src"))).toEqual(src);
  });
});
