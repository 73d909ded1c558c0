/**
 * Reading a Prometheus rule file from elsewhere: what each rule becomes, the line it is located at, and what makes
 * the file unusable (reported once, as `rules/file`, at its line).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readRuleFile } from "../../src/engine/check/rule-file.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { run } from "../helpers/tools.ts";

const read = (text: string) => readRuleFile("rules.yaml", text, "1m");

interface Bad {
  name: string;
  text: string;
  /** `line: message` of each rules/file diagnostic, the message's start. */
  expected: Array<[line: number, message: string]>;
}

const bad: Bad[] = [
  {
    name: "YAML that does not parse",
    text: "groups:\n  - name: g\n    rules: [\n  - x\n",
    expected: [[4, "not valid YAML: "]],
  },
  {
    name: "no groups list",
    text: "rules:\n  - record: a:b:c\n    expr: up\n",
    expected: [[1, "not a Prometheus rule file: no `groups:` list"]],
  },
  {
    name: "groups that is not a list",
    text: "groups: {name: g}\n",
    expected: [[1, "not a Prometheus rule file: no `groups:` list"]],
  },
  {
    name: "a key twice in one rule",
    text: "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        expr: up < 1\n",
    expected: [[6, 'not valid YAML: duplicate key "expr" (Prometheus refuses the file)']],
  },
  {
    name: "two documents",
    text: "groups: []\n---\ngroups: []\n",
    expected: [[1, "not valid YAML: 2 YAML documents in one file"]],
  },
  {
    name: "an alias to no anchor",
    text: "groups:\n  - name: g\n    rules: *missing\n",
    expected: [[3, "not valid YAML: "]],
  },
  {
    name: "an alias to a node that holds it",
    text: "groups: &g\n- name: x\n  rules: *g\n",
    expected: [[3, "not valid YAML: alias *g refers to a node that contains it"]],
  },
];

const fine: Array<{ name: string; text: string }> = [
  { name: "an empty file", text: "" },
  { name: "an empty groups list", text: "groups:\n" },
  { name: "a trailing document marker", text: "groups: []\n---\n" },
];

describe("reading a rule file", () => {
  it.each(bad)("reports $name", ({ text, expected }) => {
    const file = read(text);
    expect(file.diagnostics.map((d) => [d.source.line, d.message.slice(0, expected[0]![1].length)])).toEqual(
      expected,
    );
    expect(
      file.diagnostics.every(
        (d) => d.check === "rules/file" && d.severity === "error" && d.source.file === "rules.yaml",
      ),
    ).toBe(true);
    expect([file.alerts, file.recordingRules]).toEqual([[], []]);
  });

  it.each(fine)("reads $name as no rules, as Prometheus does", ({ text }) => {
    expect(read(text)).toMatchObject({ diagnostics: [], alerts: [], recordingRules: [] });
  });

  it("reads ~, null and nothing as no value, placed at their key's line", () => {
    const file = read(
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr:\n        for: ~\n        labels: null\n        annotations:\n          summary: 'null'\n",
    );
    expect(file.alerts.map((a) => [a.expr, a.for, a.labels, a.annotations, a.source.line])).toEqual([
      ["", "0s", {}, { summary: "null" }, 5],
    ]);
  });

  it("applies merge keys, the map's own keys first", () => {
    const file = read(
      "base: &base {severity: page, team: web}\ngroups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels:\n          <<: *base\n          team: db\n",
    );
    expect(file.alerts[0]!.labels).toEqual({ team: "db", severity: "page" });
  });

  it("numbers every item of a group's rules, whatever it is, for tools that count them", () => {
    const file = read(
      "groups:\n  - name: g\n    rules:\n      - expr: up == 0\n      - alert: Other\n        expr: up < 1\n      - just text\n",
    );
    expect(file.ruleItems.get("g")).toEqual([
      { subject: "rule 1 of group g", line: 4 },
      { subject: "alert Other", line: 6 },
      { subject: "rule 3 of group g", line: 7 },
    ]);
  });

  it("reads a file with CRLF line endings as the same file", () => {
    const lf =
      "groups:\n  - name: g\n    rules:\n      # o11y-disable promql/regexp: vendor rules\n      - alert: A\n        expr: up == 0 # o11y-disable alerts/for: on purpose\n";
    const crlf = read(lf.replaceAll("\n", "\r\n"));
    expect(crlf.alerts.map((a) => [a.expr, a.source.line])).toEqual(
      read(lf).alerts.map((a) => [a.expr, a.source.line]),
    );
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
    expect(file.groups).toEqual([
      {
        name: "api",
        kind: "alerts",
        file: "rules.yaml",
        interval: "30s",
        rules: ["job:http_requests:rate5m", "Errors", "Bare"],
      },
    ]);
    expect(file.recordingRules).toEqual([
      {
        record: "job:http_requests:rate5m",
        expr: "sum by (job) (rate(http_requests_total[5m]))",
        labels: { team: "web" },
        tests: [],
        group: "api",
        source: { file: "rules.yaml", line: 6 },
      },
    ]);
    expect(
      file.alerts.map((a) => [a.name, a.expr, a.for, a.labels, a.annotations, a.severity, a.source.line]),
    ).toEqual([
      [
        "Errors",
        "job:http_requests:rate5m\n  > 1\n",
        "5m",
        { severity: "page", priority: "1" },
        { summary: "Errors on {{ $labels.job }}" },
        "page",
        10,
      ],
      // An empty `labels:` is no labels; no `for` is 0s.
      ["Bare", "up == 0", "0s", {}, {}, "", 19],
    ]);
  });

  it("follows anchors and aliases", () => {
    const file = read(
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: &common {severity: page}\n      - alert: B\n        expr: up < 1\n        labels: *common\n",
    );
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

/** promtool 2.42's verdict on a rule file's text: whether it loads. */
function promtoolAccepts(text: string): { accepts: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-shape-"));
  try {
    writeFileSync(path.join(dir, "rules.yaml"), text);
    const result = run("promtool", ["check", "rules", "rules.yaml"], dir);
    return { accepts: result.code === 0, output: result.output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file of one group `g` with these rule lines (indented under `rules:`, from line 4). */
const rules = (...lines: string[]) =>
  `groups:\n  - name: g\n    rules:\n${lines.map((l) => `      ${l}`).join("\n")}\n`;

interface Misshapen {
  name: string;
  text: string;
  /** `line: message` of each rules/file diagnostic, the message's start, in the order reported. */
  expected: Array<[line: number, message: string]>;
  /** Whether promtool 2.42 loads the file anyway (we refuse it for a reason of our own). */
  promtoolAccepts?: true;
}

const misshapen: Misshapen[] = [
  {
    name: "an unknown top-level field",
    text: "groups: []\nextra: 1\n",
    expected: [[2, 'unknown field "extra" in a rule file']],
  },
  {
    name: "an unknown group field",
    text: "groups:\n  - name: g\n    interva: 1m\n    rules: []\n",
    expected: [[3, 'unknown field "interva" in a group']],
  },
  {
    name: "an unknown rule field",
    text: rules("- alert: A", "  expr: up == 0", "  lables: {severity: page}"),
    expected: [[6, 'unknown field "lables" in a rule']],
  },
  {
    name: "a list where the group's name belongs",
    text: "groups:\n  - name: [a, b]\n    rules: []\n",
    expected: [[2, "the group's name must be text, not a list"]],
  },
  {
    name: "a map where expr belongs",
    text: rules("- record: a:b:c", "  expr: {sum: up}"),
    expected: [[5, "expr must be text, not a map"]],
  },
  {
    name: "a list where alert belongs",
    text: rules("- alert: [A, B]", "  expr: up == 0"),
    expected: [[4, "alert must be text, not a list"]],
  },
  {
    name: "a list as a label's value",
    text: rules("- alert: A", "  expr: up == 0", "  labels:", "    severity: [page]"),
    expected: [[7, "the value of label severity must be text, not a list"]],
  },
  {
    name: "labels that are a list",
    text: rules("- alert: A", "  expr: up == 0", "  labels: [severity]"),
    expected: [[6, "labels must be a map of names to text, not a list"]],
  },
  {
    name: "interval: banana",
    text: "groups:\n  - name: g\n    interval: banana\n    rules: []\n",
    expected: [[3, 'interval "banana" is not a Prometheus duration']],
  },
  {
    name: "a for without a unit",
    text: rules("- alert: A", "  expr: up == 0", "  for: 5"),
    expected: [[6, 'for "5" is not a Prometheus duration']],
  },
  {
    name: "a for with its units out of order",
    text: rules("- alert: A", "  expr: up == 0", "  for: 30s5m"),
    expected: [[6, 'for "30s5m" is not a Prometheus duration']],
  },
  {
    name: "a keep_firing_for that is no duration",
    text: rules("- alert: A", "  expr: up == 0", "  keep_firing_for: later"),
    expected: [[6, 'keep_firing_for "later" is not a Prometheus duration']],
  },
  {
    name: "a for beyond what Prometheus counts",
    text: rules("- alert: A", "  expr: up == 0", "  for: 300y"),
    expected: [[6, 'for "300y" is longer than Prometheus can count']],
  },
  {
    name: "a limit that is no number",
    text: "groups:\n  - name: g\n    limit: lots\n    rules: []\n",
    expected: [[3, 'limit must be a whole number, not "lots"']],
  },
  {
    name: "two groups of one name",
    text: "groups:\n  - name: g\n    rules: []\n  - name: h\n  - name: g\n",
    expected: [[5, 'group name "g" is used twice in the file']],
  },
  {
    name: "a group without a name",
    text: "groups:\n  - rules: []\n  - name: ''\n",
    expected: [
      [2, "the group has no name"],
      [3, "the group has no name"],
    ],
  },
  {
    name: "a group that is not a map",
    text: "groups:\n  - just a name\n",
    expected: [[2, "a group must be a map (name, rules), not text"]],
  },
  {
    name: "rules that are not a list",
    text: "groups:\n  - name: g\n    rules: {alert: A}\n",
    expected: [[3, "rules must be a list of rules, not a map"]],
  },
  {
    name: "a rule that is not a map",
    text: rules("- up == 0"),
    expected: [[4, "a rule must be a map (record or alert, expr, ...), not text"]],
  },
  {
    name: "a rule with both alert and record",
    text: rules("- alert: A", "  record: a:b:c", "  expr: up == 0"),
    expected: [[5, "the rule has both alert and record"]],
  },
  {
    name: "a rule with neither alert nor record",
    text: rules("- expr: up == 0", "  labels: {severity: page}"),
    expected: [[4, "the rule has neither alert nor record"]],
  },
  {
    name: "a rule without expr",
    text: rules("- alert: A", "  for: 5m", "- record: a:b:c", "  expr:"),
    expected: [
      [4, "the rule has no expr"],
      [7, "the rule has no expr"],
    ],
  },
  {
    name: "an invalid label name",
    text: rules("- alert: A", "  expr: up == 0", "  labels:", "    team-name: web"),
    expected: [[7, '"team-name" is not a valid label name']],
  },
  {
    name: "__name__ as a label",
    text: rules("- record: a:b:c", "  expr: up", "  labels: {__name__: other}"),
    expected: [[6, '"__name__" is not a valid label name']],
  },
  {
    name: "an invalid annotation name",
    text: rules(
      "- alert: A",
      "  expr: up == 0",
      "  annotations:",
      "    runbook-url: https://example.invalid",
    ),
    expected: [[7, '"runbook-url" is not a valid annotation name']],
  },
  {
    name: "an invalid recording rule name",
    text: rules("- record: http requests", "  expr: up"),
    expected: [[4, '"http requests" is not a valid series name']],
  },
  {
    name: "a recording rule with for, keep_firing_for and annotations",
    text: rules(
      "- record: a:b:c",
      "  expr: up",
      "  for: 5m",
      "  keep_firing_for: 1m",
      "  annotations: {summary: s}",
    ),
    expected: [
      [6, "a recording rule has no for"],
      [7, "a recording rule has no keep_firing_for"],
      [8, "a recording rule has no annotations"],
    ],
  },
  {
    name: "a merge key that merges text",
    text: rules("- alert: A", "  expr: up == 0", "  labels:", "    <<: severity", "    team: web"),
    expected: [[7, "a merge key (<<) takes a map or a list of maps"]],
  },
  {
    name: "an unknown field merged in from an anchor",
    text: "groups:\n  - name: g\n    rules:\n      - &base {alert: A, expr: up == 0, fro: 5m}\n      - <<: *base\n        alert: B\n",
    expected: [[4, 'unknown field "fro" in a rule']],
  },
  {
    name: "expr and alert written as aliases, which Prometheus 2.42 reads as the anchors' names",
    text: rules(
      "- record: job:up:sum",
      "  expr: &e sum by (job) (up)",
      "- record: job:up:sum2",
      "  expr: *e",
      "- alert: &n A",
      "  expr: up == 0",
      "- alert: *n",
      "  expr: up == 1",
    ),
    expected: [
      [7, 'expr is written as the alias *e: Prometheus 2.42 reads that as the text "e"'],
      [10, "alert is written as the alias *n"],
    ],
    promtoolAccepts: true,
  },
];

/** Files Prometheus loads, written in ways a strict reader might wrongly refuse. */
const wellShaped: Array<{ name: string; text: string }> = [
  {
    name: "every field a group and a rule may have",
    text: "groups:\n  - name: g\n    interval: 30s\n    limit: 10\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 1h30m\n        keep_firing_for: 5m\n        labels: {severity: page, __meta: x}\n        annotations: {summary: 'Down: {{ $labels.job }}'}\n      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: {team: web}\n",
  },
  {
    name: "empty and zero values",
    text: "groups:\n  - name: g\n    interval: 0\n    limit:\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 0\n        keep_firing_for: ~\n        labels:\n        annotations: null\n  - name: h\n    rules:\n",
  },
  {
    name: "numbers and booleans where text belongs",
    text: "groups:\n  - name: 2024\n    rules:\n      - alert: true\n        expr: 1\n        labels: {priority: 1, paging: yes}\n",
  },
  {
    name: "merge keys and aliases of maps and whole rules",
    text: "groups:\n  - name: g\n    rules:\n      - &base\n        alert: A\n        expr: up == 0\n        for: 5m\n        labels: &labels {severity: page}\n      - <<: *base\n        alert: B\n      - alert: C\n        expr: up == 1\n        labels:\n          <<: [*labels, {team: web}]\n          severity: low\n      - *base\n",
  },
  {
    name: "a byte order mark",
    text: "\uFEFFgroups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: up\n",
  },
];

describe("reading a rule file as strictly as Prometheus 2.42", () => {
  it.each(misshapen)("refuses $name, at its line", ({ text, expected, promtoolAccepts: accepted }) => {
    const file = read(text);
    expect(
      file.diagnostics.map((d) => [
        d.source.line,
        d.message.slice(0, expected.find(([line]) => line === d.source.line)?.[1].length ?? 40),
      ]),
    ).toEqual(expected);
    expect(file.diagnostics.every((d) => d.check === "rules/file" && d.severity === "error" && d.fix)).toBe(
      true,
    );
    const verdict = promtoolAccepts(text);
    expect(verdict.accepts, verdict.output).toBe(accepted ?? false);
  });

  it.each(wellShaped)("accepts $name, as promtool does", ({ text }) => {
    expect(read(text).diagnostics).toEqual([]);
    const verdict = promtoolAccepts(text);
    expect(verdict.accepts, verdict.output).toBe(true);
  });

  it("says every problem of a file at once, each with the rule it is in", () => {
    const file = read(
      rules(
        "- alert: A",
        "  expr: up == 0",
        "  for: soon",
        "- record: bad name",
        "  expr: up",
        "- alert: C",
        "  exp: up",
      ),
    );
    expect(file.diagnostics.map((d) => `${d.source.line} ${d.subject}: ${d.message.split(":")[0]}`)).toEqual([
      '6 alert A: for "soon" is not a Prometheus duration',
      '7 recording rule bad name: "bad name" is not a valid series name',
      '10 alert C: unknown field "exp" in a rule',
      "9 alert C: the rule has no expr",
    ]);
    expect(file.diagnostics[2]!.fix).toBe("did you mean expr?");
  });

  it("reads the rules of the project's build and of the test fixtures without a problem", () => {
    const files = [
      ...readdirSync(path.join(projectRoot, "test/fixtures"))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => `test/fixtures/${f}`),
      ...readdirSync(path.join(projectRoot, "build/prometheus/rules"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => `build/prometheus/rules/${f}`),
    ];
    expect(files.length).toBeGreaterThan(3);
    for (const file of files)
      expect(
        readRuleFile(file, readFileSync(path.join(projectRoot, file), "utf8"), "1m").diagnostics,
        file,
      ).toEqual([]);
  });
});
