/**
 * The configuration for rule files from elsewhere (.o11y.yaml): what it turns on and off for which files, and every
 * problem in it said at its line.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configFileName, defaultConfig, loadConfig, parseConfig } from "../../src/engine/check/config.ts";
import { foreignChecks } from "../../src/engine/check/run.ts";

const base = "/team";
const parse = (text: string) => parseConfig(".o11y.yaml", text, base);
const ids = (text: string, file: string) =>
  parse(text)
    .config!.settingsFor(path.join(base, file))
    .checks.map((c) => c.id);
const correctness = foreignChecks.map((c) => c.id);

interface Bad {
  name: string;
  text: string;
  /** Each problem: its line, and the start of its message. */
  expected: Array<[line: number, message: string]>;
}

const bad: Bad[] = [
  {
    name: "YAML that does not parse",
    text: "ruleFiles:\n  - match: '**'\n    checks: {a: 1\n",
    expected: [[4, "not valid YAML: "]],
  },
  {
    name: "a key twice",
    text: "ruleFiles: []\nruleFiles: []\n",
    expected: [[2, "not valid YAML: Map keys must be unique"]],
  },
  {
    name: "a misspelt top-level key",
    text: "rulefiles: []\n",
    expected: [
      [1, "rulefiles: is not a known key (did you mean ruleFiles?)"],
      [1, "the file: needs `ruleFiles`"],
    ],
  },
  {
    name: "ruleFiles that is not a list",
    text: "ruleFiles: yes\n",
    expected: [[1, "ruleFiles: must be array"]],
  },
  {
    name: "an entry that is not a mapping",
    text: "ruleFiles:\n  - '*.yaml'\n",
    expected: [[2, "ruleFiles[0]: must be object"]],
  },
  {
    name: "checks that is a list",
    text: "ruleFiles:\n  - match: '*.yaml'\n    checks: [promql/regexp]\n",
    expected: [[3, "ruleFiles[0].checks: must be object"]],
  },
  { name: "an empty file", text: "", expected: [[1, "the file: must be object"]] },
  {
    name: "an entry without match",
    text: "ruleFiles:\n  - checks: {promql/regexp: on}\n",
    expected: [[2, "ruleFiles[0]: needs `match`"]],
  },
  {
    name: "a match that is neither a glob nor a list",
    text: "ruleFiles:\n  - match: 5\n",
    expected: [[2, "ruleFiles[0].match: must be string, or must be array"]],
  },
  {
    name: "a misspelt key of an entry",
    text: "ruleFiles:\n  - match: '**'\n    check: {}\n",
    expected: [[3, "ruleFiles[0].check: is not a known key (did you mean checks?)"]],
  },
  {
    name: "a check that does not exist",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      alerts/severty: on\n",
    expected: [[4, "there is no check alerts/severty"]],
  },
  {
    name: "a switch that is neither on nor off",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      promql/regexp: maybe\n",
    expected: [[4, 'ruleFiles[0].checks.promql/regexp: must be on or off (true or false), not "maybe"']],
  },
  {
    name: "a misspelt parameter",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      alerts/severity:\n        level: [critical]\n",
    expected: [
      [4, "ruleFiles[0].checks.alerts/severity: needs `levels`"],
      [5, "ruleFiles[0].checks.alerts/severity.level: is not a known key (did you mean levels?)"],
    ],
  },
  {
    name: "parameters for a check that takes none",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      promql/regexp: {strict: true}\n",
    expected: [[4, "promql/regexp takes no parameters"]],
  },
  {
    name: "a check that cannot run on a rule file",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      alerts/tests: on\n",
    expected: [
      [
        4,
        "alerts/tests cannot run on a rule file: it reads what only this project's TypeScript definitions carry",
      ],
    ],
  },
  {
    name: "a naming pattern that is no regular expression",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      rules/name: {pattern: '('}\n",
    expected: [[4, "pattern is not a regular expression: "]],
  },
  {
    name: "a scrape interval that is not a duration",
    text: "ruleFiles:\n  - match: '**'\n    scrapeInterval: 30 seconds\n",
    expected: [[3, "ruleFiles[0].scrapeInterval: must match pattern"]],
  },
  {
    name: "a scrape interval of zero",
    text: "ruleFiles:\n  - match: '**'\n    scrapeInterval: 0s\n",
    expected: [[3, 'scrapeInterval: "0s" is not a positive duration']],
  },
  {
    name: "every problem at once",
    text: "ruleFiles:\n  - match: '**'\n    checks:\n      alerts/severty: on\n  - match: '*.yaml'\n    checks:\n      alerts/routing: true\n",
    expected: [
      [4, "there is no check alerts/severty"],
      [7, "alerts/routing cannot run on a rule file"],
    ],
  },
];

describe("the configuration for rule files from elsewhere", () => {
  it.each(bad)("reports $name at its line", ({ text, expected }) => {
    const { config, diagnostics } = parse(text);
    expect(config).toBeUndefined();
    expect(
      diagnostics
        .map((d) => [
          d.source.line,
          d.message.slice(
            0,
            expected.find(([line]) => line === d.source.line)?.[1].length ?? d.message.length,
          ),
        ])
        .sort(),
    ).toEqual([...expected].sort());
    expect(
      diagnostics.every(
        (d) => d.check === "config/file" && d.severity === "error" && d.source.file === ".o11y.yaml",
      ),
    ).toBe(true);
  });

  it("runs the correctness checks alone where nothing matches, or without a file", () => {
    expect(ids("ruleFiles: []\n", "rules.yaml")).toEqual(correctness);
    expect(defaultConfig.settingsFor("any.yaml").checks.map((c) => c.id)).toEqual(correctness);
    expect(correctness).not.toContain("promql/unknown-metric");
    expect(correctness).toContain("promql/rate-on-counter");
  });

  const layered = [
    "ruleFiles:",
    "  - match: '**/*.yaml'",
    "    checks:",
    "      alerts/severity: {levels: [critical, warning]}",
    "      alerts/unique-name: on",
    "      promql/regexp: true",
    "    scrapeInterval: 30s",
    "  - match: [vendor/**, legacy.yaml]",
    "    checks:",
    "      alerts/unique-name: off",
    "      promql/rate-window: false",
    "",
  ].join("\n");

  it("turns house rules on per glob, and later entries turn them off again", () => {
    const team = ids(layered, "team/alerts.yaml");
    expect(team).toEqual(
      expect.arrayContaining(["alerts/severity", "alerts/unique-name", "promql/regexp", ...correctness]),
    );
    const vendor = ids(layered, "vendor/kafka/alerts.yaml");
    expect(vendor).toContain("alerts/severity");
    expect(vendor).not.toContain("alerts/unique-name");
    expect(vendor).not.toContain("promql/rate-window");
    expect(ids(layered, "legacy.yaml")).not.toContain("alerts/unique-name");
    // Globs are relative to the configuration's folder: a file outside it matches none.
    expect(ids(layered, "../elsewhere/alerts.yaml")).toEqual(correctness);
  });

  it("passes the parameters to the check, and files with the same settings share one run", () => {
    const { config } = parse(layered);
    const [a, b, c] = ["a.yaml", "team/b.yaml", "vendor/c.yaml"].map((f) =>
      config!.settingsFor(path.join(base, f)),
    );
    expect(a!.key).toBe(b!.key);
    expect(c!.key).not.toBe(a!.key);
    expect(a!.options).toEqual({ catalogLabels: false, scrapeInterval: "30s" });
    const severity = a!.checks.find((check) => check.id === "alerts/severity")!;
    expect(severity.kind).toBe("house");
    expect(severity.summary).toContain("configured");
  });

  it("lets the catalog's labels judge files that turn promql/unknown-metric on", () => {
    const { config } = parse(
      "ruleFiles:\n  - match: ours/*.yaml\n    checks:\n      promql/unknown-metric: on\n",
    );
    expect(config!.settingsFor(path.join(base, "ours/a.yaml")).options.catalogLabels).toBe(true);
    expect(config!.settingsFor(path.join(base, "theirs/a.yaml")).options.catalogLabels).toBe(false);
  });

  describe("finding the file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "o11y-config-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("reads .o11y.yaml in the working directory, or the file --config names", () => {
      expect(loadConfig(undefined, dir).config).toBe(defaultConfig);
      writeFileSync(
        path.join(dir, configFileName),
        "ruleFiles:\n  - match: '*.yaml'\n    checks: {promql/regexp: on}\n",
      );
      expect(loadConfig(undefined, dir).config!.file).toBe(configFileName);
      writeFileSync(path.join(dir, "team.yaml"), "ruleFiles: []\n");
      expect(loadConfig("team.yaml", dir).config!.file).toBe("team.yaml");
    });

    it("says when the file --config names cannot be read", () => {
      const { config, diagnostics } = loadConfig("missing.yaml", dir);
      expect(config).toBeUndefined();
      expect(diagnostics.map((d) => `${d.source.file}:${d.source.line} ${d.message}`)).toEqual([
        "missing.yaml:1 cannot be read: there is no such file",
      ]);
    });
  });
});
