/**
 * `o11y check` over a rule file whose name and content were written to attack the terminal and the CI log:
 * escape sequences, a bidi override, workflow commands in the file name, an alert name and a label.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";

const dir = mkdtempSync(path.join(tmpdir(), "o11y-escape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// In the folder the CLI runs from, so that every text line starts with this name.
const file = "::error title=x::pwned.yaml";
writeFileSync(
  path.join(dir, file),
  [
    "groups:",
    "  - name: g",
    "    rules:",
    '      - alert: "X\\u202eY"',
    '        expr: "rate(foo_total\\e[2J[5m]) > 0"',
    "        labels:",
    '          severity: "##[error]x"',
    '      - alert: "::error::pwned"',
    "        expr: up > 0",
    "",
  ].join("\n"),
);

// The attack goes through the house rules' messages too (the severity label is quoted in one): turned on for this file
// as a team would, since house rules are off by default on rule files from elsewhere.
writeFileSync(
  path.join(dir, ".o11y.yaml"),
  "ruleFiles:\n  - match: '*.yaml'\n    checks:\n      alerts/severity: on\n      alerts/annotations: on\n",
);

function check(format: string) {
  const result = spawnSync(
    process.execPath,
    [path.join(projectRoot, "bin/o11y.js"), "check", "--format", format, file],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const raw = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const commandLine = (line: string) => /^[\s\p{DI}]*:\p{DI}*:/u.test(line) || /#\p{DI}*#\p{DI}*\[/u.test(line);
const linesOf = (text: string) => text.split("\n").filter((line) => line !== "");

describe("o11y check over a hostile rule file", () => {
  it("text: shows the name, the escape sequence and the override spelled out; no line is a workflow command", () => {
    const { code, stdout, stderr } = check("text");
    expect(code).toBe(1);
    expect(stdout).toContain(
      '\\x3a:error title=x::pwned.yaml:5 error alert X\\u202eY: PromQL syntax error near "\\x1b[2J[5m]) > "',
    );
    expect(stdout).toContain('severity "##\\x5berror]x" is not one of the runbook\'s levels');
    expect(stdout).toContain("error alert ::error::pwned:");
    for (const line of [...linesOf(stdout), ...linesOf(stderr)])
      expect({ line, raw: raw.test(line), command: commandLine(line) }).toEqual({
        line,
        raw: false,
        command: false,
      });
  });

  it("json: the same values, escaped for the terminal; no line is a workflow command", () => {
    const { code, stdout } = check("json");
    expect(code).toBe(1);
    const { diagnostics } = JSON.parse(stdout) as {
      diagnostics: Array<{ subject: string; message: string; source: { file: string } }>;
    };
    expect(diagnostics.map((d) => d.source.file)).toEqual(diagnostics.map(() => file));
    expect(diagnostics.map((d) => d.subject)).toContain("alert X\u202eY");
    expect(diagnostics.map((d) => d.message)).toContain('PromQL syntax error near "\u001b[2J[5m]) > "');
    for (const line of linesOf(stdout))
      expect({ line, raw: raw.test(line), command: commandLine(line) }).toEqual({
        line,
        raw: false,
        command: false,
      });
  });

  it("github: every line is one annotation of ours, with the file name as a property", () => {
    const { code, stdout } = check("github");
    expect(code).toBe(1);
    const lines = linesOf(stdout);
    expect(lines.length).toBeGreaterThan(1);
    // The last is the summary, as a notice of ours.
    expect(lines.pop()).toMatch(/^::notice title=o11y check::\d+ error\(s\), \d+ warning\(s\)$/);
    for (const line of lines) {
      expect(line).toMatch(
        /^::error file=%3A%3Aerror title=x%3A%3Apwned\.yaml,line=\d+,title=[a-z/-]+::alert /,
      );
      expect(raw.test(line)).toBe(false);
    }
    expect(lines.join("\n")).toContain('::alert X\\u202eY: PromQL syntax error near "\\x1b[2J[5m]) > "');
  });
});
