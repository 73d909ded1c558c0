/**
 * The pull requests of issue 17, as a reviewer meets them: each is a commit on a scratch repository, and
 * `o11y diff` must raise the flags and show the lines that say what the change does downstream, in Markdown
 * and in JSON (held to schemas/diff-report.schema.json).
 */
import { afterAll, describe, expect, it } from "vitest";
import type { DiffReport } from "../../src/engine/diff/diff.ts";
import { renderMarkdown } from "../../src/engine/diff/render.ts";
import { fixture, newRepo, removeTemps, type Repo } from "./repo.ts";
import { expectValidReport } from "./report-schema.ts";

afterAll(removeTemps);

/** A repository whose last commit is the pull request. */
function pullRequest(title: string, change: (repo: Repo) => void): Repo {
  const repo = newRepo();
  change(repo);
  repo.commit(title);
  return repo;
}

/** The JSON report (schema-checked) and the Markdown comment of the pull request. */
function review(repo: Repo): { json: DiffReport & { summary: string }; markdown: string } {
  const result = repo.o11y("diff", "--base", "HEAD~1", "--format", "json");
  expect(result.code, result.stderr).toBe(0);
  const json = JSON.parse(result.stdout);
  expectValidReport(json);
  return { json, markdown: renderMarkdown(json) };
}

const flags = (report: DiffReport) => report.attention.map((f) => `${f.id} ${f.subject}`);
/** The high alerts, in the order of their rule files (flags), and by name (routing). */
const high = ["ShopLatencyHigh", "QueueLagHigh"];
const highByName = [...high].sort();

describe("o11y diff on the pull requests of issue 17", () => {
  it("routing: PagerDuty removed from the high receiver, group_wait 1m -> 2m, repeat 1h -> 2h", () => {
    const repo = pullRequest("Quieter high alerts", (r) => {
      r.edit(
        `${fixture}/settings.ts`,
        '    receiver: "shop-urgent",\n    channels: [pagerduty, slack("#shop-oncall")],\n',
        '    receiver: "shop-urgent",\n    channels: [slack("#shop-oncall")],\n',
      );
      r.edit(`${fixture}/settings.ts`, 'groupWait: "1m"', 'groupWait: "2m"');
      r.edit(`${fixture}/settings.ts`, 'repeatInterval: "1h"', 'repeatInterval: "2h"');
    });
    const { json } = review(repo);
    expect(flags(json)).toEqual(
      high.flatMap((name) => [`paging-removed alert ${name}`, `notify-slower alert ${name}`]),
    );
    expect(json.attention[0]!.message).toBe(
      "no longer pages: shop-urgent (pagerduty, slack #shop-oncall) → shop-urgent (slack #shop-oncall)",
    );
    expect(json.attention[1]!.message).toBe("time to first notice ~6m → ~7m (for 5m, group_wait 1m → 2m)");
    expect(json.routing.changes).toEqual([
      {
        field: "receiver shop-urgent",
        before: "pagerduty (pages), slack #shop-oncall",
        after: "slack #shop-oncall",
      },
      { field: 'route {severity="high"} group_wait', before: "1m", after: "2m" },
      { field: 'route {severity="high"} repeat_interval', before: "1h", after: "2h" },
    ]);
    expect(
      json.routing.alerts.map((a) => [
        a.alert,
        a.before!.pages,
        a.after!.pages,
        a.before!.firstNotice,
        a.after!.firstNotice,
      ]),
    ).toEqual(highByName.map((name) => [name, "always", "never", "6m", "7m"]));
    expect(json.files).toEqual([]);

    // CI can fail on it; the comment shows it.
    const markdown = repo.o11y("diff", "--base", "HEAD~1", "--fail-on", "paging-removed");
    expect(markdown.code).toBe(1);
    expect(markdown.stderr).toBe("o11y diff: 2 flag(s) named by --fail-on: paging-removed\n");
    expect(markdown.stdout).toContain("routing of 2 alerts; **4 flags for review**.");
    expect(markdown.stdout).toContain(
      "- **`paging-removed`** alert ShopLatencyHigh: no longer pages: shop-urgent (pagerduty, slack #shop-oncall) → shop-urgent (slack #shop-oncall)\n",
    );
    expect(markdown.stdout).toContain(
      "| `ShopLatencyHigh` | shop-urgent (pagerduty, slack #shop-oncall) → shop-urgent (slack #shop-oncall) | always → never | ~6m → ~7m | 1h → 2h | alertname, job, severity |\n",
    );
    expect(markdown.stdout).toContain(
      "| receiver shop-urgent | `pagerduty (pages), slack #shop-oncall` | `slack #shop-oncall` |\n",
    );
  });

  it("severity critical -> high and `for` 5m -> 15m: the receiver it moves to and the first page ~16m after the problem", () => {
    const repo = pullRequest("Page less for 5xx", (r) => {
      r.edit(`${fixture}/alerts.ts`, 'severity: "critical"', 'severity: "high"');
      r.edit(
        `${fixture}/alerts.ts`,
        'for: "5m",\n  summary: say`The shop answers',
        'for: "15m",\n  summary: say`The shop answers',
      );
      r.edit(
        `${fixture}/alerts.ts`,
        'at: "8m",\n          state: "firing",\n          labels: { job: "shop" },\n          description: "5.2%',
        'at: "18m",\n          state: "firing",\n          labels: { job: "shop" },\n          description: "5.2%',
      );
      r.edit(
        `${fixture}/alerts.ts`,
        'at: "11m",\n          state: "firing"',
        'at: "21m",\n          state: "firing"',
      );
    });
    const { json, markdown } = review(repo);
    expect(json.attention).toEqual([
      {
        id: "severity-lowered",
        subject: "alert ShopHigh5xxErrorRate",
        message:
          "severity lowered from critical to high: its notifications go to shop-urgent (pagerduty, slack #shop-oncall) instead of shop-page (pagerduty, slack #shop-oncall)",
      },
      {
        id: "for-lengthened",
        subject: "alert ShopHigh5xxErrorRate",
        message: "`for` lengthened from 5m to 15m: it fires later",
      },
      {
        id: "notify-slower",
        subject: "alert ShopHigh5xxErrorRate",
        message: "time to first notice ~5m10s → ~16m (for 5m → 15m, group_wait 10s → 1m)",
      },
    ]);
    const [routed] = json.routing.alerts;
    expect([
      routed!.before!.firstPage,
      routed!.after!.firstPage,
      routed!.before!.outcomes[0]!.routes[0]!.receiver,
      routed!.after!.outcomes[0]!.routes[0]!.receiver,
    ]).toEqual(["5m10s", "16m", "shop-page", "shop-urgent"]);
    expect(markdown).toContain(
      "| `ShopHigh5xxErrorRate` | shop-page (pagerduty, slack #shop-oncall) → shop-urgent (pagerduty, slack #shop-oncall) | always | ~5m10s → ~16m | 30m → 1h | alertname, job, severity |\n",
    );
    // As annotations on the pull request, at the alert's definition.
    const github = repo.o11y("diff", "--base", "HEAD~1", "--format", "github");
    expect(github.code).toBe(0);
    expect(
      github.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.replace(/^(::[^:]*)::.*$/, "$1")),
    ).toEqual([
      ...json.attention.map((f) => `::warning file=${fixture}/alerts.ts,line=14,title=o11y diff%3A ${f.id}`),
      "::notice title=o11y diff",
    ]);
    expect(github.stdout).toContain(
      "::alert ShopHigh5xxErrorRate: time to first notice ~5m10s → ~16m (for 5m → 15m, group_wait 10s → 1m)\n",
    );
  });

  it("a recording rule's window widened: every reader, the alert two steps down included", () => {
    const repo = pullRequest("Smoother latency", (r) =>
      r.edit(`${fixture}/rules.ts`, "rate(${httpDuration.bucket}[5m])", "rate(${httpDuration.bucket}[10m])"),
    );
    const { json, markdown } = review(repo);
    expect(json.recordingRules).toMatchObject([
      {
        key: "job:shop_http_request_duration_seconds_bucket:rate5m",
        output: { windows: { before: ["5m"], after: ["10m"] } },
        dependents: [
          {
            kind: "recording rule",
            subject: "recording rule job:shop_http_request_duration_seconds:p95_rate5m",
            via: [],
          },
          {
            kind: "alert",
            subject: "alert ShopLatencyHigh",
            via: ["job:shop_http_request_duration_seconds:p95_rate5m"],
          },
        ],
      },
    ]);
    expect(json.routing.alerts.map((a) => [a.alert, a.status, a.after!.firstNotice])).toEqual([
      ["ShopLatencyHigh", "unchanged", "6m"],
    ]);
    expect(markdown).toContain(
      "- `job:shop_http_request_duration_seconds_bucket:rate5m`: window `5m` → `10m`; read by 2 dependents:\n  - recording rule job:shop_http_request_duration_seconds:p95_rate5m\n  - alert ShopLatencyHigh (through `job:shop_http_request_duration_seconds:p95_rate5m`)\n",
    );
  });

  it("`job` dropped from a rule's by(): the alert two steps down loses the label Alertmanager groups by and its description prints", () => {
    const repo = pullRequest("Latency across jobs", (r) =>
      r.edit(`${fixture}/rules.ts`, "sum by (job, le)", "sum by (le)"),
    );
    const { json, markdown } = review(repo);
    const uses = [
      "its annotation description ($labels.job now renders empty)",
      'Alertmanager\'s group_by on route {severity="high"} (receiver shop-urgent): its notifications for every job now arrive as one',
      // Inhibition matches on job too: held back by (and holding back) alerts of every job now.
      'inhibit rule {severity="critical"} inhibits {severity=~"high|medium|low"} (equal: job, service, sloth_id)',
      'inhibit rule {severity="high"} inhibits {severity=~"medium|low"} (equal: job, service, sloth_id)',
    ];
    expect(json.attention).toEqual([
      {
        id: "alert-label-dropped",
        subject: "alert ShopLatencyHigh",
        message: `loses label job, which its expression no longer carries; read by ${uses.join("; ")}`,
      },
    ]);
    expect(json.recordingRules[0]).toMatchObject({
      output: { labels: { dropped: ["job"], added: [] } },
      dependents: [
        {
          subject: "recording rule job:shop_http_request_duration_seconds:p95_rate5m",
          labelsDropped: ["job"],
        },
        {
          subject: "alert ShopLatencyHigh",
          via: ["job:shop_http_request_duration_seconds:p95_rate5m"],
          labelsDropped: ["job"],
          uses,
        },
      ],
    });
    expect(markdown).toContain("- **`alert-label-dropped`** alert ShopLatencyHigh: loses label job");
    expect(markdown).toContain("labels dropped: `job`; read by 2 dependents:");
  });

  it("a recording rule moved above the rule it reads: an error with the fix, so the working tree does not build", () => {
    const repo = pullRequest("Reorder the latency rules", (r) =>
      r.edit(`${fixture}/rules.ts`, "[latencyBuckets, latencyP95]", "[latencyP95, latencyBuckets]"),
    );
    const check = repo.o11y("check");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      "error recording rule job:shop_http_request_duration_seconds:p95_rate5m: reads job:shop_http_request_duration_seconds_bucket:rate5m, which group latency-recording records further down (rule 2; this is rule 1): Prometheus evaluates a group's rules in order, so this rule reads job:shop_http_request_duration_seconds_bucket:rate5m as it was one evaluation earlier (30s old), and nothing on the first evaluation [rules/evaluation-order]\n    fix: move recording rule job:shop_http_request_duration_seconds:p95_rate5m below recording rule job:shop_http_request_duration_seconds_bucket:rate5m in group latency-recording",
    );
    const diff = repo.o11y("diff", "--base", "HEAD~1");
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(
      /^o11y diff: the working tree does not build \(1 error\(s\)\): run `node bin\/o11y\.js check`\ntest\/diff\/fixture\/rules\.ts:\d+ error .*\[rules\/evaluation-order\]\n    fix: move /,
    );
  });

  it("a dashboard's uid changed: one renamed dashboard, the links that break, link lists one per line, counts right", () => {
    const repo = pullRequest("Shorter uid", (r) =>
      r.edit(`${fixture}/dashboards.ts`, 'uid: "shop-queue"', 'uid: "shop-q"'),
    );
    const { json } = review(repo);
    expect(json.summary).toMatch(
      /: 1 alert \(1 changed\), 3 dashboards \(2 changed, 1 renamed\); 2 flags for review\.$/,
    );
    expect(flags(json)).toEqual(["link-changed alert QueueLagHigh", "dashboard-renamed dashboard shop-q"]);
    expect(json.attention[1]!.message).toBe(
      "uid changed from shop-queue to shop-q: every link to /d/shop-queue breaks: bookmarks and links from outside this repository; links in notifications already sent by QueueLagHigh; links from other dashboards (this build updates shop-overview, shop-slos); its stars, permissions and version history in Grafana stay with the old uid",
    );
    expect(json.dashboards.find((d) => d.status === "renamed")).toEqual({
      status: "renamed",
      key: "shop-q",
      previousKey: "shop-queue",
      title: "Shop Queue",
      changes: [],
      panels: [],
      moved: [],
    });
    for (const other of json.dashboards.filter((d) => d.status === "changed"))
      expect(other.changes).toEqual([
        { field: 'link "Shop Queue"', before: "/d/shop-queue", after: "/d/shop-q" },
      ]);
    const markdown = repo.o11y("diff", "--base", "HEAD~1").stdout;
    expect(markdown).toContain(
      "| `shop-q` Shop Queue (renamed from `shop-queue`) |  | uid | `shop-queue` | `shop-q` |\n",
    );
    expect(markdown).toContain(
      '| `shop-overview` Shop Overview |  | link "Shop Queue" | `/d/shop-queue` | `/d/shop-q` |\n',
    );
  });

  it("an added panel in full; the panels it pushed down in one line", () => {
    const repo = pullRequest("Requests by method", (r) =>
      r.edit(
        `${fixture}/dashboards.ts`,
        '  .withRow(row(200, "Traffic"))\n',
        '  .withRow(row(200, "Traffic"))\n  .withPanel(\n    timeseries({\n      id: 205,\n      title: "Request rate by method",\n      description: "Requests per second for each HTTP method.",\n      unit: "reqps",\n      queries: [query(`sum by (method) (rate(${httpRequests}{${sel}}[$__rate_interval]))`, "{{method}}")],\n    }),\n  )\n',
      ),
    );
    const { json, markdown } = review(repo);
    const [dashboard] = json.dashboards;
    expect(dashboard!.panels).toEqual([
      {
        status: "added",
        key: "205",
        title: "Request rate by method",
        changes: [
          { field: "type", after: "timeseries" },
          { field: "unit", after: "reqps" },
          {
            field: "query A",
            after:
              'sum by (method) (rate(shop_http_requests_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
          },
        ],
      },
    ]);
    expect(dashboard!.moved.length).toBeGreaterThan(1);
    expect(markdown).toContain(
      "| `shop-overview` Shop Overview | 205 `Request rate by method` | **added** type |  | `timeseries` |\n|  |  | unit |  | `reqps` |\n",
    );
    expect(markdown).toMatch(
      new RegExp(
        `\\n- \`shop-overview\` layout only: ${dashboard!.moved.length} panels moved \\(201 right 12; 202 down 8, left 12; [0-9, ]+ down 8\\)\\n`,
      ),
    );
    expect(markdown).not.toMatch(/\| position \|/);
  });

  it("the panel an alert opens pointed at another metric: marked, and flagged", () => {
    const repo = pullRequest("Request counts on the error panel", (r) =>
      r.edit(
        `${fixture}/dashboards.ts`,
        'queries: [query(statusRatio("5"), "5xx"), query(statusRatio("4"), "4xx")],',
        'queries: [query(`sum(rate(${httpDuration.count}{${sel}}[$__rate_interval]))`, "requests")],',
      ),
    );
    const { json, markdown } = review(repo);
    expect(json.attention).toEqual([
      {
        id: "alert-panel-changed",
        subject: "alert ShopHigh5xxErrorRate",
        message:
          'the panel its dashboard_url opens (dashboard shop-overview › panel 301 "Error ratio") no longer shows what it alerts on (job:shop_http_requests_5xx:ratio_rate5m, shop_http_requests_total): it read shop_http_requests_total, it now reads shop_http_request_duration_seconds_count',
      },
    ]);
    expect(json.dashboards[0]!.panels[0]).toMatchObject({
      key: "301",
      openedBy: ["ShopHigh5xxErrorRate"],
    });
    expect(markdown).toContain("| 301 `Error ratio`<br>opened by `ShopHigh5xxErrorRate` | query A |");
  });

  it("a runbook section renamed with its old anchor kept, and rule_files reordered: nothing to flag; without the anchor, old links break", () => {
    const repo = pullRequest("Rename the 5xx playbook; HTTP rules after the latency rules", (r) => {
      r.edit(`${fixture}/alerts.ts`, 'runbook: "Shop 5xx Errors"', 'runbook: "Shop Server Errors"');
      r.edit(
        `${fixture}/RUNBOOK.md`,
        "### Alert: Shop 5xx Errors",
        '<a id="alert-shop-5xx-errors"></a>\n\n### Alert: Shop Server Errors',
      );
      r.edit(
        `${fixture}/rules.ts`,
        "[httpRules, latencyRules, queueRules, orderRules]",
        "[latencyRules, httpRules, queueRules, orderRules]",
      );
    });
    const { json } = review(repo);
    expect(json.attention).toEqual([]);
    expect(json.files).toEqual([]);
    expect(json.alerts).toEqual([
      {
        status: "changed",
        key: "ShopHigh5xxErrorRate",
        changes: [
          {
            field: "annotation runbook_url",
            before: "https://example.com/shop/RUNBOOK.md#alert-shop-5xx-errors",
            after: "https://example.com/shop/RUNBOOK.md#alert-shop-server-errors",
          },
        ],
      },
    ]);
    // The same rename without the anchor (in the working tree): notifications already sent open a missing section.
    repo.edit(`${fixture}/RUNBOOK.md`, '<a id="alert-shop-5xx-errors"></a>\n\n', "");
    const { json: without } = review(repo);
    expect(without.attention).toEqual([
      {
        id: "link-changed",
        subject: "alert ShopHigh5xxErrorRate",
        message:
          'runbook_url changed from https://example.com/shop/RUNBOOK.md#alert-shop-5xx-errors to https://example.com/shop/RUNBOOK.md#alert-shop-server-errors: links in notifications already sent open a section the runbook no longer has (keep them working with <a id="alert-shop-5xx-errors"></a> above the section)',
      },
    ]);
  });
});
