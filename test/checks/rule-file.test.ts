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
  { name: "an alias to a node that holds it", text: "groups: &g\n- name: x\n  rules: *g\n", expected: [[3, "not valid YAML: alias *g refers to a node that contains it"]] },
];

const fine: Array<{ name: string; text: string }> = [
  { name: "an empty file", text: "" },
  { name: "an empty groups list", text: "groups:\n" },
  { name: "a trailing document marker", text: "groups: []\n---\n" },
];

describe("reading a rule file", () => {
  it.each(bad)("reports $name", ({ text, expected }) => {
    const file = read(text);
    expect(file.diagnostics.map((d) => [d.source.line, d.message.slice(0, expected[0]![1].length)])).toEqual(expected);
    expect(file.diagnostics.every((d) => d.check === "rules/file" && d.severity === "error" && d.source.file === "rules.yaml")).toBe(true);
    expect([file.alerts, file.recordingRules]).toEqual([[], []]);
  });

  it.each(fine)("reads $name as no rules, as Prometheus does", ({ text }) => {
    expect(read(text)).toMatchObject({ diagnostics: [], alerts: [], recordingRules: [] });
  });

  it("reads ~, null and nothing as no value, placed at their key's line", () => {
    const file = read("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr:\n        for: ~\n        labels: null\n        annotations:\n          summary: 'null'\n");
    expect(file.alerts.map((a) => [a.expr, a.for, a.labels, a.annotations, a.source.line])).toEqual([["", "0s", {}, { summary: "null" }, 5]]);
  });

  it("applies merge keys, the map's own keys first", () => {
    const file = read("base: &base {severity: page, team: web}\ngroups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels:\n          <<: *base\n          team: db\n");
    expect(file.alerts[0]!.labels).toEqual({ team: "db", severity: "page" });
  });

  it("numbers every item of a group's rules, whatever it is, for tools that count them", () => {
    const file = read("groups:\n  - name: g\n    rules:\n      - expr: up == 0\n      - alert: Other\n        expr: up < 1\n      - just text\n");
    expect(file.ruleItems.get("g")).toEqual([
      { subject: "rule 1 of group g", line: 4 },
      { subject: "alert Other", line: 6 },
      { subject: "rule 3 of group g", line: 7 },
    ]);
  });

  it("reads a file with CRLF line endings as the same file", () => {
    const lf = "groups:\n  - name: g\n    rules:\n      # o11y-disable promql/regexp: vendor rules\n      - alert: A\n        expr: up == 0 # o11y-disable alerts/for: on purpose\n";
    const crlf = read(lf.replaceAll("\n", "\r\n"));
    expect(crlf.alerts.map((a) => [a.expr, a.source.line])).toEqual(read(lf).alerts.map((a) => [a.expr, a.source.line]));
    expect(crlf.alerts[0]!.expr).toContain("# o11y-disable promql/regexp: vendor rules");
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

  it("does not take the last line of the previous rule's block scalar for a comment above the next rule", () => {
    const file = read(
      "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: |\n          sum by (job) (up)\n          # o11y-disable promql/regexp: the vendor's\n      - alert: B\n        expr: up == 0\n",
    );
    expect(file.alerts.map((a) => a.expr)).toEqual(["up == 0"]);
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
