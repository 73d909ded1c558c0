import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { checkAlertTemplate, templateVariables } from "../../src/engine/promql/alert-template.ts";

interface GoodCase {
  name: string;
  template: string;
  /** What templateVariables must return. */
  labels: string[];
}

interface BadCase {
  name: string;
  template: string;
  /** Every problem expected, in order: a fragment of the message and the offset it must point at. */
  problems: Array<[fragment: string, offset: number]>;
  /**
   * Set when Prometheus itself accepts the template, so the promtool cross-check leaves the case out and only
   * confirms that promtool accepts it:
   * - "fails when rendered": Go's parser lets it through, but rendering the annotation fails when the alert fires
   *   (Prometheus then shows "<error expanding template: ...>" instead of the text); checked with `promtool test rules`.
   * - "printed literally": a "}}" in plain text is copied as is; we reject it as a near-certain typo.
   */
  prometheusAccepts?: "fails when rendered" | "printed literally" | "nested deeper than o11y follows";
}

const good: GoodCase[] = [
  {
    name: "a label and a humanized value",
    template: "{{ $labels.instance }} has {{ $value | humanize }} pending",
    labels: ["instance"],
  },
  {
    name: "with over a query",
    template: '{{ with query "up" }}{{ . | first | value }}{{ end }}',
    labels: [],
  },
  {
    name: "if / else on the value",
    template: "{{ if gt $value 0.5 }}high{{ else }}low{{ end }}",
    labels: [],
  },
  { name: "a trimmed comment", template: "{{- /* comment */ -}}", labels: [] },
  { name: "printf with a format", template: '{{ printf "%.2f" $value }}', labels: [] },
  {
    name: "literal #, : and quotes outside actions",
    template: `Disk #3 on {{ $labels.instance }}: usage is "high" (it's {{ $value | humanizePercentage }}) # see https://runbooks/disk`,
    labels: ["instance"],
  },
  { name: `"}}" inside a string`, template: '{{ "}}" }}', labels: [] },
  {
    name: "the canonical error-ratio summary",
    template: "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} failed",
    labels: ["job"],
  },
  {
    name: "range with two variables over a sorted query",
    template:
      '{{ range $i, $s := query "up == 0" | sortByLabel "instance" }}{{ if $i }}, {{ end }}{{ label "instance" $s }}{{ end }}',
    labels: [],
  },
  {
    name: "declare, assign, else if",
    template:
      "{{ $x := 1 }}{{ if eq $x 1 }}{{ $x = 2 }}{{ else if lt $value 3.5e2 }}mid{{ else }}low{{ end }}{{ $x }}",
    labels: [],
  },
  {
    name: "define and template",
    template: '{{ define "host" }}{{ . | stripPort }}{{ end }}on {{ template "host" $labels.instance }}',
    labels: ["instance"],
  },
  {
    name: "a raw-string regex",
    template: '{{ reReplaceAll `(.*):\\d+` "$1" $labels.instance | toUpper }}',
    labels: ["instance"],
  },
  {
    name: "several lines with trim markers and parentheses",
    template:
      '{{- if and (gt $value 1.0) (not (eq $labels.job "node")) -}}\n  {{ $externalLabels.cluster }}: {{ $value | humanizeDuration }}\n{{- end }}',
    labels: ["job"],
  },
  {
    name: "break and else in range",
    template:
      '{{ range query "up == 0" }}{{ if eq (value .) 0.0 }}{{ break }}{{ end }}{{ .Labels.instance }}{{ else }}none{{ end }}',
    labels: [],
  },
  {
    name: "every kind of literal",
    template: `{{ 'x' }} {{ 0x1F }} {{ 1_000 }} {{ -1.5e-3 }} {{ 1+2i }} {{ true }} {{ printf "%v" nil }} {{ "tab\\tquote\\"" }}`,
    labels: [],
  },
  {
    name: "the alert data through . and $",
    template: '{{ .Labels.job }} {{ .Value | printf "%.1f" }} {{ $.ExternalURL }} {{ index $labels "pod" }}',
    labels: ["job", "pod"],
  },
  {
    name: "plain text with single braces",
    template: 'No actions: a {single} brace, a lone } and "quotes".',
    labels: [],
  },
  { name: "empty", template: "", labels: [] },
  {
    name: "a graph link",
    template: '{{ $externalURL }}/graph?g0.expr={{ "up == 0" | urlquery }}',
    labels: [],
  },
  { name: "with over a label", template: "{{ with $labels.pod }}pod {{ . }}{{ end }}", labels: ["pod"] },
  { name: "a block", template: '{{ block "summary" . }}{{ .Value }}{{ end }}', labels: [] },
  {
    name: "title of a label",
    template: "{{ if $labels.severity }}{{ $labels.severity | title }}{{ end }}",
    labels: ["severity"],
  },
];

const bad: BadCase[] = [
  {
    name: "an unclosed action",
    template: "{{ $labels.instance",
    problems: [['unclosed action: "{{" has no matching "}}"', 0]],
  },
  {
    name: "an unclosed action before the next one",
    template: "{{ if gt $value 1 } high {{ end }}",
    problems: [
      [
        'unclosed action: "{{" is not closed before the next "{{" at offset 25 (a single "}" does not end it; write "}}")',
        0,
      ],
    ],
  },
  {
    name: "a stray }}",
    template: "Value is {{ $value }} }}",
    problems: [['"}}" without a matching "{{" before it (to print "}}" literally write {{ "}}" }})', 22]],
    prometheusAccepts: "printed literally",
  },
  {
    name: "a single { opening an action",
    template: "{ $labels.job }}",
    problems: [['"}}" without a matching "{{" before it (an action starts with "{{", not "{"', 14]],
    prometheusAccepts: "printed literally",
  },
  {
    name: "an unterminated string",
    template: '{{ printf "%.2f $value }}',
    problems: [['unterminated string: no closing "', 10]],
  },
  { name: "an unterminated raw string", template: "{{ `abc }}", problems: [["unterminated raw string", 3]] },
  {
    name: "an if without end",
    template: "{{ if gt $value 0.5 }}high",
    problems: [['"if" is never closed (add {{ end }}', 3]],
  },
  {
    name: "else outside a block",
    template: "{{ else }}",
    problems: [["{{ else }} outside an if, range or with block", 3]],
  },
  {
    name: "end without an opener",
    template: "high{{ end }}",
    problems: [["{{ end }} without a matching if, range, with, define or block", 7]],
  },
  {
    name: "else if in range",
    template: "{{ range . }}a{{ else if . }}b{{ end }}",
    problems: [['"else if" is only allowed in an if block', 22]],
  },
  {
    name: "else with",
    template: "{{ with . }}{{ else with . }}{{ end }}",
    problems: [['"else with" is not supported', 20]],
  },
  {
    name: "two elses",
    template: "{{ with . }}a{{ else }}b{{ else }}c{{ end }}",
    problems: [['a second {{ else }} in the same "with"', 27]],
  },
  { name: "an empty action", template: "{{ }}", problems: [['empty action "{{ }}"', 0]] },
  {
    name: "a misspelled function",
    template: "{{ $value | humanizePercentag }}",
    problems: [['unknown function "humanizePercentag" (did you mean humanizePercentage?)', 12]],
  },
  {
    name: "a function from another language",
    template: "{{ upper $labels.job }}",
    problems: [['unknown function "upper" (did you mean toUpper?)', 3]],
  },
  {
    name: "a misspelled variable",
    template: "{{ $valeu }}",
    problems: [['undefined variable "$valeu" (did you mean $value?)', 3]],
  },
  {
    name: "a variable used after its block",
    template: "{{ if . }}{{ $a := 1 }}{{ end }}{{ $a }}",
    problems: [['undefined variable "$a" (it was declared inside a block that has ended', 35]],
  },
  {
    name: "$labels inside define",
    template: '{{ define "x" }}{{ $labels.job }}{{ end }}',
    problems: [['undefined variable "$labels" (inside "define" and "block" only $ is defined', 19]],
  },
  {
    name: "a comment not right after {{",
    template: "{{ /* note */ }}",
    problems: [['unexpected "/" in this action (a comment must start right after "{{"', 3]],
  },
  {
    name: "an unclosed comment",
    template: "{{/* unterminated comment }}",
    problems: [['unclosed comment: "/*" has no matching "*/"', 2]],
  },
  {
    name: "a dash in a label name",
    template: "{{ $labels.job-name }}",
    problems: [['unexpected "-" right after "$labels.job"', 14]],
  },
  {
    name: "commas between arguments",
    template: "{{ humanize $value, 2 }}",
    problems: [["separate arguments with spaces, not commas", 18]],
  },
  {
    name: "an octal number with a 9",
    template: '{{ printf "%d" 089 }}',
    problems: [['invalid number "089"', 15]],
  },
  {
    name: "a trim marker without its space",
    template: "{{3-}}",
    problems: [['invalid number "3-" (a trim marker needs a space before it', 2]],
  },
  { name: "an invalid escape", template: '{{ "\\q" }}', problems: [['invalid escape "\\q" in a string', 4]] },
  {
    name: "two characters in single quotes",
    template: "{{ 'ab' }}",
    problems: [["invalid character constant 'ab'", 3]],
  },
  {
    name: "break outside range",
    template: "{{ break }}",
    problems: [["{{ break }} is only allowed inside {{ range }}", 3]],
  },
  {
    name: "break in the else of range",
    template: "{{ range . }}{{ else }}{{ break }}{{ end }}",
    problems: [["{{ break }} is only allowed inside {{ range }}", 26]],
  },
  { name: "if without a condition", template: "{{ if }}yes{{ end }}", problems: [['"if" needs a value', 3]] },
  {
    name: "piping into a literal",
    template: "{{ $value | 100 }}",
    problems: [['cannot pipe into "100"', 12]],
  },
  {
    name: "an unclosed parenthesis",
    template: "{{ (humanize $value }}",
    problems: [['unclosed "(" (add ")" before the "}}" at offset 20)', 3]],
  },
  {
    name: "three range variables",
    template: "{{ range $i, $v, $w := . }}{{ end }}",
    problems: [["too many variables declared", 15]],
  },
  {
    name: "a template defined twice",
    template: '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
    problems: [['template "a" is defined twice', 29]],
  },
  {
    name: "a non-ASCII symbol in an action",
    template: "{{ € }}",
    problems: [['unexpected character "€"', 3]],
  },
  {
    name: "every problem in one template",
    template: "{{ humanise $valeu }} and {{ end }}",
    problems: [
      ['unknown function "humanise" (did you mean humanize?)', 3],
      ['undefined variable "$valeu" (did you mean $value?)', 12],
      ["{{ end }} without a matching", 29],
    ],
  },
  {
    name: "assigning to an undeclared variable",
    template: "{{ $x = 1 }}",
    problems: [['undefined variable "$x": "=" changes an existing variable (declare it with $x := ...)', 3]],
    prometheusAccepts: "fails when rendered",
  },
  {
    name: "a field the alert data does not have",
    template: "{{ .instance }}",
    problems: [
      [
        'unknown field ".instance": the alert data has only .Labels, .ExternalLabels, .ExternalURL and .Value (to print a label write $labels.instance)',
        3,
      ],
    ],
    prometheusAccepts: "fails when rendered",
  },
  {
    name: "parentheses nested 1,001 deep (Go's limit is 10,000; this parser recurses)",
    template: `{{ ${"(".repeat(1001)}1${")".repeat(1001)} }}`,
    problems: [["parentheses nest more than 1000 deep, more than o11y follows", 1003]],
    prometheusAccepts: "nested deeper than o11y follows",
  },
];

/** Deep but within bounds: nothing to say, and said quickly. */
const deepGood: GoodCase[] = [
  {
    name: "parentheses nested 1,000 deep",
    template: `{{ ${"(".repeat(1000)}$labels.job${")".repeat(1000)} }}`,
    labels: ["job"],
  },
  {
    name: "ifs nested 5,000 deep",
    template: `${"{{ if $value }}".repeat(5000)}x${"{{ end }}".repeat(5000)}`,
    labels: [],
  },
];
good.push(...deepGood);

describe("checkAlertTemplate", () => {
  it("reads blocks nested 100,000 deep in linear time, and parentheses nested as deep without running out of stack", () => {
    const start = performance.now();
    expect(checkAlertTemplate(`${"{{ if 1 }}".repeat(100_000)}x${"{{ end }}".repeat(100_000)}`)).toEqual([]);
    expect(
      checkAlertTemplate(`{{ ${"(".repeat(100_000)}1${")".repeat(100_000)} }}`).map((p) => p.offset),
    ).toEqual([1003]);
    expect(performance.now() - start).toBeLessThan(30_000);
  });

  it.each(good)("accepts $name", ({ template }) => {
    expect(checkAlertTemplate(template)).toEqual([]);
  });

  it.each(bad)("rejects $name", ({ template, problems }) => {
    const found = checkAlertTemplate(template);
    expect(
      found.map((p) => p.offset),
      JSON.stringify(found, null, 2),
    ).toEqual(problems.map(([, offset]) => offset));
    found.forEach((problem, k) => expect(problem.message).toContain(problems[k]![0]));
  });

  it("has enough cases", () => {
    expect(good.length).toBeGreaterThanOrEqual(12);
    expect(bad.filter((c) => !c.prometheusAccepts).length).toBeGreaterThanOrEqual(12);
  });
});

describe("templateVariables", () => {
  it.each(good)("lists the labels $name reads", ({ template, labels }) => {
    expect(templateVariables(template)).toEqual(labels);
  });

  it("lists each label once, sorted, and ignores strings and comments", () => {
    const template =
      '{{/* $labels.secret */}}{{ $labels.job }} {{ "$labels.quoted" }} {{ index $labels "pod" }} {{ $labels.job }} {{ $labels.az }}';
    expect(templateVariables(template)).toEqual(["az", "job", "pod"]);
  });
});

// The real promtool: it must agree with every case above, except the documented ones it accepts.
const promtoolDir = mkdtempSync(path.join(tmpdir(), "alert-template-"));
afterAll(() => rmSync(promtoolDir, { recursive: true, force: true }));

let fileCount = 0;

function runPromtool(args: string[]): { code: number; output: string } {
  const result = spawnSync("promtool", args, { encoding: "utf8" });
  if (result.error) {
    throw new Error(
      `promtool could not be run (${result.error.message}); install it with: sudo apt-get install prometheus`,
    );
  }
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function ruleFile(annotations: Record<string, string>): string {
  const file = path.join(promtoolDir, `rules-${++fileCount}.yml`);
  const rules = {
    groups: [
      {
        name: "g",
        rules: [{ alert: "TemplateCase", expr: "up == 0", labels: { severity: "page" }, annotations }],
      },
    ],
  };
  writeFileSync(file, stringify(rules));
  return file;
}

/** `promtool check rules` on a rule file with the template as its only annotation. */
function promtoolCheck(template: string): { accepted: boolean; output: string } {
  const { code, output } = runPromtool(["check", "rules", ruleFile({ summary: template })]);
  if (code === 0) expect(output).toContain("SUCCESS");
  else
    expect(output, "promtool must reject the template itself, not the file").toContain(
      'annotation "summary"',
    );
  return { accepted: code === 0, output };
}

describe("promtool check rules agrees", () => {
  it("is installed", () => {
    const { code, output } = runPromtool(["--version"]);
    expect(code).toBe(0);
    expect(output).toContain("promtool");
  });

  it.each(good)("accepts $name", ({ template }) => {
    const { accepted, output } = promtoolCheck(template);
    expect(accepted, output).toBe(true);
  });

  it.each(bad.filter((c) => !c.prometheusAccepts))("rejects $name", ({ template }) => {
    const { accepted, output } = promtoolCheck(template);
    expect(accepted, output).toBe(false);
  });

  it.each(bad.filter((c) => c.prometheusAccepts))(
    "accepts $name, which we reject on purpose",
    ({ template }) => {
      const { accepted, output } = promtoolCheck(template);
      expect(accepted, output).toBe(true);
    },
  );

  it("renders an error for the cases Go only notices when rendering", () => {
    const cases = bad.filter((c) => c.prometheusAccepts === "fails when rendered");
    const annotations = Object.fromEntries(cases.map((c, k) => [`case${k}`, c.template]));
    const rules = ruleFile(annotations);
    const tests = path.join(promtoolDir, `tests-${++fileCount}.yml`);
    writeFileSync(
      tests,
      stringify({
        rule_files: [rules],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: [{ series: 'up{job="j", instance="i:9100"}', values: "0 0" }],
            alert_rule_test: [
              {
                eval_time: "1m",
                alertname: "TemplateCase",
                // Deliberately wrong, so that promtool prints the annotations it rendered.
                exp_alerts: [
                  { exp_labels: { severity: "page", job: "j", instance: "i:9100" }, exp_annotations: {} },
                ],
              },
            ],
          },
        ],
      }),
    );
    const { output } = runPromtool(["test", "rules", tests]);
    expect(output).toContain("got:");
    for (const key of Object.keys(annotations)) expect(output).toContain(`${key}="<error expanding template`);
  });
});
