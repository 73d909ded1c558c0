/**
 * The README's recipes, followed on a copy of the project: "Adding an alert" (a threshold, the alert with
 * its tests, the line on its panel, its playbook, its end-to-end scenario) and "Adding a panel" (its code
 * block, as written). Then `o11y build` and the tests that hold the content must stay green there, so the
 * recipes are complete and the tests let the content grow.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";

const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");

/** The README's section under `heading`, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section ${heading}`);
  const level = heading.match(/^#+/)![0].length;
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level}} `, "m"));
  return end < 0 ? rest : rest.slice(0, end);
}

const copied = [
  "src",
  "bin",
  "schemas",
  "scripts",
  "test",
  "build",
  "docs",
  "RUNBOOK.md",
  "package.json",
  "tsconfig.json",
  "vitest.config.ts",
  ".gitignore",
];
const dir = mkdtempSync(path.join(tmpdir(), "o11y-recipes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(file: string): string {
  return readFileSync(path.join(dir, file), "utf8");
}

/** Replaces text that must be there exactly once, as an author edits a file. */
function edit(file: string, from: string, to: string): void {
  const text = read(file);
  if (text.split(from).length !== 2)
    throw new Error(
      `${file}: expected ${JSON.stringify(from)} exactly once; the project changed, update this recipe test`,
    );
  writeFileSync(
    path.join(dir, file),
    text.replace(from, () => to),
  );
}

function run(args: string[], timeout = 600_000) {
  const result = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: "utf8",
    timeout,
    env: { ...process.env, NO_COLOR: "1", CI: "true" },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}`, error: result.error };
}

/** Test files of the copy (`-t`: only the tests so named), run by the copy's own vitest; green, or the output says why. */
function expectGreen(args: string[], timeout?: number): void {
  const result = run([path.join(dir, "node_modules/vitest/vitest.mjs"), "run", ...args], timeout);
  expect(result.code, `${args.join(" ")} in the copy:\n${result.output.slice(-6000)}`).toBe(0);
}

// ---------------------------------------------------------------------------------------------------
// "Adding an alert", step by step

const alertSteps = {
  threshold() {
    edit(
      "src/alerts/thresholds.ts",
      "\n};",
      '\n  /** Erlang processes alive on one node: far above a healthy node\'s few thousand, a process leak. */\n  beamProcessCount: above(100_000, "count"),\n};',
    );
  },
  alertWithTests() {
    edit(
      "src/alerts/beam.ts",
      'export const beamAlerts = ruleGroup("beam-alerts", [beamMemoryHigh]);',
      `const processes = (count: number) => [{ series: \`\${beam.processCount}{job="global-sovereign", instance="app-1:4000"}\`, values: \`\${count}x20\` }];

export const beamProcessCountHigh = alert({
  name: "BeamProcessCountHigh",
  severity: "low",
  severityReason: "The runbook gives none. A process leak takes hours to exhaust memory, and BeamMemoryHigh pages before it does.",
  service: "beam",
  team: "platform",
  expr: \`max by (job, instance) (\${beam.processCount}{job="global-sovereign"}) \${thresholds.beamProcessCount}\`,
  threshold: thresholds.beamProcessCount,
  for: "10m",
  summary: "A BEAM node runs more than 100,000 Erlang processes.",
  description: "{{ $labels.instance }} runs {{ $value | humanize }} Erlang processes.",
  runbook: "BEAM Process Count > 100,000",
  dashboard: { dashboard: beamHealth, panel: 302 },
  tests: [
    {
      name: "105,000 processes",
      input: processes(105_000),
      value: 105_000,
      expect: [
        { at: "5m", state: "pending", labels: { job: "global-sovereign", instance: "app-1:4000" } },
        { at: "12m", state: "firing", labels: { job: "global-sovereign", instance: "app-1:4000" }, description: "app-1:4000 runs 105k Erlang processes." },
      ],
    },
    {
      name: "95,000 processes",
      input: processes(95_000),
      value: 95_000,
      expect: [{ at: "12m", state: "silent" }],
    },
  ],
});

export const beamAlerts = ruleGroup("beam-alerts", [beamMemoryHigh, beamProcessCountHigh]);`,
    );
  },
  drawOnPanel() {
    edit(
      "src/dashboards/beam-health.ts",
      'queries: [query(`sum by (instance) (${beam.processCount}{${sel}})`, "{{instance}}")],',
      'queries: [query(`sum by (instance) (${beam.processCount}{${sel}})`, "{{instance}}")],\n      thresholds: [thresholds.beamProcessCount],',
    );
  },
  playbook() {
    edit(
      "RUNBOOK.md",
      "\n## 🔐 5. Secrets & Security\n",
      [
        "",
        "### Alert: BEAM Process Count > 100,000",
        "**Trigger**: more than 100,000 Erlang processes alive on one node for 10 minutes (`vm_total_processes`)",
        "",
        "**Severity**: Low (respond within 4 hours)",
        "",
        "**Playbook**:",
        '1. Grafana: **BEAM Health** → "Process count": a climb without more traffic is a process leak.',
        "2. In a remote shell, find who spawns them: `:recon.proc_count(:message_queue_len, 10)`.",
        "",
        "## 🔐 5. Secrets & Security",
        "",
      ].join("\n"),
    );
  },
  endToEndScenario() {
    edit(
      "test/e2e/exporter/values.ts",
      "] as const;\nexport type Scenario",
      '  "process-leak",\n] as const;\nexport type Scenario',
    );
    edit(
      "test/e2e/exporter/values.ts",
      "vm_total_processes: ({ t }) => [{ labels: {}, value: 1800 + Math.round(40 * Math.sin(t / 10)) }],",
      'vm_total_processes: ({ scenario, t }) => [{ labels: {}, value: (scenario === "process-leak" ? 150_000 : 1800) + Math.round(40 * Math.sin(t / 10)) }],',
    );
    edit(
      "test/e2e/e2e.test.ts",
      '  MetricsEndpointDown: "metrics-endpoint-down",\n',
      '  MetricsEndpointDown: "metrics-endpoint-down",\n  BeamProcessCountHigh: "process-leak",\n',
    );
  },
};

/** "Adding a panel": its code block, as the README writes it, under the row its id belongs to. */
function addPanelFromReadme(): void {
  const block = /```ts\n([\s\S]*?)```/.exec(section("## Adding a panel"))?.[1];
  if (!block) throw new Error("README.md's Adding a panel has no ts block");
  const indented = block
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
  edit(
    "src/dashboards/phoenix-metrics.ts",
    '  .withRow(row(300, "Errors"))',
    `${indented}\n  .withRow(row(300, "Errors"))`,
  );
}

describe("the README's recipes, followed on a copy of the project", () => {
  beforeAll(() => {
    for (const entry of copied)
      cpSync(path.join(projectRoot, entry), path.join(dir, entry), { recursive: true });
    symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  });

  it("Adding an alert names every step this test takes", () => {
    const recipe = section("### Adding an alert");
    for (const step of [
      "src/alerts/thresholds.ts",
      "ruleGroup(",
      "threshold: thresholds.x",
      "tests",
      "thresholds: [thresholds.x]",
      "### Alert: <heading>",
      "**Trigger**",
      "test/e2e/exporter/values.ts",
      "scenarioOf",
      "npm run build",
    ]) {
      expect(recipe, `the recipe must say: ${step}`).toContain(step);
    }
  });

  it("after both recipes, `o11y build` succeeds and writes the new alert, its tests, its table row and the panel", () => {
    alertSteps.threshold();
    alertSteps.alertWithTests();
    alertSteps.drawOnPanel();
    alertSteps.playbook();
    alertSteps.endToEndScenario();
    addPanelFromReadme();
    const built = run(["bin/o11y.js", "build", "--tools", "require"]);
    expect(built.code, built.output).toBe(0);
    expect(read("build/prometheus/rules/alerts/beam.yaml")).toContain("alert: BeamProcessCountHigh");
    expect(read("build/prometheus/tests/alerts/beam.test.yaml")).toContain(
      "BeamProcessCountHigh: 105,000 processes",
    );
    expect(read("RUNBOOK.md")).toMatch(
      /\| \[BeamProcessCountHigh\]\(#alert-beam-process-count--100000\) \| .* \| `> 100000` \| 10m \| low \|/,
    );
    const phoenix = JSON.parse(read("build/grafana/dashboards/gs-phoenix-metrics.json")) as {
      panels: Array<{ id: number; title: string }>;
    };
    expect(phoenix.panels.find((p) => p.id === 205)?.title).toBe("Request rate by method");
  });

  // The engine's own tests use their own fixtures; these are the ones that read the content.
  it("the tests that hold the content stay green: promtool's, the staleness of build/ and RUNBOOK.md, the links, the thresholds, the dashboards", () => {
    expectGreen([
      "test/alerts/promtool.test.ts",
      "test/alerts/links.test.ts",
      "test/alerts/threshold-mutation.test.ts",
      "test/pipeline/dashboards.test.ts",
    ]);
    expectGreen(["test/pipeline/build-output.test.ts", "-t", "is fresh"]);
  }, 600_000);

  it("the end-to-end suite stays green: the new alert fires alone in its scenario, the new panel shows data", () => {
    expectGreen(["test/e2e"], 900_000);
  }, 900_000);
});
