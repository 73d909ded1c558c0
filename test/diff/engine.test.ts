/** The pure part of `o11y diff`: two builds in, a report out. Builds here are the fixture project's (test/diff/fixture), edited as files. */
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { diffArtifacts, isEmpty, loosened } from "../../src/engine/diff/diff.ts";
import {
  commentLimit,
  commentMarker,
  renderJson,
  renderMarkdown,
  truncate,
} from "../../src/engine/diff/render.ts";
import { ArtifactError, type ArtifactFile } from "../../src/engine/diff/snapshot.ts";
import { topComparison } from "../../src/engine/promql/comparison.ts";
import { alertsIn, base, diff, edited, model, panel, rule, type Doc } from "./build.ts";

describe("o11y diff, the engine", () => {
  it("finds nothing between a build and itself, and says so in one line", () => {
    const report = diff(base);
    expect(isEmpty(report)).toBe(true);
    expect(renderMarkdown(report)).toBe(
      `${commentMarker} No changes to alerts, recording rules or dashboards between base and head.\n`,
    );
  });

  it("finds nothing when every file is reformatted and reordered", () => {
    const reversedKeys = (value: Doc): Doc =>
      Array.isArray(value)
        ? value.map(reversedKeys)
        : value && typeof value === "object"
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reversedKeys(v)]),
            )
          : value;
    const head = base.map((file) => {
      if (file.path === "manifest.json") return file;
      const doc = file.path.endsWith(".json") ? JSON.parse(file.content) : parse(file.content);
      for (const group of doc.groups ?? []) {
        // A group's recording rules keep their order: Prometheus evaluates them in it (rules/evaluation-order).
        if (file.path.includes("/alerts/")) group.rules.reverse();
        // PromQL is free-form: spread every expression over lines.
        for (const r of group.rules)
          r.expr = `\n${String(r.expr).replace(/\(/g, "(\n    ").replace(/\)/g, "\n)")}\n`;
      }
      if (Array.isArray(doc.panels)) doc.panels.reverse();
      doc.templating?.list.reverse();
      const reordered = reversedKeys(doc);
      return {
        path: file.path,
        content: file.path.endsWith(".json")
          ? JSON.stringify(reordered)
          : stringify(reordered, { indent: 4, defaultStringType: "QUOTE_DOUBLE", lineWidth: 40 }),
      };
    });
    expect(head.every((f, i) => f.path === "manifest.json" || f.content !== base[i]!.content)).toBe(true);
    const report = diff(head);
    expect(report).toMatchObject({
      attention: [],
      alerts: [],
      routing: { changes: [], alerts: [] },
      recordingRules: [],
      dashboards: [],
      files: [],
      findings: [],
    });
  });

  it("reports recording rules reordered within their group: a rule moved above the one it reads runs on the previous evaluation", () => {
    const head = edited({
      "prometheus/rules/recording/latency.yaml": (doc) => doc.groups[0].rules.reverse(),
    });
    expect(diff(head).findings.map((f) => [f.check, f.subject])).toEqual([
      ["rules/evaluation-order", "recording rule job:shop_http_request_duration_seconds:p95_rate5m"],
    ]);
  });

  it("flags each text a threshold change left stating the old number, and none that moved with it", () => {
    const moved = (summary?: string, panelDescription?: string) =>
      edited({
        "prometheus/rules/alerts/http.yaml": (doc) => {
          const alert = alertsIn(doc)[0];
          alert.expr = alert.expr.replace("> 0.05", "> 0.08");
          if (summary !== undefined) alert.annotations.summary = summary;
        },
        "grafana/dashboards/shop-overview.json": (doc) => {
          if (panelDescription !== undefined) panel(doc, 301).description = panelDescription;
        },
      });
    const stale = (head: ArtifactFile[]) =>
      diff(head).attention.filter((f) => f.id === "threshold-text-stale");
    expect(stale(moved(undefined, "Red above 5% of requests."))).toEqual([
      {
        id: "threshold-text-stale",
        subject: "alert ShopHigh5xxErrorRate",
        message: 'its threshold moved from 0.05 to 0.08, but its summary still says "more than 5%"',
      },
      {
        id: "threshold-text-stale",
        subject: "alert ShopHigh5xxErrorRate",
        message:
          'its threshold moved from 0.05 to 0.08, but the description of the panel it opens (shop-overview › panel 301) still says "above 5%"',
      },
    ]);
    expect(stale(moved("The shop answers more than 8% of requests with a 5xx error."))).toEqual([]);
    // Unmoved, the same texts are no finding.
    expect(diff(base).attention).toEqual([]);
  });

  it("raises every attention flag, first, with a stable id", () => {
    const head = edited({
      "prometheus/rules/alerts/http.yaml": (doc) => {
        const alert = alertsIn(doc)[0];
        alert.for = "10m";
        alert.annotations.runbook_url = alert.annotations.runbook_url.replace(
          "#alert-shop-5xx-errors",
          "#errors",
        );
      },
      "prometheus/rules/alerts/latency.yaml": (doc) => {
        alertsIn(doc)[0].expr = alertsIn(doc)[0].expr.replace("> 0.5", "> 0.6");
      },
      "prometheus/rules/alerts/queue.yaml": (doc) => {
        rule(doc, "QueueLagHigh").labels.severity = "low";
      },
      "prometheus/rules/alerts/order.yaml": (doc) => {
        doc.groups[0].rules = [];
      },
      "grafana/dashboards/shop-overview.json": (doc) => {
        doc.panels = doc.panels.filter((p: Doc) => p.id !== 501);
        panel(doc, 102).targets = [];
      },
    });
    const report = diff(head);
    expect(report.attention).toEqual([
      {
        id: "for-lengthened",
        subject: "alert ShopHigh5xxErrorRate",
        message: "`for` lengthened from 5m to 10m: it fires later",
      },
      {
        id: "link-changed",
        subject: "alert ShopHigh5xxErrorRate",
        message:
          "runbook_url changed from https://example.com/shop/RUNBOOK.md#alert-shop-5xx-errors to https://example.com/shop/RUNBOOK.md#errors: the section the new one opens is not in the runbook",
      },
      {
        id: "notify-slower",
        subject: "alert ShopHigh5xxErrorRate",
        message: "time to first notice ~5m10s → ~10m10s (for 5m → 10m, group_wait 10s)",
      },
      {
        id: "threshold-loosened",
        subject: "alert ShopLatencyHigh",
        message: "threshold loosened from > 0.5 (500ms) to > 0.6 (600ms): it fires less",
      },
      {
        id: "alert-removed",
        subject: "alert OrdersFailingInRegions",
        message: "removed (it was medium): nothing alerts on this any more",
      },
      {
        id: "severity-lowered",
        subject: "alert QueueLagHigh",
        message:
          "severity lowered from high to low: its notifications go to shop-backlog (slack #shop-alerts) instead of shop-urgent (pagerduty, slack #shop-oncall)",
      },
      // Low goes to a receiver that does not page, and waits 15m: what lowering the severity does.
      {
        id: "paging-removed",
        subject: "alert QueueLagHigh",
        message:
          "no longer pages: shop-urgent (pagerduty, slack #shop-oncall) → shop-backlog (slack #shop-alerts)",
      },
      {
        id: "notify-slower",
        subject: "alert QueueLagHigh",
        message: "time to first notice ~6m → ~20m (for 5m, group_wait 1m → 15m)",
      },
      {
        id: "link-broken",
        subject: "alert TargetDown",
        message:
          "dashboard_url http://localhost:3000/d/shop-overview?viewPanel=501 points at panel 501 of dashboard shop-overview, which no longer exists",
      },
      // The threshold moved in the built file alone: the summary written from the old one is left behind.
      {
        id: "threshold-text-stale",
        subject: "alert ShopLatencyHigh",
        message: 'its threshold moved from 0.5 to 0.6, but its summary still says "above 500 ms"',
      },
      {
        id: "panel-without-queries",
        subject: 'dashboard shop-overview › panel 102 "p95 latency"',
        message: "has no query: it will show no data",
      },
    ]);
    expect(
      report.alerts.map((a) => [a.key, a.status, a.changes.map((c) => [c.field, c.before, c.after])]),
    ).toEqual([
      [
        "OrdersFailingInRegions",
        "removed",
        [
          ["threshold", ">= 3", undefined],
          ["for", "10m", undefined],
          ["severity", "medium", undefined],
        ],
      ],
      ["QueueLagHigh", "changed", [["severity", "high", "low"]]],
      [
        "ShopHigh5xxErrorRate",
        "changed",
        [
          ["for", "5m", "10m"],
          [
            "annotation runbook_url",
            "https://example.com/shop/RUNBOOK.md#alert-shop-5xx-errors",
            "https://example.com/shop/RUNBOOK.md#errors",
          ],
        ],
      ],
      ["ShopLatencyHigh", "changed", [["threshold", "> 0.5 (500ms)", "> 0.6 (600ms)"]]],
    ]);
    const markdown = renderMarkdown(report);
    expect(markdown.indexOf("### Needs attention")).toBeLessThan(markdown.indexOf("### Alerts"));
    expect(markdown).toContain(
      "- **`alert-removed`** alert OrdersFailingInRegions: removed (it was medium): nothing alerts on this any more",
    );
    expect(markdown).toContain(
      "| `shop-overview` Shop Overview | 102 `p95 latency` | query A | `histogram_quantile",
    );
    // A removed panel in full: what it drew, in what unit, from which query, and the alert that opened it.
    expect(markdown).toContain(
      '|  | 501 `Target up`<br>opened by `TargetDown` | **removed** type | `timeseries` |  |\n|  |  | unit | `bool` |  |\n|  |  | thresholds | `1` |  |\n|  |  | query A | `max by (instance) (up{job=~"$job", instance=~"$instance"})` |  |\n',
    );
  });

  it("shows a threshold change as the threshold, and any other change to the expression as a line diff", () => {
    const guarded =
      (traffic: number, threshold = 0.05) =>
      (doc: Doc) => {
        alertsIn(doc)[0].expr =
          `job:shop_http_requests_5xx:ratio_rate5m > ${threshold}\nand on (job)\njob:shop_http_requests:rate5m > ${traffic}`;
      };
    const before = edited({ "prometheus/rules/alerts/http.yaml": guarded(1) });
    const changes = (head: ArtifactFile[]) =>
      diffArtifacts(before, head, { base: "base", head: "head" }).alerts.flatMap((a) =>
        a.changes.map((c) => [c.field, c.lines ?? [c.before, c.after]]),
      );
    // In the unit of the panel that draws it (a ratio drawn as percentunit).
    expect(changes(edited({ "prometheus/rules/alerts/http.yaml": guarded(1, 0.06) }))).toEqual([
      ["threshold", ["> 0.05 (5%)", "> 0.06 (6%)"]],
    ]);
    expect(changes(edited({ "prometheus/rules/alerts/http.yaml": guarded(2) }))).toEqual([
      [
        "expr",
        [
          { op: " ", line: "job:shop_http_requests_5xx:ratio_rate5m > 0.05" },
          { op: " ", line: "and on (job)" },
          { op: "-", line: "job:shop_http_requests:rate5m > 1" },
          { op: "+", line: "job:shop_http_requests:rate5m > 2" },
        ],
      ],
    ]);
  });

  it("reads thresholds in the direction that fires less", () => {
    const loose = (before: string, after: string) =>
      loosened(topComparison(`x ${before}`), topComparison(`x ${after}`));
    expect([loose("> 1", "> 2"), loose(">= 1", ">= 2"), loose(">= 1", "> 1"), loose("> 1", ">= 2")]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([loose("< 1", "< 0.5"), loose("<= 1", "< 1"), loose("<= 1", "<= 0")]).toEqual([true, true, true]);
    expect([
      loose("> 2", "> 1"),
      loose("> 1", ">= 1"),
      loose("< 1", "< 2"),
      loose("> 1", "< 5"),
      loose("== 1", "== 2"),
      loose("> 1", "> 1"),
    ]).toEqual([false, false, false, false, false, false]);
  });

  it("lists the alerts and panels that use a changed recording rule", () => {
    const name = "job:shop_http_requests_5xx:ratio_rate5m";
    const before: string = rule(
      parse(base.find((f) => f.path === "prometheus/rules/recording/http.yaml")!.content),
      name,
    ).expr;
    const after = before.replace('status=~"5.."', 'status=~"5..|429"');
    const head = edited({
      "prometheus/rules/recording/http.yaml": (doc) => void (rule(doc, name).expr = after),
    });
    const report = diff(head);
    const changedLine = (text: string) => text.split("\n").find((l) => l.includes("status=~"))!;
    expect(report.recordingRules).toEqual([
      {
        status: "changed",
        key: name,
        changes: [
          {
            field: "expr",
            before,
            after,
            lines: before.split("\n").flatMap((line) =>
              line.includes("status=~")
                ? [
                    { op: "-", line },
                    { op: "+", line: changedLine(after) },
                  ]
                : [{ op: " ", line }],
            ),
          },
        ],
        dependents: [{ kind: "alert", subject: "alert ShopHigh5xxErrorRate", via: [] }],
      },
    ]);
    expect(report.attention).toEqual([]);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain(`| \`${name}\` | expr | \`…tal{status=~"5.."}[5m]))`);
    expect(markdown).toContain(`- \`${name}\`; read by 1 dependent:\n  - alert ShopHigh5xxErrorRate\n`);
    expect(markdown).toContain(`\n- ${changedLine(before)}\n+ ${changedLine(after)}\n`);
  });

  it("reports check findings that are new in the head, not the ones the base had too", () => {
    const withRegexp = (files: ArtifactFile[]) =>
      edited(
        {
          "grafana/dashboards/shop-overview.json": (doc) => {
            const target = panel(doc, 101).targets[0];
            target.expr = target.expr.replace(
              'instance=~"$instance"',
              'instance=~"$instance", method=~"GET"',
            );
          },
        },
        files,
      );
    const findings = diff(withRegexp(base)).findings;
    expect(findings.map((f) => [f.check, f.severity, f.subject, f.message])).toEqual([
      [
        "promql/regexp",
        "warning",
        'dashboard shop-overview › panel 101 "Request rate" › query A',
        'method=~"GET" has no regex metacharacters',
      ],
    ]);
    expect(
      diffArtifacts(withRegexp(base), withRegexp(base), { base: "base", head: "head", model }).findings,
    ).toEqual([]);
  });

  it("reports group intervals, dashboard variables and other files by what they contain", () => {
    const head = edited({
      "prometheus/rules/alerts/latency.yaml": (doc) => {
        doc.groups[0].interval = "2m";
      },
      "prometheus/rules/recording/queue.yaml": (doc) => {
        doc.groups[0].rules.push({ ...doc.groups[0].rules[0], labels: { tier: "2" } });
      },
      "grafana/dashboards/shop-queue.json": (doc) => {
        const job = doc.templating.list.find((v: Doc) => v.name === "job");
        job.current = { text: "other", value: ["other"] };
        doc.title = "Queue";
      },
      "alertmanager/alertmanager.yml": (doc) => {
        doc.route.routes[0].repeat_interval = "1h";
      },
    });
    const report = diff(head);
    expect(report.alerts).toEqual([
      {
        status: "changed",
        key: "ShopLatencyHigh",
        changes: [{ field: "interval", before: "30s", after: "2m" }],
      },
    ]);
    // A recording rule is the series it writes: the same name with other labels is another rule.
    expect(report.recordingRules.map((r) => [r.status, r.key, r.dependents.map((d) => d.subject)])).toEqual([
      [
        "added",
        'job_queue:shop_queue_pending_messages:max{tier="2"}',
        ["alert QueueLagHigh", 'dashboard shop-queue › panel 101 "Pending messages"'],
      ],
    ]);
    expect(
      report.dashboards.map((d) => [d.key, d.changes.map((c) => [c.field, c.before, c.after]), d.panels]),
    ).toEqual([
      [
        "shop-queue",
        [
          ["title", "Shop Queue", "Queue"],
          ["variable $job.current.text", "queue", "other"],
          ["variable $job.current.value", '["queue"]', '["other"]'],
        ],
        [],
      ],
    ]);
    // Routing is compared route by route, and followed to the alerts it routes.
    expect(report.files).toEqual([]);
    expect(report.routing.changes).toEqual([
      { field: 'route {severity="critical"} repeat_interval', before: "30m", after: "1h" },
    ]);
    expect(
      report.routing.alerts.map((a) => [
        a.alert,
        a.status,
        a.changed,
        a.before?.outcomes[0]?.routes[0]?.repeatInterval,
        a.after?.outcomes[0]?.routes[0]?.repeatInterval,
      ]),
    ).toEqual([
      // Touched by the other changes (a rule it reads, its group's interval): shown with its unchanged timing.
      ["QueueLagHigh", "unchanged", [], "1h", "1h"],
      // The SLO's page alerts are critical too.
      ...["ShopAvailabilityBudgetBurnPage1h", "ShopAvailabilityBudgetBurnPage6h"].map((name) => [
        name,
        "changed",
        ["repeat"],
        "30m",
        "1h",
      ]),
      ["ShopHigh5xxErrorRate", "changed", ["repeat"], "30m", "1h"],
      ["ShopLatencyHigh", "unchanged", [], "1h", "1h"],
    ]);
  });

  it("refuses an artifact it cannot read, naming the revision and the file", () => {
    const broken = (path: string, content: string) =>
      base.map((f) => (f.path === path ? { path, content } : f));
    expect(() =>
      diffArtifacts(broken("prometheus/rules/alerts/http.yaml", "groups: [\n"), base, {
        base: "base",
        head: "head",
      }),
    ).toThrow(ArtifactError);
    expect(() =>
      diffArtifacts(broken("prometheus/rules/alerts/http.yaml", "groups: [\n"), base, {
        base: "base",
        head: "head",
      }),
    ).toThrow(/^base: build\/prometheus\/rules\/alerts\/http\.yaml: not valid YAML/);
    expect(() =>
      diffArtifacts(base, broken("grafana/dashboards/shop-queue.json", "{"), {
        base: "base",
        head: "head",
      }),
    ).toThrow(/^head: build\/grafana\/dashboards\/shop-queue\.json: not valid JSON/);
    expect(() =>
      diffArtifacts(base, broken("prometheus/rules/alerts/http.yaml", "rules: []\n"), {
        base: "base",
        head: "head",
      }),
    ).toThrow(/not a Prometheus rule file/);
  });

  it("keeps a comment under GitHub's limit, closing an open code block and saying it was cut", () => {
    const long = `${commentMarker}\n## o11y diff\n\n\`\`\`diff\n${"- a line of an expression\n".repeat(5000)}\`\`\`\n`;
    const cut = truncate(long);
    expect(long.length).toBeGreaterThan(commentLimit);
    expect(cut.length).toBeLessThanOrEqual(commentLimit);
    expect(cut.match(/^```/gm)!.length % 2).toBe(0);
    expect(cut).toMatch(/\*\*Truncated:\*\* .*--format json/);
    const head = edited({
      "grafana/dashboards/shop-overview.json": (doc) =>
        doc.panels.forEach((p: Doc) => (p.title = `${p.title} ${"x".repeat(100)}`)),
    });
    // Long enough that 2000 characters cut it.
    expect(renderMarkdown(diff(head)).length).toBeGreaterThan(2000);
    const small = renderMarkdown(diff(head), 2000);
    expect(small.length).toBeLessThanOrEqual(2000);
    expect(small.startsWith(commentMarker)).toBe(true);
  });

  it("writes JSON with the same report", () => {
    const head = edited({ "prometheus/rules/alerts/order.yaml": (doc) => (doc.groups[0].rules = []) });
    const json = JSON.parse(renderJson(diff(head)));
    expect(json.summary).toBe("base → head: 1 alert (1 removed); 1 flag for review.");
    expect(json.attention.map((f: Doc) => f.id)).toEqual(["alert-removed"]);
    expect(json.alerts[0]).toMatchObject({ status: "removed", key: "OrdersFailingInRegions" });
  });
});
