/**
 * What a change does downstream, at the engine: routing followed to each alert, recording rules followed
 * to every reader, renamed and removed dashboards and panels, the noise left out, and the comment escaped.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderGithub, renderMarkdown } from "../../src/engine/diff/render.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { base, diff, edited, panel, rule, type Doc } from "./build.ts";

const alertmanager = "alertmanager/alertmanager.yml";
const route = (doc: Doc, severity: string): Doc =>
  doc.route.routes.find((r: Doc) => r.matchers[0] === `severity="${severity}"`);
const receiver = (doc: Doc, name: string): Doc => doc.receivers.find((r: Doc) => r.name === name);
const flags = (report: ReturnType<typeof diff>) => report.attention.map((f) => [f.id, f.subject, f.message]);

describe("routing, followed to every alert", () => {
  it("an alert whose receiver sends nothing any more is unrouted; Prometheus without an Alertmanager leaves every alert unrouted", () => {
    const silent = diff(
      edited({ [alertmanager]: (doc) => void (receiver(doc, "shop-backlog").slack_configs = undefined) }),
    );
    expect(flags(silent)).toEqual([
      [
        "alert-unrouted",
        "alert TargetDown",
        "no notification leaves Alertmanager: every receiver it reaches sends nothing: shop-backlog (sends nothing)",
      ],
    ]);
    expect(silent.routing.changes).toEqual([
      {
        field: "receiver shop-backlog",
        before: "slack #shop-alerts",
        after: "(no integration: sends nothing)",
      },
    ]);
    expect(
      silent.routing.alerts.map((a) => [
        a.alert,
        a.before?.firstNotice,
        a.after?.firstNotice,
        a.after?.silent,
      ]),
    ).toEqual([["TargetDown", "20m", undefined, "always"]]);

    const nowhere = diff(edited({ "prometheus/prometheus.yml": (doc) => void delete doc.alerting }));
    const every = nowhere.routing.alerts.map((a) => `alert ${a.alert}`);
    expect(nowhere.routing.alerts.every((a) => a.status === "changed" && a.after?.silent === "always")).toBe(
      true,
    );
    expect(
      nowhere.attention
        .filter((f) => f.id === "alert-unrouted")
        .map((f) => f.subject)
        .sort(),
    ).toEqual(every.sort());
    expect(nowhere.attention[0]!.message).toBe(
      "no notification leaves Alertmanager: prometheus/prometheus.yml names no Alertmanager (alerting.alertmanagers): Prometheus sends alerts nowhere",
    );
    expect(nowhere.attention.filter((f) => f.id === "paging-removed").map((f) => f.subject)).toEqual([
      "alert ShopHigh5xxErrorRate",
      "alert ShopLatencyHigh",
      "alert QueueLagHigh",
      // The SLO's page alerts (critical) page too.
      "alert ShopAvailabilityBudgetBurnPage1h",
      "alert ShopAvailabilityBudgetBurnPage6h",
    ]);
  });

  it("a route on a label the expression carries: the outcome depends on it, and a possible loss of paging is flagged", () => {
    const head = edited({
      [alertmanager]: (doc) => {
        doc.receivers.push({
          name: "api-chat",
          slack_configs: [{ channel: "#api", api_url_file: "/etc/alertmanager/secrets/slack-webhook-url" }],
        });
        route(doc, "high").routes = [{ receiver: "api-chat", matchers: ['job=~"api.*"'] }];
      },
    });
    const report = diff(head);
    const latency = report.routing.alerts.find((a) => a.alert === "ShopLatencyHigh")!;
    expect(latency.after).toMatchObject({ dependsOn: ["job"], pages: "depends" });
    expect(latency.after!.outcomes.map((o) => [o.when, o.routes.map((r) => r.receiver)])).toEqual([
      [['job=~"api.*"'], ["api-chat"]],
      [['job!~"api.*"'], ["shop-urgent"]],
    ]);
    expect(flags(report).find(([, subject]) => subject === "alert ShopLatencyHigh")).toEqual([
      "paging-removed",
      "alert ShopLatencyHigh",
      'may no longer page (depends on label job from the expression): shop-urgent (pagerduty, slack #shop-oncall) → job=~"api.*": api-chat (slack #api); job!~"api.*": shop-urgent (pagerduty, slack #shop-oncall)',
    ]);
    // A label the rule sets is known: the critical alert never reaches the high route, whatever its job.
    expect(report.routing.alerts.map((a) => a.alert)).not.toContain("ShopHigh5xxErrorRate");
    expect(report.routing.changes).toContainEqual({
      field: 'route {severity="high"} › {job=~"api.*"}',
      after: "receiver api-chat",
    });
  });

  it("inhibition: an alert that another can now silence says by which", () => {
    const head = edited({
      [alertmanager]: (doc) =>
        void (doc.inhibit_rules = [
          { source_matchers: ['severity="critical"'], target_matchers: ['severity="high"'], equal: ["job"] },
        ]),
    });
    const report = diff(head);
    const queue = report.routing.alerts.find((a) => a.alert === "QueueLagHigh")!;
    expect(queue.changed).toEqual(["inhibition"]);
    expect(queue.after!.inhibitedBy).toEqual([
      '{severity="critical"} inhibits {severity="high"} (equal: job): while ShopAvailabilityBudgetBurnPage1h, ShopAvailabilityBudgetBurnPage6h, ShopHigh5xxErrorRate fires',
    ]);
    // The project's own rules give way to the one rule the edit leaves.
    expect(report.routing.changes).toEqual([
      {
        field: "inhibit rule",
        before:
          '{severity="critical"} inhibits {severity=~"high|medium|low"} (equal: job, service, sloth_id)',
      },
      {
        field: "inhibit rule",
        before: '{severity="high"} inhibits {severity=~"medium|low"} (equal: job, service, sloth_id)',
      },
      { field: "inhibit rule", after: '{severity="critical"} inhibits {severity="high"} (equal: job)' },
    ]);
    expect(renderMarkdown(report)).toContain(
      '`QueueLagHigh` inhibition: {severity="critical"} inhibits {severity=~"high\\|medium\\|low"} (equal: job, service, sloth_id): no alert of this build matches its source → {severity="critical"} inhibits {severity="high"} (equal: job): while ShopAvailabilityBudgetBurnPage1h, ShopAvailabilityBudgetBurnPage6h, ShopHigh5xxErrorRate fires\n',
    );
  });

  it("routes swapped: the order of a route's children is a change, the alerts they route stay where they were", () => {
    const head = edited({
      [alertmanager]: (doc) =>
        void ([doc.route.routes[0], doc.route.routes[1]] = [doc.route.routes[1], doc.route.routes[0]]),
    });
    const report = diff(head);
    expect(report.routing.changes).toEqual([
      {
        field: "route root order of child routes",
        before: '{severity="critical"} ; {severity="high"} ; {severity="medium"} ; {severity="low"}',
        after: '{severity="high"} ; {severity="critical"} ; {severity="medium"} ; {severity="low"}',
      },
    ]);
    expect([report.routing.alerts, report.attention, report.files]).toEqual([[], [], []]);
  });

  it("first notice is `for` plus group_wait, for alerts whose route did not change too", () => {
    const head = edited({
      "prometheus/rules/alerts/queue.yaml": (doc) => void (doc.groups[0].rules[0].for = "7m"),
    });
    const queue = diff(head).routing.alerts.find((a) => a.alert === "QueueLagHigh")!;
    expect([
      queue.status,
      queue.changed,
      queue.before!.firstNotice,
      queue.after!.firstNotice,
      queue.after!.firstPage,
    ]).toEqual(["changed", ["first notice"], "6m", "8m", "8m"]);
  });
});

describe("recording rules, followed to every reader", () => {
  it("a rule that drops a label: the panels that print it and the alert that reads it, with what used it", () => {
    const record = "job_region:shop_orders:failure_ratio_rate10m";
    const head = edited({
      "prometheus/rules/recording/order.yaml": (doc) =>
        void (rule(doc, record).expr = rule(doc, record).expr.replaceAll(
          "sum by (job, region)",
          "sum by (job)",
        )),
    });
    const report = diff(head);
    const entry = report.recordingRules.find((r) => r.key === record)!;
    expect(entry.output).toEqual({
      labels: { before: ["job", "region"], after: ["job"], dropped: ["region"], added: [] },
    });
    const panels = entry.dependents.filter((d) => d.kind === "panel");
    expect(panels.find((d) => d.subject.includes("panel 302"))).toMatchObject({
      via: [],
      labelsDropped: ["region"],
      uses: ["query A's legend prints {{region}}"],
    });
    expect(entry.dependents.find((d) => d.kind === "alert")).toEqual({
      kind: "alert",
      subject: "alert OrdersFailingInRegions",
      via: [],
    });
  });

  it("reaches alerts through rules that read rules, and lists each reader once, nearest first", () => {
    const head = edited({
      "prometheus/rules/recording/http.yaml": (doc) =>
        void (rule(doc, "job:shop_http_requests:rate5m").expr =
          "sum by (job) (rate(shop_http_requests_total[10m]))"),
    });
    const entry = diff(head).recordingRules[0]!;
    expect(entry.output).toEqual({ windows: { before: ["5m"], after: ["10m"] } });
    expect(entry.dependents.map((d) => [d.subject, d.via])).toEqual([
      ["recording rule job:shop_http_requests_5xx:ratio_rate5m", []],
      ["alert ShopHigh5xxErrorRate", ["job:shop_http_requests_5xx:ratio_rate5m"]],
    ]);
  });
});

describe("dashboards: renames, removals, panels", () => {
  const overview = "grafana/dashboards/shop-overview.json";

  it("a removed dashboard is flagged with the links that break", () => {
    const head = base.filter((f) => f.path !== "grafana/dashboards/shop-queue.json");
    const report = diff(
      edited({ "prometheus/rules/alerts/queue.yaml": (doc) => void (doc.groups[0].rules = []) }, head),
    );
    expect(report.attention.find((f) => f.id === "dashboard-removed")).toEqual({
      id: "dashboard-removed",
      subject: "dashboard shop-queue",
      message:
        'removed ("Shop Queue"): links to /d/shop-queue stop working (bookmarks, links in notifications already sent by QueueLagHigh, links from shop-overview, shop-slos)',
    });
  });

  it("a panel whose id changed is one renamed panel, and the links with its old id are flagged", () => {
    const head = edited({
      [overview]: (doc) => void (panel(doc, 301).id = 309),
      "prometheus/rules/alerts/http.yaml": (doc) =>
        void (doc.groups[0].rules[0].annotations.dashboard_url =
          doc.groups[0].rules[0].annotations.dashboard_url.replace("=301", "=309")),
    });
    const report = diff(head);
    expect(report.dashboards).toEqual([
      {
        status: "changed",
        key: "shop-overview",
        title: "Shop Overview",
        changes: [],
        moved: [],
        panels: [
          {
            status: "renamed",
            key: "309",
            previousKey: "301",
            title: "Error ratio",
            changes: [],
            openedBy: ["ShopHigh5xxErrorRate"],
          },
        ],
      },
    ]);
    expect(flags(report)).toEqual([
      [
        "link-changed",
        "alert ShopHigh5xxErrorRate",
        "dashboard_url changed from http://localhost:3000/d/shop-overview?viewPanel=301 to http://localhost:3000/d/shop-overview?viewPanel=309: links in notifications already sent open panel 301 of dashboard shop-overview, which no longer exists",
      ],
      [
        "panel-id-changed",
        'dashboard shop-overview › panel 309 "Error ratio"',
        "id changed from 301 to 309: links with viewPanel=301 break (bookmarks, links in notifications already sent by ShopHigh5xxErrorRate)",
      ],
    ]);
  });

  it("a dashboard's links compare one by one, old and new URL", () => {
    const head = edited({
      [overview]: (doc) =>
        void (doc.links.find((l: Doc) => l.title === "Runbook").url = "https://example.com/runbook"),
    });
    expect(diff(head).dashboards[0]!.changes).toEqual([
      {
        field: 'link "Runbook"',
        before: "https://example.com/shop/RUNBOOK.md",
        after: "https://example.com/runbook",
      },
    ]);
  });
});

describe("less noise", () => {
  it("lists Prometheus reads in any order are no change; a new scrape target is one", () => {
    const head = edited({
      "prometheus/prometheus.yml": (doc) => {
        doc.rule_files.reverse();
        doc.scrape_configs.reverse();
        doc.scrape_configs[0].static_configs[0].targets.push("queue-exporter-2:7777");
      },
    });
    expect(diff(head).files).toEqual([
      {
        status: "changed",
        key: "prometheus/prometheus.yml",
        changes: [{ field: "scrape_configs.job queue.static_configs", after: "queue-exporter-2:7777" }],
      },
    ]);
  });

  it("a removed alert's threshold is in its unit, as a changed one's", () => {
    const report = diff(
      edited({ "prometheus/rules/alerts/latency.yaml": (doc) => void (doc.groups[0].rules = []) }),
    );
    expect(report.alerts[0]!.changes[0]).toEqual({ field: "threshold", before: "> 0.5 (500ms)" });
  });
});

describe("the comment cannot be broken or hijacked by what a pull request writes", () => {
  const hostile = "Evil | title `x` <!-- o11y-diff --> *bold*\n::error::injected\n# heading";
  const head = edited({
    "grafana/dashboards/shop-overview.json": (doc) => {
      panel(doc, 101).title = hostile;
      panel(doc, 102).targets[0].expr =
        `${panel(doc, 102).targets[0].expr}\n::warning::x\n\`\`\`\n<!-- o11y-diff -->`;
    },
  });
  const report = diff(head);

  it("in Markdown: one marker, no line that starts a workflow command, table rows intact, code blocks closed", () => {
    const markdown = renderMarkdown(report);
    expect(markdown.split("<!-- o11y-diff -->")).toHaveLength(2);
    expect(markdown.split("\n").filter((line) => /^\s*::/.test(line))).toEqual([]);
    expect(
      markdown
        .split("\n")
        .filter(
          (line) =>
            /^#+ /.test(line) &&
            !/^##+ (o11y diff|Needs attention|Dashboards|New check findings)$/.test(line),
        ),
    ).toEqual([]);
    const rows = markdown
      .split("\n")
      .filter((line) => line.startsWith("| `shop-overview`") || line.startsWith("|  | "));
    for (const row of rows) expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(7);
    const fences = markdown.match(/^`{3,}/gm)!;
    expect(fences.length % 2).toBe(0);
    expect(fences[0]!.length).toBeGreaterThan(3);
  });

  it("as workflow commands: each on one line, properties escaped", () => {
    const github = renderGithub(
      {
        ...report,
        attention: [{ id: "alert-removed", subject: "alert A,b:c", message: "100%\nsecond line" }],
      },
      new Map([["alert A,b:c", { file: "src/a:b,c.ts", line: 3 }]]),
    );
    expect(github.split("\n")[0]).toBe(
      "::warning file=src/a%3Ab%2Cc.ts,line=3,title=o11y diff%3A alert-removed::alert A,b:c: 100%25%0Asecond line",
    );
    expect(github.trimEnd().split("\n").at(-1)).toMatch(
      /^::notice title=o11y diff::base → head: 1 dashboard \(1 changed\), 1 new check finding; 1 flag for review\.$/,
    );
  });
});

describe("the README's sample comment", () => {
  it("is what the diff writes for the pull request it describes", () => {
    const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
    const sample = /\n {2}````markdown\n([\s\S]*?)\n {2}````\n/.exec(readme)![1]!.replace(/^ {2}/gm, "");
    const bucket = "job:shop_http_request_duration_seconds_bucket:rate5m";
    const head = edited({
      [alertmanager]: (doc) => {
        delete receiver(doc, "shop-urgent").pagerduty_configs;
        route(doc, "high").group_wait = "2m";
      },
      "prometheus/rules/recording/latency.yaml": (doc) =>
        void (rule(doc, bucket).expr = "sum by (le) (rate(shop_http_request_duration_seconds_bucket[10m]))"),
    });
    const report = { ...diff(head), base: "origin/main (ce08da07be87)", head: "the working tree" };
    // The README leaves the expression's diff block out.
    const written = renderMarkdown(report).replace(
      /\n\n`job:shop[^\n]*› expr:\n\n```diff\n[\s\S]*?\n```\n$/,
      "\n",
    );
    expect(written).toBe(`${sample}\n`);
  });
});
