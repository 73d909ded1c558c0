/**
 * `o11y diff` as a reviewer meets it: real repositories, real commits, the real CLI. Each case asserts
 * the whole report, and that the working tree and the worktree list are as they were.
 */
import { createHash } from "node:crypto";
import { symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commentMarker } from "../../src/engine/diff/render.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { fixture, newRepo, removeTemps, Repo, sh, tempDir } from "./repo.ts";

afterAll(removeTemps);

/** Runs o11y diff and checks that it changed nothing in the repository. */
function diff(repo: Repo, ...args: string[]) {
  const before = repo.state();
  const result = repo.o11y("diff", ...args);
  expect(repo.state(), "o11y diff changed the repository").toEqual(before);
  expect(before.worktrees).toHaveLength(1);
  return result;
}

function report(repo: Repo, ...args: string[]) {
  const result = diff(repo, ...args, "--format", "json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

const nothingElse = { recordingRules: [], files: [], findings: [] };

const loosenThreshold = (repo: Repo) => {
  repo.edit(`${fixture}/thresholds.ts`, "http5xxRatio: above(0.05,", "http5xxRatio: above(0.051,");
  // The playbook is written by hand: alerts/stale-threshold-text holds its number to the threshold.
  repo.edit(`${fixture}/RUNBOOK.md`, "**Trigger**: > 5% 5xx responses", "**Trigger**: > 5.1% 5xx responses");
  return repo.commit("Loosen the 5xx threshold");
};

const loosened = {
  attention: [
    {
      id: "threshold-loosened",
      subject: "alert ShopHigh5xxErrorRate",
      message: "threshold loosened from > 0.05 (5%) to > 0.051 (5.1%): it fires less",
    },
  ],
  alerts: [
    {
      status: "changed",
      key: "ShopHigh5xxErrorRate",
      changes: [
        { field: "threshold", before: "> 0.05 (5%)", after: "> 0.051 (5.1%)", direction: "loosened" },
        // Written from the threshold, the summary moves with it.
        {
          field: "annotation summary",
          before: "The shop answers more than 5% of requests with a 5xx error.",
          after: "The shop answers more than 5.1% of requests with a 5xx error.",
        },
      ],
    },
  ],
  // The alert a change touches is shown with its time to first notice, here unchanged.
  routing: {
    changes: [],
    alerts: [
      {
        alert: "ShopHigh5xxErrorRate",
        status: "unchanged",
        changed: [],
        before: { firstNotice: "5m10s", pages: "always" },
        after: { firstNotice: "5m10s", pages: "always" },
      },
    ],
  },
  dashboards: [
    {
      status: "changed",
      key: "shop-overview",
      title: "Shop Overview",
      changes: [],
      // Both panels that draw the threshold: the overview stat and the error-ratio graph.
      panels: [
        {
          status: "changed",
          key: "103",
          title: "5xx ratio",
          changes: [{ field: "thresholds", before: "0.05", after: "0.051" }],
        },
        {
          status: "changed",
          key: "301",
          title: "Error ratio",
          changes: [{ field: "thresholds", before: "0.05", after: "0.051" }],
          openedBy: ["ShopHigh5xxErrorRate"],
        },
      ],
    },
  ],
  ...nothingElse,
};

describe("o11y diff between commits", () => {
  it("a threshold loosened in the thresholds file: the alert, the panel that draws it, and a flag --fail-on can fail on", () => {
    const repo = newRepo();
    loosenThreshold(repo);
    const json = diff(repo, "--base", "HEAD~1", "--format", "json", "--fail-on", "threshold-loosened");
    expect(json.code).toBe(1);
    expect(json.stderr).toBe("o11y diff: 1 flag(s) named by --fail-on: threshold-loosened\n");
    expect(JSON.parse(json.stdout)).toMatchObject(loosened);
    const markdown = diff(repo, "--base", "HEAD~1", "--fail-on", "alert-removed,severity-lowered");
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(
      new RegExp(
        `^${commentMarker}\n## o11y diff\n\nHEAD~1 \\([0-9a-f]{12}\\) → the working tree: 1 alert \\(1 changed\\), 1 dashboard \\(1 changed\\); \\*\\*1 flag for review\\*\\*\\.\n`,
      ),
    );
    expect(markdown.stdout).toContain(
      "- **`threshold-loosened`** alert ShopHigh5xxErrorRate: threshold loosened from > 0.05 (5%) to > 0.051 (5.1%): it fires less",
    );
    expect(markdown.stdout).toContain(
      "| `ShopHigh5xxErrorRate` | threshold (loosened) | `> 0.05 (5%)` | `> 0.051 (5.1%)` |",
    );
    // The dashboard is named once, on its first row; the panel the alert opens says so.
    expect(markdown.stdout).toContain(
      "| `shop-overview` Shop Overview | 103 `5xx ratio` | thresholds | `0.05` | `0.051` |\n|  | 301 `Error ratio`<br>opened by `ShopHigh5xxErrorRate` | thresholds | `0.05` | `0.051` |\n",
    );
  });

  it("builds a base that has no committed build/ in a temporary worktree, and removes it", () => {
    const repo = newRepo({ withBuild: false });
    loosenThreshold(repo);
    expect(report(repo, "--base", "HEAD~1")).toMatchObject(loosened);
  });

  it("rebuilds a base whose committed build/ does not match its manifest", () => {
    const repo = newRepo();
    repo.edit("build/prometheus/rules/alerts/http.yaml", "for: 5m", "for: 1m");
    repo.commit("Edit build/ by hand");
    // Built from its source, the base is the head: the hand edit is not what it deploys.
    expect(diff(repo, "--base", "HEAD").stdout).toMatch(
      /^<!-- o11y-diff --> No changes to alerts, recording rules or dashboards between HEAD \([0-9a-f]{12}\) and the working tree\.\n$/,
    );
  });

  it("a severity lowered, with what it does to the alert's route and its first page", () => {
    const repo = newRepo();
    repo.edit(`${fixture}/alerts.ts`, 'severity: "critical"', 'severity: "high"');
    repo.commit("Page less");
    const json = report(repo, "--base", "HEAD~1");
    expect(json).toMatchObject({
      summary: expect.stringMatching(
        / → the working tree: 1 alert \(1 changed\), routing of 2 alerts; 2 flags for review\.$/,
      ),
      base: expect.stringMatching(/^HEAD~1 \([0-9a-f]{12}\)$/),
      head: "the working tree",
      attention: [
        {
          id: "severity-lowered",
          subject: "alert ShopHigh5xxErrorRate",
          message:
            "severity lowered from critical to high: its notifications go to shop-urgent (pagerduty, slack #shop-oncall) instead of shop-page (pagerduty, slack #shop-oncall)",
        },
        {
          id: "notify-slower",
          subject: "alert ShopHigh5xxErrorRate",
          message: "time to first notice ~5m10s → ~6m (for 5m, group_wait 10s → 1m)",
        },
      ],
      alerts: [
        {
          status: "changed",
          key: "ShopHigh5xxErrorRate",
          changes: [{ field: "severity", before: "critical", after: "high" }],
        },
      ],
      routing: {
        changes: [],
        alerts: [
          {
            alert: "ShopHigh5xxErrorRate",
            status: "changed",
            // As a high alert it is now subject to inhibition by the critical alerts of its service and job.
            changed: ["receiver", "first notice", "repeat", "inhibition"],
          },
          // It was the critical alert that held back the latency alert of its service and job: it no longer can.
          { alert: "ShopLatencyHigh", status: "changed", changed: ["inhibition"] },
        ],
      },
      dashboards: [],
      ...nothingElse,
    });
    const [before, after] = [json.routing.alerts[0].before.outcomes, json.routing.alerts[0].after.outcomes];
    expect([before[0].routes[0].receiver, after[0].routes[0].receiver]).toEqual(["shop-page", "shop-urgent"]);
  });

  it("an alert removed", () => {
    const repo = newRepo();
    repo.edit(`${fixture}/alerts.ts`, '  ruleGroup("scrape-alerts", [targetDown]),\n];', "];");
    repo.edit(`${fixture}/RUNBOOK.md`, "### Alert: Target Down", "### Target Down (retired)");
    repo.commit("Retire TargetDown");
    expect(report(repo, "--base", "HEAD~1")).toMatchObject({
      attention: [
        {
          id: "alert-removed",
          subject: "alert TargetDown",
          message: "removed (it was low): nothing alerts on this any more",
        },
      ],
      alerts: [
        {
          status: "removed",
          key: "TargetDown",
          changes: [
            { field: "threshold", before: "< 1" },
            { field: "for", before: "5m" },
            { field: "severity", before: "low" },
          ],
        },
      ],
      dashboards: [],
      recordingRules: [],
      // What Prometheus loads: one rule file less (the list's order means nothing to it).
      files: [
        {
          status: "changed",
          key: "prometheus/prometheus.yml",
          changes: [{ field: "rule_files", before: "rules/alerts/scrape.yaml" }],
        },
      ],
      findings: [],
    });
  });

  it("a panel's query changed, with the check finding it brings", () => {
    const repo = newRepo();
    repo.edit(
      `${fixture}/dashboards.ts`,
      'queries: [query(quantile(0.95), "p95")]',
      'queries: [query(quantile(0.99), "p95")]',
    );
    repo.edit(
      `${fixture}/dashboards.ts`,
      'queries: [query(`sum(rate(${httpRequests}{${sel}}[$__rate_interval]))`, "requests")]',
      'queries: [query(`sum(rate(${httpRequests}{${sel}, method=~"GET"}[$__rate_interval]))`, "requests")]',
    );
    repo.commit("p99, GET only");
    const selector = 'job=~"$job", instance=~"$instance"';
    const json = report(repo, "--base", "HEAD~1");
    expect(json).toMatchObject({
      attention: [],
      alerts: [],
      recordingRules: [],
      files: [],
      dashboards: [
        {
          status: "changed",
          key: "shop-overview",
          changes: [],
          panels: [
            {
              status: "changed",
              key: "101",
              title: "Request rate",
              changes: [
                {
                  field: "query A",
                  before: `sum(rate(shop_http_requests_total{${selector}}[$__rate_interval]))`,
                  after: `sum(rate(shop_http_requests_total{${selector}, method=~"GET"}[$__rate_interval]))`,
                },
              ],
            },
            {
              status: "changed",
              key: "102",
              title: "p95 latency",
              changes: [
                {
                  field: "query A",
                  lines: [
                    {
                      op: "-",
                      line: `histogram_quantile(0.95, sum by (le) (rate(shop_http_request_duration_seconds_bucket{${selector}}[$__rate_interval])))`,
                    },
                    {
                      op: "+",
                      line: `histogram_quantile(0.99, sum by (le) (rate(shop_http_request_duration_seconds_bucket{${selector}}[$__rate_interval])))`,
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(
      json.findings.map((f: { check: string; subject: string; message: string }) => [
        f.check,
        f.subject,
        f.message,
      ]),
    ).toEqual([
      [
        "promql/regexp",
        'dashboard shop-overview › panel 101 "Request rate" › query A',
        'method=~"GET" has no regex metacharacters',
      ],
    ]);
  });

  it("a reformatted and reordered source reports nothing; without --base it compares with the merge base with main", () => {
    const repo = newRepo();
    repo.git("checkout", "-q", "-b", "tidy");
    const prettier = sh(
      process.execPath,
      [
        path.join(projectRoot, "node_modules/prettier/bin/prettier.cjs"),
        "--use-tabs",
        "--print-width",
        "70",
        "--no-semi",
        "--write",
        `${fixture}/thresholds.ts`,
        `${fixture}/dashboards.ts`,
      ],
      repo.dir,
    );
    expect(prettier.code, prettier.stderr).toBe(0);
    repo.edit(
      `${fixture}/alerts.ts`,
      '  ruleGroup("http-alerts", [shopHigh5xxErrorRate]),\n  ruleGroup("latency-alerts", [shopLatencyHigh]),',
      '  ruleGroup("latency-alerts", [shopLatencyHigh]),\n  ruleGroup("http-alerts", [shopHigh5xxErrorRate]),',
    );
    repo.commit("Tidy");
    expect(repo.git("diff", "--stat", "main").split("\n").at(-1)).toMatch(/3 files changed/);
    const result = diff(repo);
    expect(result).toEqual({
      code: 0,
      stdout: expect.stringMatching(
        /^<!-- o11y-diff --> No changes to alerts, recording rules or dashboards between the merge base with main \([0-9a-f]{12}\) and the working tree\.\n$/,
      ),
      stderr: "",
    });
  });
});

describe("o11y diff on bad input exits 2 with the reason, and leaves the repository as it was", () => {
  it("an unknown ref", () => {
    const repo = newRepo();
    const result = diff(repo, "--base", "no-such-branch");
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toBe(
      "o11y diff: no-such-branch is not a known git revision: name a branch, tag or commit (git branch -a lists them)\n",
    );
  });

  it("a shallow clone without the base", () => {
    const origin = newRepo();
    loosenThreshold(origin);
    const clone = new Repo(path.join(tempDir("o11y-diff-shallow-"), "clone"));
    sh("git", ["clone", "-q", "--depth", "1", `file://${origin.dir}`, clone.dir], origin.dir);
    symlinkSync(path.join(projectRoot, "node_modules"), path.join(clone.dir, "node_modules"), "dir");
    writeFileSync(path.join(clone.dir, ".git/info/exclude"), "node_modules\n");
    const result = diff(clone, "--base", "HEAD~1");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "o11y diff: HEAD~1 is not in this clone, which is shallow: fetch the history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)\n",
    );
  });

  it("a base with no build/ that does not build", () => {
    const repo = newRepo({ withBuild: false });
    repo.edit(`${fixture}/thresholds.ts`, "http5xxRatio: above(0.05,", "http5xxRatio: above(5,");
    repo.commit("Break the base");
    repo.edit(`${fixture}/thresholds.ts`, "http5xxRatio: above(5,", "http5xxRatio: above(0.05,");
    repo.commit("Fix it");
    const result = diff(repo, "--base", "HEAD~1");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^o11y diff: HEAD~1 \([0-9a-f]{12}\) has no committed build\/, and it does not build \(exit 1\):\n/,
    );
    expect(result.stderr).toContain(`${fixture}/thresholds.ts:`);
    expect(result.stderr).toContain("build failed: ");
    expect(repo.git("worktree", "list").split("\n")).toHaveLength(1);
  });

  it("an artifact at the base that cannot be read", () => {
    const repo = newRepo();
    const file = "build/prometheus/rules/alerts/http.yaml";
    const broken = "groups: [\n";
    const manifest = JSON.parse(repo.read("build/manifest.json"));
    const entry = manifest.files.find((f: { path: string }) => `build/${f.path}` === file);
    Object.assign(entry, { sha256: createHash("sha256").update(broken).digest("hex"), bytes: broken.length });
    const fresh = repo.read(file);
    const freshManifest = repo.read("build/manifest.json");
    repo.write(file, broken);
    repo.write("build/manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
    repo.commit("A corrupt build/ that its manifest vouches for");
    repo.write(file, fresh);
    repo.write("build/manifest.json", freshManifest);
    repo.commit("Repair");
    const result = diff(repo, "--base", "HEAD~1");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^o11y diff: HEAD~1 \([0-9a-f]{12}\): build\/prometheus\/rules\/alerts\/http\.yaml: not valid YAML: /,
    );
  });

  it("an unknown --fail-on flag", () => {
    const repo = newRepo();
    const result = diff(repo, "--fail-on", "threshold-changed");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "o11y diff: --fail-on: unknown flag threshold-changed; use any, or some of: alert-removed, severity-lowered, threshold-loosened, for-lengthened, link-changed, link-broken, panel-without-queries, paging-removed, notify-slower, alert-unrouted, alert-label-dropped, alert-panel-changed, dashboard-removed, dashboard-renamed, panel-id-changed, threshold-text-stale, slo-removed, objective-lowered, sli-changed\n",
    );
  });
});
