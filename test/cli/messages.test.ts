/**
 * What `o11y check` says of the mistakes issue 12 found it misdescribing, through the real CLI: each message must
 * say what the mistake does, and point where the fix is for the input it was given.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { runCli } from "../helpers/cli.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-messages-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function check(...args: string[]): Diagnostic[] {
  const result = runCli(["check", "--format", "json", "--tools", "off", ...args]);
  expect(result.code, result.stderr).toBe(1);
  return (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
}

describe("o11y check says what the mistake does", () => {
  it("a by() on a label the series lack does not 'match nothing': it fails to split the result", () => {
    const [d, ...rest] = check("--expr", "sum by (foo) (rate(phoenix_http_request_total[5m]))");
    expect(rest).toEqual([]);
    expect(d!.message).toBe(
      "label foo is not on the aggregated series, so by() does not split the result by it, and the result has no such label (its labels: instance, job, method, path, status)",
    );
    expect(d!.message).not.toContain("matches nothing");
  });

  it("$__rate_interval in a plain --expr points at --dashboard", () => {
    const found = check("--expr", "sum(rate(phoenix_http_request_total[$__rate_interval]))");
    expect(found.map((d) => d.check)).toEqual(["promql/syntax"]);
    expect(found[0]!.message).toContain("$__rate_interval is a Grafana variable");
    expect(found[0]!.fix).toContain("add --dashboard (o11y check --dashboard --expr '...')");
  });

  it("a misspelt $__rate_intervall is a misspelt variable, not a fixed window", () => {
    const found = check(
      "--dashboard",
      "--expr",
      'sum(rate(phoenix_http_request_total{job=~"$job", instance=~"$instance"}[$__rate_intervall]))',
    );
    expect(found.map((d) => [d.check, d.message])).toEqual([
      [
        "dashboard/undefined-variable",
        "variable $__rate_intervall is not one of Grafana's own variables (names starting with __ are reserved for them)",
      ],
    ]);
    expect(found[0]!.fix).toMatch(/^did you mean \$__rate_interval\?/);
    expect(JSON.stringify(found)).not.toContain("fixed window");
  });

  it("a rule file from elsewhere gets advice about its own rules, not about this project's TypeScript", () => {
    const file = path.join(temp, "rules.yaml");
    writeFileSync(
      file,
      [
        "groups:",
        "  - name: example",
        "    rules:",
        "      - record: job:foo_requests:rate5m",
        "        expr: sum by (job) (rate(foo_requests_total[5m]))",
        "      - alert: FooHigh",
        "        expr: sum by (instance) (job:foo_requests:rate5m) > 1",
        "      - alert: FooTypo",
        '        expr: job:foo_requests:rate5m{jbo="x"} > 1',
        "",
      ].join("\n"),
    );
    const found = check(file);
    expect(found.map((d) => [d.source.line, d.check, d.fix])).toEqual([
      [
        7,
        "promql/unknown-label",
        "use one of its labels, or keep the label in the by() of the rule that records job:foo_requests:rate5m, or query the series it reads.",
      ],
      [
        9,
        "promql/unknown-label",
        "did you mean job? Otherwise keep the label in the by() of the rule that records job:foo_requests:rate5m, or query the series it reads.",
      ],
    ]);
    for (const d of found) expect(`${d.message} ${d.fix}`).not.toMatch(/src\/|catalog|TypeScript|\.ts\b/);
  });

  it("house rules turned on for a rule file from elsewhere give advice about that file, not about src/", () => {
    const file = path.join(temp, "ours.yaml");
    writeFileSync(
      file,
      [
        "groups:",
        "  - name: example",
        "    rules:",
        "      - alert: Typo",
        "        expr: sum(rate(phoenix_http_request_totl[5m])) > 1",
        "      - alert: NotRecorded",
        "        expr: job:nowhere:rate5m > 1",
        "",
      ].join("\n"),
    );
    const config = path.join(temp, "ours.o11y.yml");
    writeFileSync(
      config,
      "ruleFiles:\n  - match: ours.yaml\n    checks:\n      promql/unknown-metric: on\n      rules/dependency: on\n",
    );
    const found = check("--config", config, file);
    expect(found.map((d) => [d.check, d.fix])).toEqual([
      [
        "promql/unknown-metric",
        "did you mean phoenix_http_request_total? Otherwise correct the name, or turn promql/unknown-metric off for this file in the configuration if it does not query the catalog's metrics.",
      ],
      [
        "rules/dependency",
        "record it in a rule file checked together with this one (they are read as Prometheus loads them), or use the raw expression.",
      ],
    ]);
  });
});
