/**
 * `o11y import rules` on input it cannot import: a clear message naming what is wrong (and where) and how to fix it,
 * a non-zero exit, every problem at once, no stack trace, and no file in src/ created or changed. The inputs are
 * small hand-made edge cases, not real rule files.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readTree } from "../helpers/cli.ts";
import { editIn, o11yIn, projectCopies, stackLine } from "../helpers/copy.ts";

const dir = projectCopies("o11y-import-rules-bad-")();
const inputs = mkdtempSync(path.join(tmpdir(), "o11y-import-rules-inputs-"));
let before: Map<string, string>;
beforeAll(() => {
  before = readTree(path.join(dir, "src"));
});

function importing(name: string, text: string, args: string[] = []) {
  const file = path.join(inputs, name);
  writeFileSync(file, text);
  return o11yIn(dir, ["import", "rules", ...args, file]);
}

function expectRefused(result: ReturnType<typeof importing>, messages: (string | RegExp)[], code = 1) {
  expect(result.code, result.stderr).toBe(code);
  for (const message of messages) expect(result.stderr).toMatch(message);
  expect(result.stderr).toContain("fix:");
  expect(result.stderr).not.toMatch(stackLine);
  expect(result.stdout).toBe("");
  expect(readTree(path.join(dir, "src")), "src/ unchanged").toEqual(before);
}

/** A rule file of one group with these rules (YAML lines, indented as list items of `rules:`). */
const ruleFile = (group: string, ...rules: string[]) =>
  `groups:\n  - name: ${group}\n    rules:\n${rules.map((r) => r.replace(/^/gm, "      ")).join("\n")}\n`;
const alert = (name: string, expr: string, extra = "") =>
  `- alert: ${name}\n  expr: ${JSON.stringify(expr)}\n  for: 5m\n  labels:\n    severity: warning${extra}`;

describe("o11y import rules refuses bad input, and writes nothing", () => {
  it.each([
    {
      name: "not YAML",
      file: "broken.yml",
      text: "groups:\n  - name: x\n    rules: [\n",
      messages: [/broken\.yml is not valid YAML \(line \d+\)/],
    },
    {
      name: "YAML that is not a rule file: a Grafana dashboard",
      file: "dashboard.json",
      text: JSON.stringify({ title: "A dashboard", panels: [] }),
      messages: [/dashboard\.json is not a Prometheus rule file: it has no groups: list/],
    },
    {
      name: "a list, not a map",
      file: "list.yml",
      text: "- alert: X\n  expr: up == 0\n",
      messages: [/list\.yml is not a Prometheus rule file/],
    },
    {
      name: "a rule file with no rule",
      file: "empty.yml",
      text: "groups:\n  - name: nothing\n    rules: []\n",
      messages: [/empty\.yml holds no rules/],
    },
    {
      name: "what Prometheus refuses in the shape: an unknown field and a bad duration, both at their lines",
      file: "shape.yml",
      text: ruleFile(
        "shape",
        alert("A", "up == 0") + "\n  severity: high",
        "- alert: B\n  expr: up == 0\n  for: 5 minutes",
      ),
      messages: [
        /shape\.yml:\d+: alert A: unknown field "severity" in a rule/,
        /shape\.yml:\d+: alert B: for "5 minutes" is not a Prometheus duration/,
        /import failed: 2 problem\(s\)/,
      ],
    },
    {
      name: "a rule that does not parse, and a template that does not parse: both in one run",
      file: "parse.yml",
      text: ruleFile(
        "parse",
        alert("Broken", "sum(rate(x_total[5m]) > 1"),
        alert("BadTemplate", "up == 0", "\n  annotations:\n    summary: '{{ $labels.job '"),
      ),
      messages: [
        /parse\.yml:4: alert Broken: the expression does not parse as PromQL \(its line 1, column \d+\)/,
        /parse\.yml:\d+: alert BadTemplate: annotation summary template, at character \d+/,
        /import failed: 2 problem\(s\)/,
      ],
    },
    {
      name: "two groups of one name, which Prometheus refuses",
      file: "twice.yml",
      text: `groups:\n  - name: same\n    rules:\n${alert("A", "up == 0").replace(/^/gm, "      ")}\n  - name: same\n    rules:\n${alert("B", "up == 0").replace(/^/gm, "      ")}\n`,
      messages: [
        /twice\.yml:\d+: group same: group name "same" is used twice in the file: Prometheus refuses it/,
      ],
    },
    {
      name: "a group whose module exists, and an alert and a recording rule whose names the project has",
      file: "taken.yml",
      text: `groups:\n  - name: phoenix-alerts\n    rules:\n${alert("PhoenixHigh5xxErrorRate", "up == 0").replace(/^/gm, "      ")}\n  - name: fresh-recording\n    rules:\n      - record: job:phoenix_http_requests:rate5m\n        expr: sum by (job) (rate(x_total[5m]))\n`,
      messages: [
        /src\/alerts\/phoenix\.ts exists already \(group phoenix-alerts, line 2 of taken\.yml\)/,
        /alert PhoenixHigh5xxErrorRate \(line 4 of taken\.yml\) is already defined at src\/alerts\/phoenix\.ts:\d+/,
        /recording rule job:phoenix_http_requests:rate5m \(line \d+ of taken\.yml\) is already defined at src\/recording-rules\/phoenix\.ts:\d+/,
        /import failed: 3 problem\(s\)/,
      ],
    },
    {
      name: "a group whose exported name the index has already",
      file: "input.yml",
      text: ruleFile("input", alert("SomethingNew", "up == 0")),
      messages: [
        /src\/alerts\/index\.ts already has a name inputAlerts, which group input \(line 2 of input\.yml\) would take/,
      ],
    },
    {
      name: "keep_firing_for, which the project's vmalert (its VictoriaMetrics output) refuses",
      file: "keep.yml",
      text: ruleFile("keep", alert("KeepsFiring", "rate(x_total[5m]) > 1", "\n  keep_firing_for: 10m")),
      messages: [
        /alert KeepsFiring: rule field keep_firing_for: the victoriaMetrics output's vmalert 1\.79\.5 refuses it/,
      ],
    },
    {
      name: "two groups that would write one module",
      file: "one-module.yml",
      text: `groups:\n  - name: web\n    rules:\n${alert("A", "up == 0").replace(/^/gm, "      ")}\n  - name: web-alerts\n    rules:\n${alert("B", "up == 0").replace(/^/gm, "      ")}\n`,
      messages: [
        /groups web \(line 2\) and web-alerts \(line \d+\) of one-module\.yml would both be written to src\/alerts\/web\.ts/,
      ],
    },
    {
      // The alert owes debt (no description, tests, ...), which the import's own check run must not let hide what
      // the schemas refuse: the build would.
      name: "label names reserved for Prometheus, __proto__ among them, on an alert that owes debt",
      file: "reserved.yml",
      text: ruleFile("reserved", alert("Reserved", "up == 0", "\n    __proto__: x\n    __team: shop")),
      messages: [
        /reserved\.yml:4: alert Reserved: labels: must match pattern .* \(got "__proto__"\) \[schema\/mimir-rules-imported, schema\/prometheus-rules-imported, schema\/vmalert-rules-imported\]/,
        /reserved\.yml:4: alert Reserved: labels: must match pattern .* \(got "__team"\)/,
        /import failed: 3 problem\(s\)/,
      ],
    },
  ])("$name", ({ file, text, messages }) => {
    expectRefused(importing(file, text), messages);
  });

  it("a file that is missing: exit 2, nothing written", () => {
    const result = o11yIn(dir, ["import", "rules", path.join(inputs, "missing.yml")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("there is no such file");
    expect(result.stderr).not.toMatch(stackLine);
    expect(readTree(path.join(dir, "src"))).toEqual(before);
  });

  it("a project whose thresholds are no object literal: refused at the write, none of the files written", () => {
    const copy = projectCopies("o11y-import-rules-broken-")();
    // Still a project that builds, but the import has no object to add its thresholds to.
    editIn(
      copy,
      "src/alerts/thresholds.ts",
      "export const thresholds = {",
      "export const thresholds = Object.freeze({",
    );
    editIn(copy, "src/alerts/thresholds.ts", "\n};\n", "\n});\n");
    const untouched = readTree(path.join(copy, "src"));
    const file = path.join(inputs, "fine.yml");
    writeFileSync(file, ruleFile("fine", alert("FineButNoPlace", "rate(x_total[5m]) > 1")));
    const result = o11yIn(copy, ["import", "rules", file]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/src\/alerts\/thresholds\.ts has no `thresholds = \{ \.\.\. \}` object/);
    expect(result.stderr).not.toMatch(stackLine);
    expect(readTree(path.join(copy, "src"))).toEqual(untouched);
  });

  it("--dry-run reports what it would write, and writes nothing", () => {
    const result = importing("dry.yml", ruleFile("dry", alert("DryRun", "rate(x_total[5m]) > 1")), [
      "--dry-run",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("wrote src/alerts/dry.ts");
    expect(result.stdout).toContain("dry run: nothing was written");
    expect(readTree(path.join(dir, "src"))).toEqual(before);
  });
});
