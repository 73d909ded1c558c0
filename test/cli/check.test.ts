import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { formatReport, useColor } from "../../src/cli/format.ts";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { runCli } from "../helpers/cli.ts";
import { lineOf } from "../helpers/project.ts";

const ansi = /\u001b\[/;
const runbook = readFileSync(path.join(projectRoot, "RUNBOOK.md"), "utf8");
const fixture = "test/fixtures/legacy-rules.yaml";
const fixtureText = readFileSync(path.join(projectRoot, fixture), "utf8");
/** The fixture was written for our metrics: its configuration turns on the catalog and our rule on regexes for it. */
const legacy = ["--config", "test/fixtures/legacy.o11y.yml", fixture];

/** The PromQL lines of RUNBOOK.md section 3 (Observability Dashboards), comments left out. */
function runbookQueries(): string[] {
  const section = runbook.slice(runbook.indexOf("## 📡 3."), runbook.indexOf("## 🔔 4."));
  expect(section.length).toBeGreaterThan(0);
  return [...section.matchAll(/```promql\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]!.split("\n").filter((line) => line.trim() && !line.startsWith("#")),
  );
}

/** check ids of `check --format json` output, sorted. */
function checkIds(stdout: string): string[] {
  return (JSON.parse(stdout) as { diagnostics: Diagnostic[] }).diagnostics.map((d) => d.check).sort();
}

/**
 * Every query of the runbook's section 3, with what `check --expr` says about it. The catalog makes
 * the first five questionable; the absolute 5xx rate is a judgement the catalog cannot make (the alert
 * uses a ratio instead), and reading gauges raw is right.
 */
const runbookVerdicts: Record<string, string[]> = {
  "rate(global_sovereign_covenant_projects_total[1h])": ["promql/rate-on-counter"],
  "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)": [
    "promql/counter-without-rate",
    "promql/histogram-quantile",
  ],
  "histogram_quantile(0.95, ecto_query_duration_seconds_bucket)": [
    "promql/counter-without-rate",
    "promql/histogram-quantile",
  ],
  'ecto_query_duration_seconds_bucket{le="0.5"}': ["promql/counter-without-rate"],
  // Four scrapes of 15s: accepted in a rule; the dashboard form is below.
  "rate(vm_total_reductions[1m])": [],
  global_sovereign_covenant_countries_total: [],
  global_sovereign_covenant_projects_total: [],
  global_sovereign_covenant_fund_total: [],
  "rate(phoenix_http_request_total[5m])": [],
  'rate(phoenix_http_request_total{status=~"5.."}[5m])': [],
  ecto_connection_pool_size: [],
  vm_memory_total_bytes: [],
  vm_total_processes: [],
};

const corrected: Array<{ name: string; args: string[] }> = [
  {
    name: "the net change of projects",
    args: ["--expr", "delta(global_sovereign_covenant_projects_total[1h])"],
  },
  {
    name: "the creation rate from the creations counter",
    args: ["--expr", 'sum(rate(global_sovereign_project_creations_total{outcome="success"}[1h])) * 3600'],
  },
  {
    name: "the Phoenix p95",
    args: [
      "--expr",
      "histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket[5m])))",
    ],
  },
  {
    name: "the Ecto p95",
    args: ["--expr", "histogram_quantile(0.95, sum by (le) (rate(ecto_query_duration_seconds_bucket[5m])))"],
  },
  {
    name: "slow queries per second",
    args: [
      "--expr",
      'sum by (repo) (rate(ecto_query_duration_seconds_count[5m]))\n-\nsum by (repo) (rate(ecto_query_duration_seconds_bucket{le="0.5"}[5m]))',
    ],
  },
  { name: "the 5xx share, recorded", args: ["--expr", "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05"] },
  {
    name: "reductions in a panel",
    args: [
      "--dashboard",
      "--expr",
      'sum(rate(vm_total_reductions{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
    ],
  },
  {
    name: "the Phoenix p95 in a panel",
    args: [
      "--dashboard",
      "--expr",
      'histogram_quantile(0.95, sum by (le) (rate(phoenix_http_request_duration_seconds_bucket{job=~"$job", instance=~"$instance"}[$__rate_interval])))',
    ],
  },
];

describe("o11y check", () => {
  it("passes the project's own definitions", () => {
    const result = runCli(["check"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^0 error\(s\)/m);
  });

  it("has promtool judge what build would write, as build does", () => {
    const fixture = ["--project", "test/fixtures/promtool-rejects-project.ts"];
    const judged = runCli(["check", "--format", "json", ...fixture]);
    expect(judged.code).toBe(1);
    const { diagnostics } = JSON.parse(judged.stdout) as { diagnostics: Diagnostic[] };
    expect(diagnostics.map((d) => `${d.check} ${d.subject} ${d.source.file}`)).toEqual([
      "tool/promtool alert MetricsEndpointDown test/fixtures/promtool-rejects-project.ts",
      // The victoriaMetrics output's vmalert refuses the Prometheus 3 syntax too.
      "tool/vmalert alert MetricsEndpointDown test/fixtures/promtool-rejects-project.ts",
    ]);
    expect(diagnostics[0]!.message).toMatch(
      /^promtool \d+\.\d+\.\S+ rejects it \(prometheus\/rules\/alerts\/scrape\.yaml:/,
    );

    const unjudged = runCli(["check", "--format", "json", "--tools", "off", ...fixture]);
    expect(JSON.parse(unjudged.stdout)).toEqual({ diagnostics: [] });
    expect(unjudged.code).toBe(0);
  });

  it("knows every query of the runbook's section 3", () => {
    const queries = runbookQueries();
    expect(queries.length).toBeGreaterThanOrEqual(13);
    expect(queries.filter((q) => !(q in runbookVerdicts))).toEqual([]);
  });

  it.each(Object.entries(runbookVerdicts))("check --expr %s", (expr, checks) => {
    const result = runCli(["check", "--format", "json", "--expr", expr]);
    expect(checkIds(result.stdout)).toEqual(checks);
    expect(result.code).toBe(checks.length ? 1 : 0);
  });

  it("rejects the runbook's reductions window in a panel", () => {
    const result = runCli([
      "check",
      "--dashboard",
      "--format",
      "json",
      "--expr",
      "rate(vm_total_reductions[1m])",
    ]);
    expect(result.code).toBe(1);
    // The runbook's query also lacks the pickers, which panels must use.
    expect(checkIds(result.stdout)).toEqual(["dashboard/job-instance-matchers", "promql/rate-window"]);
  });

  it.each(corrected)("accepts the corrected form: $name", ({ args }) => {
    const result = runCli(["check", ...args]);
    expect(result.stdout).toBe("");
    expect(result.code, result.stderr).toBe(0);
  });

  it("prints where, what and how to fix, in text", () => {
    const result = runCli(["check", "--expr", "rate(global_sovereign_covenant_projects_total[1h])"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      "--expr:1 error expression: rate() over gauge global_sovereign_covenant_projects_total: rate() reads every fall of the value as a counter reset, so it invents spikes (expr 1:6) [promql/rate-on-counter]\n" +
        "    fix: use delta() or deriv() for a gauge's change, or declare the metric monotonic in src/catalog/ if it only grows between restarts.\n",
    );
    expect(result.stderr).toBe("1 error(s), 0 warning(s)\n");
  });

  it("exits 0 when the only error is suppressed with a reason", () => {
    const result = runCli([
      "check",
      "--expr",
      "rate(global_sovereign_covenant_projects_total[1h])\n# o11y-disable promql/rate-on-counter: deletions shown as spikes on purpose",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("suppressed error expression:");
    expect(result.stderr).toBe("0 error(s), 0 warning(s), 1 suppressed\n");
  });

  it("writes parseable JSON with the diagnostics", () => {
    const result = runCli([
      "check",
      "--format",
      "json",
      "--expr",
      "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
    expect(diagnostics).toHaveLength(2);
    for (const d of diagnostics) {
      expect(d).toMatchObject({
        severity: "error",
        subject: "expression",
        source: { file: "--expr", line: 1 },
        position: { line: 1, column: 26 },
      });
      expect(d.message.length).toBeGreaterThan(0);
      expect(d.fix).toBeTruthy();
    }
    expect(diagnostics.find((d) => d.check === "promql/histogram-quantile")!.message).toContain(
      "it reads raw bucket counters",
    );
  });

  it("writes an empty diagnostics list for the project", () => {
    const result = runCli(["check", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ diagnostics: [] });
  });

  it("writes GitHub workflow commands", () => {
    const result = runCli([
      "check",
      "--format",
      "github",
      "--expr",
      "histogram_quantile(0.95, ecto_query_duration_seconds_bucket)",
    ]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    // Annotations, then the summary as a notice: what `o11y diff --format github` writes too.
    expect(lines.pop()).toBe("::notice title=o11y check::2 error(s), 0 warning(s)");
    for (const line of lines) expect(line.startsWith("::error file=--expr,line=1,title=promql/")).toBe(true);
    // One annotation per diagnostic: the fix travels on the same line, newline-escaped.
    expect(lines.every((line) => line.includes("%0Afix: "))).toBe(true);
  });

  it.each([
    { name: "NO_COLOR set", env: { NO_COLOR: "1" } },
    // An empty NO_COLOR counts as unset (no-color.org); stdout is a pipe, not a terminal, so still no color.
    { name: "not a terminal", env: { NO_COLOR: "" } },
  ])("prints no ANSI escapes when $name", ({ env }) => {
    for (const args of [
      ["check", "--expr", "histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)"],
      ["check", fixture],
    ]) {
      const result = runCli(args, env);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("error");
      expect(result.stdout).not.toMatch(ansi);
      expect(result.stderr).not.toMatch(ansi);
    }
  });
});

describe("color on a terminal", () => {
  const saved = process.env.NO_COLOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  });
  const terminal = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it("is used on a terminal unless NO_COLOR is set", () => {
    delete process.env.NO_COLOR;
    expect(useColor(terminal)).toBe(true);
    expect(useColor(pipe)).toBe(false);
    process.env.NO_COLOR = "1";
    expect(useColor(terminal)).toBe(false);
    process.env.NO_COLOR = "";
    expect(useColor(terminal)).toBe(true);
  });

  it("colors text output only when asked", () => {
    const d: Diagnostic = {
      check: "promql/regexp",
      severity: "warning",
      subject: "expression",
      source: { file: "--expr", line: 1 },
      message: "m",
      fix: "f",
    };
    expect(formatReport([d], "text", true)).toMatch(ansi);
    expect(formatReport([d], "text", false)).not.toMatch(ansi);
  });
});

describe("o11y check <rule file>", () => {
  /** The line of a rule's expression in the fixture. */
  const exprLine = (text: string) => lineOf(fixtureText, text);
  const latency = exprLine("expr: histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)");
  const creations = exprLine("expr: sum by (job) (rate(global_sovereign_covenant_projects_total[1h]))");
  const slow = exprLine('sum by (job) (ecto_query_duration_seconds_bucket{le="0.5"})'); // the block scalar's first line
  const anchored = exprLine('expr: sum by (job) (rate(phoenix_http_request_total{status=~"^5..$"}[5m]))');

  it("reports each mistake at its rule's line in the file", () => {
    const result = runCli(["check", "--format", "json", ...legacy]);
    expect(result.code).toBe(1);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
    expect(
      diagnostics.map((d) => [d.source.file, d.source.line, d.check, d.subject, d.suppressed ?? null]),
    ).toEqual([
      [fixture, latency, "promql/counter-without-rate", "alert LegacyPhoenixLatencyHigh", null],
      [fixture, latency, "promql/histogram-quantile", "alert LegacyPhoenixLatencyHigh", null],
      [
        fixture,
        creations,
        "promql/rate-on-counter",
        "recording rule job:global_sovereign_covenant_projects:rate1h",
        null,
      ],
      [fixture, slow, "alerts/comparison", "alert LegacySlowQueries", null],
      [fixture, slow, "promql/counter-without-rate", "alert LegacySlowQueries", null],
      // The YAML comment above the rule suppresses it, with its reason.
      [
        fixture,
        anchored,
        "promql/regexp",
        "alert LegacyHigh5xx",
        "copied verbatim from the vendor's rule pack, which we keep in sync",
      ],
    ]);
    expect(diagnostics.find((d) => d.check === "promql/rate-on-counter")!.position).toEqual({
      line: 1,
      column: 20,
    });
  });

  it("says which files it cannot read, and checks the others", () => {
    const result = runCli(["check", "--format", "json", "no/such/rules.yaml", "test/fixtures", ...legacy]);
    expect(result.code).toBe(1);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
    expect(
      diagnostics
        .filter((d) => d.check === "rules/file")
        .map((d) => `${d.source.file}:${d.source.line} ${d.message}`),
    ).toEqual([
      "no/such/rules.yaml:1 cannot be read: there is no such file",
      "test/fixtures:1 cannot be read: it is a folder",
    ]);
    expect(diagnostics.filter((d) => d.source.file === fixture)).toHaveLength(6);
  });

  it("prints file:line locations of the rule file in text", () => {
    const result = runCli(["check", ...legacy]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `${fixture}:${latency} error alert LegacyPhoenixLatencyHigh: histogram_quantile over phoenix_http_request_duration_seconds_bucket`,
    );
    expect(result.stdout).toContain(
      `${fixture}:${creations} error recording rule job:global_sovereign_covenant_projects:rate1h: rate() over gauge`,
    );
    expect(result.stdout).toContain(
      `${fixture}:${slow} error alert LegacySlowQueries: the expression has no comparison that filters series`,
    );
    expect(result.stdout).toContain(`${fixture}:${anchored} suppressed warning alert LegacyHigh5xx:`);
    expect(result.stdout).not.toContain("LegacyHigh5xxRecorded");
    expect(result.stderr).toBe("5 error(s), 0 warning(s), 1 suppressed\n");
  });

  it("annotates the rule file's lines in GitHub format", () => {
    const result = runCli(["check", "--format", "github", ...legacy]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines.pop()).toBe("::notice title=o11y check::5 error(s), 0 warning(s), 1 suppressed");
    expect(lines.filter((l) => l.startsWith(`::error file=${fixture},line=`))).toHaveLength(5);
    expect(
      lines.filter((l) =>
        l.startsWith(`::error file=${fixture},line=${creations},title=promql/rate-on-counter::`),
      ),
    ).toHaveLength(1);
    // A suppressed diagnostic stays visible on the pull request, as a notice.
    expect(lines.filter((l) => l.startsWith(`::notice file=${fixture},line=${anchored},`))).toHaveLength(1);
  });
});

describe("o11y check and promtool", () => {
  const newer = "test/fixtures/prometheus3-rules.yaml";
  const newerText = readFileSync(path.join(projectRoot, newer), "utf8");

  it("judges rule files with promtool too when asked (--tools auto), at each rule's line, saying nothing twice", () => {
    const result = runCli(["check", "--format", "json", "--tools", "auto", newer]);
    expect(result.code).toBe(1);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
    expect(diagnostics.map((d) => [d.source.line, d.check, d.subject, d.position])).toEqual([
      [lineOf(newerText, `expr: '{"up"`), "tool/promtool", "alert QuotedMetricName", { line: 1, column: 2 }],
      [
        lineOf(newerText, "expr: sum by (job) (rate(phoenix_http_request_total[5m])"),
        "promql/syntax",
        "recording rule job:phoenix_http_requests_legacy:rate5m",
        { line: 1, column: 51 },
      ],
      [
        lineOf(newerText, 'expr: sum by (job) (rate(phoenix_http_request_total{status=~"5.."}[5m])) > 1'),
        "alerts/template",
        "alert BrokenTemplate",
        undefined,
      ],
    ]);
    expect(diagnostics[0]!.message).toMatch(
      /^promtool \d+\.\d+\.\S+ rejects it: could not parse expression: 1:2: parse error: unexpected string "\\"up\\"" in label matching, expected identifier or "}"$/,
    );
    // By default promtool leaves rule files alone: rules a team runs today load in its Prometheus already.
    expect(JSON.parse(runCli(["check", "--format", "json", newer]).stdout).diagnostics).toHaveLength(2);
  });

  it.each([
    ["Prometheus 3 syntax", '{"up"} < 1', [["tool/promtool", { line: 1, column: 2 }]]],
    [
      "a duration without a unit",
      "sum(rate(phoenix_http_request_total[300])) > 1",
      [["tool/promtool", { line: 1, column: 37 }]],
    ],
    ["a syntax error both see, said once", "sum(up", [["promql/syntax", { line: 1, column: 7 }]]],
    ["an empty expression, said once", "", [["promql/syntax", { line: 1, column: 1 }]]],
    ["what both accept", 'sum(up{job="global-sovereign"}) < 1', []],
  ])("judges --expr with promtool too: %s", (_name, expr, expected) => {
    const result = runCli(["check", "--format", "json", "--expr", expr as string]);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
    expect(diagnostics.map((d) => [d.check, d.position])).toEqual(expected);
    expect(result.code).toBe((expected as unknown[]).length ? 1 : 0);
  });

  const emptyPath = mkdtempSync(path.join(tmpdir(), "o11y-no-tools-"));
  afterAll(() => rmSync(emptyPath, { recursive: true, force: true }));

  it.each([
    {
      name: "a file that is not YAML is said once, by rules/file, not again by promtool",
      files: {
        "good.yaml": "groups: []\n",
        "dup.yaml":
          "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: up\n        expr: up\n",
      },
      expected: ["dup.yaml:6 rules/file dup.yaml"],
    },
    {
      name: "a rule without alert or record is said at its own line, by rules/file, not again by promtool",
      files: {
        "noname.yaml":
          "groups:\n  - name: g\n    rules:\n      - expr: up == 0\n      - alert: Other\n        expr: up < 1\n        labels: {severity: low}\n        annotations: {summary: s, description: d, runbook_url: https://example.invalid/r}\n",
      },
      expected: ["noname.yaml:4 rules/file rule 1 of group g"],
    },
    {
      name: "a path with a space",
      files: {
        "with space.yaml":
          "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: '{\"up\"}'\n",
      },
      expected: ["with space.yaml:5 tool/promtool recording rule a:b:c"],
    },
  ])("places promtool's verdict on foreign files: $name", ({ files, expected }) => {
    const dir = mkdtempSync(path.join(tmpdir(), "o11y-promtool-files-"));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
      const result = spawnSync(
        process.execPath,
        [
          path.join(projectRoot, "bin/o11y.js"),
          "check",
          "--format",
          "json",
          "--tools",
          "auto",
          ...Object.keys(files),
        ],
        { cwd: dir, encoding: "utf8" },
      );
      const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
      expect(
        diagnostics.map((d) => `${d.source.file}:${d.source.line} ${d.check} ${d.subject}`),
        result.stderr,
      ).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says when promtool is not there, and fails without it only on --tools require", () => {
    const env = { PATH: emptyPath, O11Y_PROMTOOL: "", O11Y_AMTOOL: "" };
    const auto = runCli(["check", "--expr", '{"up"} < 1'], env);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toContain("note: promtool did not judge --expr: promtool is not on PATH");
    const required = runCli(["check", "--tools", "require", newer], env);
    expect(required.code).toBe(1);
    expect(required.stdout).toContain(
      `${newer}:1 error ${newer}: promtool must judge ${newer} (--tools require), but promtool is not on PATH [tool/promtool]`,
    );
  });
});
