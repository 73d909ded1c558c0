/**
 * `o11y check <rule files>` with a team's configuration: found as .o11y.yaml in the working directory, or given with
 * --config; a configuration with a mistake stops the run (exit 2) with every mistake at its line.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "o11y-check-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A rule file that breaks only house rules: a severity not ours, no annotations, a plain recorded name. */
const rules = [
  "groups:",
  "  - name: team",
  "    rules:",
  "      - record: requests_rate",
  "        expr: sum by (job) (rate(http_requests_total[5m]))",
  "      - alert: TooManyRequests",
  "        expr: requests_rate > 100",
  "        for: 5m",
  "        labels: {severity: warning}",
  "",
].join("\n");
writeFileSync(path.join(dir, "team.yaml"), rules);
writeFileSync(path.join(dir, "vendor.yaml"), rules);

/** The CLI run in `dir`, as a team runs it in its repository. */
function checkIn(args: string[]) {
  const result = spawnSync(
    process.execPath,
    [path.join(projectRoot, "bin/o11y.js"), "check", "--format", "json", ...args],
    { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  const diagnostics = result.stdout
    ? (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics
    : [];
  return { code: result.status, diagnostics, stderr: result.stderr };
}
const where = (d: Diagnostic) => `${d.source.file}:${d.source.line} ${d.check}`;

describe("o11y check with a configuration", () => {
  it("passes a file that breaks only house rules when there is none", () => {
    const result = checkIn(["team.yaml", "vendor.yaml"]);
    expect(result.diagnostics.map(where)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("reads .o11y.yaml in the working directory: house rules on for one file, with the team's parameters", () => {
    writeFileSync(
      path.join(dir, ".o11y.yaml"),
      "ruleFiles:\n  - match: team.yaml\n    checks:\n      alerts/severity: {levels: [page, ticket]}\n      alerts/annotations: {required: [summary]}\n      rules/name: on\n",
    );
    try {
      const result = checkIn(["team.yaml", "vendor.yaml"]);
      expect(result.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
        'team.yaml:5 rules/name "requests_rate" is not named level:metric:operations',
        "team.yaml:7 alerts/annotations the alert has no summary annotation",
        'team.yaml:7 alerts/severity severity "warning" is not one of the configured levels',
      ]);
      expect(result.code).toBe(1);
    } finally {
      rmSync(path.join(dir, ".o11y.yaml"));
    }
  });

  it("stops at a configuration with mistakes, each at its line, and checks nothing", () => {
    writeFileSync(
      path.join(dir, "typo.yaml"),
      "ruleFiles:\n  - match: '*.yaml'\n    checks:\n      alerts/severty: on\n    scrapeIntervall: 30s\n",
    );
    const result = checkIn(["--config", "typo.yaml", "team.yaml"]);
    expect(result.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      "typo.yaml:4 config/file there is no check alerts/severty",
      "typo.yaml:5 config/file ruleFiles[0].scrapeIntervall: is not a known key (did you mean scrapeInterval?)",
    ]);
    expect(result.stderr).toContain("o11y: the configuration typo.yaml cannot be used; nothing was checked");
    expect(result.code).toBe(2);
  });

  it("holds a copy of our own build's rule files to every house rule a rule file can meet, and they pass", () => {
    const build = path.join(projectRoot, "build", "prometheus", "rules");
    const copies = readdirSync(build).flatMap((kind) =>
      readdirSync(path.join(build, kind)).map((file) => path.join(kind, file)),
    );
    for (const file of copies) {
      mkdirSync(path.join(dir, "ours", path.dirname(file)), { recursive: true });
      copyFileSync(path.join(build, file), path.join(dir, "ours", file));
    }
    const house = [
      "promql/unknown-metric",
      "promql/regexp",
      "alerts/severity",
      "alerts/annotations",
      "alerts/labels",
      "alerts/unique-name",
      "rules/name",
      "rules/unique-name",
      "rules/dependency",
    ];
    writeFileSync(
      path.join(dir, "ours.o11y.yaml"),
      `ruleFiles:\n  - match: "ours/**"\n    checks:\n${house.map((id) => `      ${id}: on\n`).join("")}`,
    );
    const result = checkIn(["--config", "ours.o11y.yaml", ...copies.map((file) => path.join("ours", file))]);
    expect(copies.length).toBeGreaterThan(2);
    expect(
      result.diagnostics.map((d) => `${where(d)} ${d.message}`),
      result.stderr,
    ).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("applies to rule files only", () => {
    const result = runCli(["check", "--config", "test/fixtures/foreign/house.o11y.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("o11y: --config applies to rule files");
  });
});
