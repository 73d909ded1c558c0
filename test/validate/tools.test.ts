import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/engine/diagnostics.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { judgeWithTools } from "../../src/engine/validate/tools/index.ts";
import { project } from "../../src/project.ts";

const temp = mkdtempSync(path.join(tmpdir(), "o11y-tools-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const built = compile(project);
const pristine = built.artifacts;

/** The real build with some files' content replaced, staged in a folder of its own. */
function stageWith(name: string, replace: Record<string, string>): { dir: string; artifacts: Artifact[] } {
  const dir = path.join(temp, name);
  const artifacts = pristine.map((a) => (a.path in replace ? { ...a, content: replace[a.path]! } : a));
  for (const artifact of artifacts) {
    mkdirSync(path.dirname(path.join(dir, artifact.path)), { recursive: true });
    writeFileSync(path.join(dir, artifact.path), artifact.content);
  }
  return { dir, artifacts };
}

const content = (file: string) => pristine.find((a) => a.path === file)!.content;
const scrapeRules = "prometheus/rules/alerts/scrape.yaml";
const phoenixRecording = "prometheus/rules/recording/phoenix.yaml";
const alertmanager = "alertmanager/alertmanager.yml";
const prometheusConfig = "prometheus/prometheus.yml";
const vmScrapeRules = "victoriametrics/rules/alerts/scrape.yaml";
const vmPhoenixRecording = "victoriametrics/rules/recording/phoenix.yaml";

interface Case {
  name: string;
  replace: Record<string, string>;
  /** Each expected diagnostic, formatted, must match one of these, and each of these one diagnostic. */
  expected: RegExp[];
}

const cases: Case[] = [
  {
    name: "Prometheus 3 syntax in an alert: the alert and its source line, with promtool's position",
    replace: {
      [scrapeRules]: content(scrapeRules).replace(/expr: .*/, `expr: '{"up", job="global-sovereign"} < 1'`),
    },
    expected: [
      /^src\/alerts\/scrape\.ts:\d+ error alert MetricsEndpointDown: promtool \d+\.\d+\.\S+ rejects it \(prometheus\/rules\/alerts\/scrape\.yaml:\d+:\d+\): could not parse expression: .*parse error.* \[tool\/promtool\]/,
    ],
  },
  {
    name: "a broken template in one annotation, and a duration without a unit in a second rule file",
    replace: {
      [scrapeRules]: content(scrapeRules).replace(/summary: .*/, 'summary: "{{ $labels.job }"'),
      [phoenixRecording]: content(phoenixRecording).replace(/\[5m\]/, "[30]"),
    },
    expected: [
      /^src\/alerts\/scrape\.ts:\d+ error alert MetricsEndpointDown: promtool \d+\.\d+\.\S+ rejects it \(prometheus\/rules\/alerts\/scrape\.yaml\): annotation "summary": template: .*unexpected "}" in operand \[tool\/promtool\]/,
      /^src\/recording-rules\/phoenix\.ts:\d+ error recording rule [^:]+:[^ ]+: promtool \d+\.\d+\.\S+ rejects it \(prometheus\/rules\/recording\/phoenix\.yaml:\d+:\d+\): could not parse expression: .*missing unit character in duration \[tool\/promtool\]/,
    ],
  },
  {
    name: "a config-level problem: the whole prometheus.yml",
    replace: {
      [prometheusConfig]: content(prometheusConfig).replace(/scrape_interval: .*/, "scrape_interval: 15q"),
    },
    expected: [
      /^src\/config\.ts:1 error prometheus\.yml: promtool \d+\.\d+\.\S+ \(check config\) rejects prometheus\/prometheus\.yml: .*15q.* \[tool\/promtool\]/,
    ],
  },
  {
    name: "an Alertmanager route to a receiver that does not exist",
    replace: { [alertmanager]: content(alertmanager).replace(/receiver: (\S+)/, "receiver: nobody") },
    expected: [
      /error alertmanager\.yml: amtool \d+\.\d+\.\S+ \(check-config\) rejects alertmanager\/alertmanager\.yml: .*undefined receiver "nobody".* \[tool\/amtool\]/,
    ],
  },
  {
    name: "vmalert: a rule field VictoriaMetrics 1.79 does not know, at the alert's line",
    replace: {
      [vmScrapeRules]: content(vmScrapeRules).replace(
        /^(\s+)for: (.*)$/m,
        "$1for: $2\n$1keep_firing_for: 5m",
      ),
    },
    expected: [
      /^src\/alerts\/scrape\.ts:\d+ error alert MetricsEndpointDown: vmalert rejects it \(victoriametrics\/rules\/alerts\/scrape\.yaml, group "global-sovereign-scrape-alerts"\): unknown fields in rule: keep_firing_for \[tool\/vmalert\]/,
    ],
  },
  {
    name: "vmalert: an expression MetricsQL cannot parse, at the recording rule's line",
    replace: {
      [vmPhoenixRecording]: content(vmPhoenixRecording).replace(/\[5m\]\)\)/, "[5m])"),
    },
    expected: [
      /^src\/recording-rules\/phoenix\.ts:\d+ error recording rule [^:]+:[^ ]+: vmalert rejects it \(victoriametrics\/rules\/recording\/phoenix\.yaml, group "global-sovereign-phoenix-recording"\): bad prometheus expr: .* \[tool\/vmalert\]/,
    ],
  },
];

describe("promtool, amtool and vmalert judge the staged build", () => {
  it("accept the real build", async () => {
    const { dir, artifacts } = stageWith("real", {});
    // Without the verdict cache: the tools themselves judge.
    expect(await judgeWithTools(dir, artifacts, "require", process.env, undefined)).toEqual({
      diagnostics: [],
      notes: [],
      accepted: ["promtool", "amtool", "vmalert"],
    });
  });

  it.each(cases)("$name", async ({ name, replace, expected }) => {
    const { dir, artifacts } = stageWith(name.replace(/\W+/g, "-"), replace);
    const verdict = await judgeWithTools(dir, artifacts, "auto");
    const lines = verdict.diagnostics.map(formatDiagnostic);
    expect(lines, lines.join("\n")).toHaveLength(expected.length);
    for (const pattern of expected)
      expect(
        lines.some((line) => pattern.test(line)),
        `${pattern}\n${lines.join("\n")}`,
      ).toBe(true);
    expect(verdict.diagnostics.every((d) => d.severity === "error" && d.fix)).toBe(true);
  });

  describe("when a tool cannot be found", () => {
    const staged = () => stageWith("missing", {});
    const env = { PATH: path.join(temp, "empty-path"), O11Y_AMTOOL: "/nonexistent/amtool" };

    it("auto: runs none, and says so with how to install them", async () => {
      const { dir, artifacts } = staged();
      const verdict = await judgeWithTools(dir, artifacts, "auto", env);
      expect(verdict.diagnostics).toEqual([]);
      expect(verdict.notes).toEqual([
        expect.stringMatching(
          /^promtool did not judge prometheus\/prometheus\.yml: promtool is not on PATH \(install Debian's prometheus package, or set O11Y_PROMTOOL/,
        ),
        expect.stringMatching(
          /^amtool did not judge alertmanager\/alertmanager\.yml: O11Y_AMTOOL=\/nonexistent\/amtool is not an executable file/,
        ),
        expect.stringMatching(
          /^vmalert did not judge victoriametrics\/rules\/: vmalert is not on PATH \(install Debian's victoria-metrics package, or set O11Y_VMALERT/,
        ),
      ]);
    });

    it("require: each missing tool is an error", async () => {
      const { dir, artifacts } = staged();
      const verdict = await judgeWithTools(dir, artifacts, "require", env);
      expect(verdict.notes).toEqual([]);
      expect(verdict.diagnostics.map((d) => `${d.check}: ${d.message}`)).toEqual([
        "tool/promtool: promtool must judge prometheus/prometheus.yml (--tools require), but promtool is not on PATH",
        "tool/amtool: amtool must judge alertmanager/alertmanager.yml (--tools require), but O11Y_AMTOOL=/nonexistent/amtool is not an executable file",
        "tool/vmalert: vmalert must judge victoriametrics/rules/ (--tools require), but vmalert is not on PATH",
      ]);
    });

    it("off: runs none, silently", async () => {
      const { dir, artifacts } = staged();
      expect(await judgeWithTools(dir, artifacts, "off", env)).toEqual({ diagnostics: [], notes: [] });
    });
  });
});
