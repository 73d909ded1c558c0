/**
 * Reading a Prometheus rule file from elsewhere: what each rule becomes, the line it is located at, and what makes
 * the file unusable (reported once, as `rules/file`, at its line).
 */
import { describe, expect, it } from "vitest";
import { readRuleFile } from "../../src/engine/check/rule-file.ts";

const read = (text: string) => readRuleFile("rules.yaml", text, "1m");

interface Bad {
  name: string;
  text: string;
  /** `line: message` of each rules/file diagnostic, the message's start. */
  expected: Array<[line: number, message: string]>;
}

const bad: Bad[] = [
  { name: "YAML that does not parse", text: "groups:\n  - name: g\n    rules: [\n  - x\n", expected: [[4, "not valid YAML: "]] },
  { name: "no groups list", text: "rules:\n  - record: a:b:c\n    expr: up\n", expected: [[1, "not a Prometheus rule file: no `groups:` list"]] },
  { name: "groups that is not a list", text: "groups: {name: g}\n", expected: [[1, "not a Prometheus rule file: no `groups:` list"]] },
  {
    name: "a key twice in one rule",
    text: "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        expr: up < 1\n",
    expected: [[6, 'not valid YAML: duplicate key "expr" (Prometheus refuses the file)']],
  },
  { name: "two documents", text: "groups: []\n---\ngroups: []\n", expected: [[1, "not valid YAML: 2 YAML documents in one file"]] },
  { name: "an alias to no anchor", text: "groups:\n  - name: g\n    rules: *missing\n", expected: [[3, "not valid YAML: "]] },
];

describe("reading a rule file", () => {
  it.each(bad)("reports $name", ({ text, expected }) => {
    const file = read(text);
    expect(file.diagnostics.map((d) => [d.source.line, d.message.slice(0, expected[0]![1].length)])).toEqual(expected);
    expect(file.diagnostics.every((d) => d.check === "rules/file" && d.severity === "error" && d.source.file === "rules.yaml")).toBe(true);
    expect([file.alerts, file.recordingRules]).toEqual([[], []]);
  });

  it("reads alerts and recording rules with their expressions' lines, block scalars at their first content line", () => {
    const file = read(
      [
        "groups:", //                                       1
        "  - name: api", //                                 2
        "    interval: 30s", //                             3
        "    rules:", //                                    4
        "      - record: job:http_requests:rate5m", //      5
        "        expr: sum by (job) (rate(http_requests_total[5m]))", // 6
        "        labels: {team: web}", //                   7
        "      - alert: Errors", //                         8
        "        expr: |", //                               9
        "          job:http_requests:rate5m", //            10
        "            > 1", //                               11
        "        for: 5m", //                               12
        "        labels:", //                               13
        "          severity: page", //                      14
        "          priority: 1", //                         15
        "        annotations:", //                          16
        "          summary: 'Errors on {{ $labels.job }}'", // 17
        "      - alert: Bare", //                           18
        "        expr: up == 0", //                         19
        "        labels:", //                               20
      ].join("\n") + "\n",
    );
    expect(file.diagnostics).toEqual([]);
    expect(file.groups).toEqual([{ name: "api", kind: "alerts", file: "rules.yaml", interval: "30s", rules: ["job:http_requests:rate5m", "Errors", "Bare"] }]);
    expect(file.recordingRules).toEqual([
      { record: "job:http_requests:rate5m", expr: "sum by (job) (rate(http_requests_total[5m]))", labels: { team: "web" }, tests: [], group: "api", source: { file: "rules.yaml", line: 6 } },
    ]);
    expect(file.alerts.map((a) => [a.name, a.expr, a.for, a.labels, a.annotations, a.severity, a.source.line])).toEqual([
      ["Errors", "job:http_requests:rate5m\n  > 1\n", "5m", { severity: "page", priority: "1" }, { summary: "Errors on {{ $labels.job }}" }, "page", 10],
      // An empty `labels:` is no labels; no `for` is 0s.
      ["Bare", "up == 0", "0s", {}, {}, "", 19],
    ]);
  });

  it("follows anchors and aliases", () => {
    const file = read("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: &common {severity: page}\n      - alert: B\n        expr: up < 1\n        labels: *common\n");
    expect(file.alerts.map((a) => a.labels)).toEqual([{ severity: "page" }, { severity: "page" }]);
  });

  it("appends the o11y-disable comments above and inside a rule to its expression, not those of the next rule", () => {
    const file = read(
      "groups:\n  - name: g\n    rules:\n      # o11y-disable promql/regexp: vendor rules\n      - alert: A\n        expr: up == 0\n        # o11y-disable alerts/for: flapping is fine here\n        labels: {severity: page}\n      # o11y-disable promql/syntax: for B\n      - alert: B\n        expr: up < 1\n",
    );
    expect(file.alerts.map((a) => a.expr)).toEqual([
      "up == 0\n# o11y-disable promql/regexp: vendor rules\n# o11y-disable alerts/for: flapping is fine here",
      "up < 1\n# o11y-disable promql/syntax: for B",
    ]);
  });
});
