/**
 * One number, one source: every threshold constant moved on a copy of the project, and every text that states it
 * (alert summaries and descriptions, panel descriptions, the runbook's generated table) says the new number in the
 * same build; the hand-written playbooks in RUNBOOK.md that still say the old one are reported at their lines, and
 * nothing in src/ is.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { editIn, o11yIn, projectCopies } from "../helpers/copy.ts";

const copy = projectCopies("o11y-threshold-text-");

/** Every threshold of src/alerts/thresholds.ts but the bool one, moved: [what it was written as, what it becomes]. */
const moves: Array<[from: string, to: string]> = [
  ['above(0.05, "ratio")', 'above(0.08, "ratio")'],
  ['above(1000, "count")', 'above(1500, "count")'],
  ['atLeast(3, "count")', 'atLeast(4, "count")'],
  [
    'projectCreationRegionFailureRatio: above(0.1, "ratio")',
    'projectCreationRegionFailureRatio: above(0.15, "ratio")',
  ],
  ['above(0.5, "seconds")', 'above(0.75, "seconds")'],
  ['covenantFundDropRatio: above(0.1, "ratio")', 'covenantFundDropRatio: above(0.12, "ratio")'],
  ['above(0.8, "ratio")', 'above(0.85, "ratio")'],
];

/** The texts of the copy's compiled model that people read, printed by the copy's own engine. */
const printTexts = `
import { compile } from "./src/engine/pipeline.ts";
import { alertTable } from "./src/engine/runbook.ts";
import { project } from "./src/project.ts";
const { model } = compile(project);
console.log(JSON.stringify({
  alerts: Object.fromEntries(model.alerts.map((a) => [a.name, a.annotations])),
  panels: Object.fromEntries(model.dashboards.flatMap((d) => d.panels.map((p) => [d.uid + "/" + p.id, p.description]))),
  table: alertTable(model),
}));
`;

interface Texts {
  alerts: Record<string, Record<string, string>>;
  panels: Record<string, string>;
  table: string;
}

let texts: Texts;
let diagnostics: Diagnostic[];
let runbook: string[];

beforeAll(() => {
  const dir = copy();
  for (const [from, to] of moves) editIn(dir, "src/alerts/thresholds.ts", from, to);
  writeFileSync(path.join(dir, "print-texts.ts"), printTexts);
  const printed = spawnSync(process.execPath, ["--import", "tsx", "print-texts.ts"], {
    cwd: dir,
    encoding: "utf8",
  });
  expect(printed.status, printed.stderr).toBe(0);
  texts = JSON.parse(printed.stdout) as Texts;
  const checked = o11yIn(dir, ["check", "--tools", "off", "--typecheck", "off", "--format", "json"]);
  diagnostics = (JSON.parse(checked.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
  runbook = readFileSync(path.join(dir, "RUNBOOK.md"), "utf8").split("\n");
}, 120_000);

describe("moving every threshold constant", () => {
  it.each([
    ["PhoenixHigh5xxErrorRate", "summary", "more than 8% of requests"],
    ["NatsConsumerLagHigh", "summary", "more than 1500 messages"],
    ["ProjectCreationFailingInRegions", "summary", "fails in 4 or more regions"],
    ["ProjectCreationFailingInRegions", "description", "more than 15% of attempts"],
    ["EctoQueryLatencyHigh", "summary", "above 750 ms"],
    ["CovenantFundDrop", "summary", "more than 12% within an hour"],
    ["BeamMemoryHigh", "summary", "more than 85% of its memory limit"],
  ])("rewrites %s's %s", (alert, annotation, expected) => {
    expect(texts.alerts[alert]![annotation]).toContain(expected);
  });

  it.each([
    ["gs-covenant-overview/201", "over 12% within an hour"],
    ["gs-covenant-overview/303", "more than 15% of creation attempts fail. At the red line (4 regions)"],
  ])("rewrites panel %s's description", (panel, expected) => {
    expect(texts.panels[panel]).toContain(expected);
  });

  it("rewrites the runbook's table", () => {
    for (const threshold of ["`> 8%`", "`> 1500`", "`>= 4`", "`> 750 ms`", "`> 12%`", "`> 85%`"])
      expect(texts.table).toContain(threshold);
  });

  it("reports no stale text in src/: every text there is written from its threshold", () => {
    const stale = diagnostics.filter(
      (d) => d.check.startsWith("alerts/") && d.check.endsWith("threshold-text"),
    );
    expect(stale.filter((d) => d.source.file !== "RUNBOOK.md")).toEqual([]);
  });

  it("reports each hand-written playbook line that still states an old threshold, at its line", () => {
    const at = (check: string) =>
      diagnostics
        .filter((d) => d.check === check)
        .map((d) => runbook[d.source.line - 1]!)
        .sort();
    // Headings: the anchor of runbook_url follows them, so a person renames them (alerts/runbook-threshold).
    expect(at("alerts/runbook-threshold").length).toBe(5);
    const body = at("alerts/stale-threshold-text");
    for (const line of [
      "**Trigger**: > 5% 5xx responses in 5 minutes",
      "**Trigger**: Covenant fund delta > 10% in 1 hour",
      "**Trigger**: Pending messages > 1000 in any stream",
      "**Trigger**: p95 query time > 500ms for 5 minutes",
      "   - Confirm memory drops below 80% on **BEAM Health** and stays there",
      "   - Confirm the failure ratio is below 10% in every region",
    ])
      expect(
        body.some((stated) => stated.startsWith(line)),
        `no stale-text finding on a line starting ${line}`,
      ).toBe(true);
  });
});
