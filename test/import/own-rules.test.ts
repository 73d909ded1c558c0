/**
 * The project's own build/prometheus/rules, imported into an empty project (no alerts, recording rules, SLOs or
 * dashboards; the catalog, settings, severities and runbook kept), give back equivalent rule files: the same groups
 * under the same names and intervals, the same alerts (expressions, `for`, labels, annotations) and recording rules.
 * The recording rule files are imported first, so that the alerts read them by interpolation; each runbook_url into
 * RUNBOOK.md becomes the alert's `runbook`, and builds to the same URL.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectRoot } from "../../src/engine/source.ts";
import { readTree } from "../helpers/cli.ts";
import { o11yIn, projectCopies } from "../helpers/copy.ts";

const rules = path.join(projectRoot, "build/prometheus/rules");
const kinds = ["recording", "alerts"] as const;
const inputs = kinds.flatMap((kind) =>
  readdirSync(path.join(rules, kind))
    .sort()
    .map((file) => path.join(rules, kind, file)),
);

/** A copy of the project without its alerts, recording rules, SLOs and dashboards. */
function emptyProject(): string {
  const dir = projectCopies("o11y-import-own-rules-")();
  const src = path.join(dir, "src");
  for (const folder of ["alerts", "recording-rules", "dashboards"])
    for (const file of readdirSync(path.join(src, folder)))
      if (file !== "severities.ts") rmSync(path.join(src, folder, file));
  writeFileSync(path.join(src, "alerts/index.ts"), "export const alertGroups = [];\n");
  writeFileSync(path.join(src, "alerts/thresholds.ts"), "export const thresholds = {};\n");
  writeFileSync(path.join(src, "recording-rules/index.ts"), "export const recordingRuleGroups = [];\n");
  writeFileSync(path.join(src, "dashboards/index.ts"), "export const dashboards = [];\n");
  // The SLOs' rule files are imported like the rest: the SLOs that generated them go.
  for (const file of readdirSync(path.join(src, "slos"))) rmSync(path.join(src, "slos", file));
  writeFileSync(path.join(src, "slos/index.ts"), "export const slos = [];\n");
  return dir;
}

const dir = emptyProject();
const reports: string[] = [];
let build: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  for (const input of inputs) {
    const result = o11yIn(dir, ["import", "rules", input]);
    expect(result.stderr, input).toBe("");
    expect(result.code, input).toBe(0);
    reports.push(result.stdout);
  }
  build = o11yIn(dir, ["build"]);
}, 900_000);

type Groups = Map<string, unknown>;
/** Every group of the rule files under `root`, by file and name, as parsed YAML. */
function groupsIn(root: string): Groups {
  const groups: Groups = new Map();
  for (const [file, text] of readTree(root))
    for (const group of (parse(text) as { groups: { name: string }[] }).groups)
      groups.set(`${file} ${group.name}`, group);
  return groups;
}

describe("the project's own rule files, imported into an empty project", () => {
  it("import with no rewrite at all, and build green", () => {
    // The build names its groups global-sovereign-<name>: the import takes the prefix back off.
    expect(reports.filter((r) => r.includes("rewrites ("))).toEqual([]);
    expect(
      build.stderr.split("\n").filter((l) => / error /.test(l) && !l.includes("suppressed error")),
    ).toEqual([]);
    expect(build.code, build.stderr.slice(-3000)).toBe(0);
  });

  it("give back the same rule files: groups, intervals, alerts and recording rules", () => {
    const original = groupsIn(rules);
    const rebuilt = groupsIn(path.join(dir, "build/prometheus/rules"));
    expect([...rebuilt.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [key, group] of original) expect(rebuilt.get(key), key).toEqual(group);
  });

  it("interpolate thresholds and the recording rules the alerts read, and link the runbook", () => {
    const src = readTree(path.join(dir, "src"));
    const alerts = [...src].filter(
      ([file]) =>
        file.startsWith("alerts/") &&
        !["alerts/index.ts", "alerts/thresholds.ts", "alerts/severities.ts"].includes(file),
    );
    expect(alerts.length).toBeGreaterThan(0);
    for (const [file, text] of alerts) {
      expect(text, file).toMatch(/threshold: thresholds\.\w+,/);
      expect(text, file).toMatch(/runbook: "/);
      expect(text, file).not.toMatch(/runbook_url/);
    }
    // An alert on a recorded series reads it through its definition, as hand-written alerts do.
    const recorded =
      [...src.values()].join("\n").match(/import \{[^}]+\} from "\.\.\/recording-rules\/\w+\.ts";/g) ?? [];
    expect(recorded.length).toBeGreaterThan(0);
    expect(src.get("alerts/thresholds.ts")).toMatch(/\w+: (above|below|atLeast|atMost|equalTo|notEqualTo)\(/);
  });
});
