/**
 * RUNBOOK.md's generated alert table with random text in every field it shows (an alert's name, summary, `for`,
 * severity and playbook heading, its dashboard's and panel's titles, Grafana's base URL): GitHub's renderer
 * (micromark with GFM) still sees one table of a header and a row per alert, six cells each, every cell showing
 * its text as the escaping promises (line breaks as spaces, hidden characters spelled out, edges trimmed); and the
 * next build reads that runbook as it read the first one (the same headings) and writes the same table again.
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { parseRunbook, thresholdText, withAlertTable } from "../../src/engine/runbook.ts";
import { elements, render, shown } from "../escape/rendered-markdown.ts";
import { anyString, show } from "./arbitraries.ts";
import { buildProject, validSpec } from "./project-spec.ts";

/** What each of two alerts shows in the table (two: a row must not run into the next one). */
export interface TableTexts {
  alerts: Array<{ name: string; summary: string; for: string; severity: string; runbook: string }>;
  dashboardTitle: string;
  panelTitle: string;
  grafanaBaseUrl: string;
}

const alertTexts = fc.record({
  name: anyString,
  summary: anyString,
  for: anyString,
  severity: anyString,
  runbook: anyString,
});

export const tableTexts: fc.Arbitrary<TableTexts> = fc.record({
  alerts: fc.tuple(alertTexts, alertTexts),
  dashboardTitle: anyString,
  panelTitle: anyString,
  grafanaBaseUrl: anyString,
});

export function runbookTableCase(t: TableTexts): void {
  const spec = validSpec();
  const [template] = spec.alerts;
  spec.alerts = t.alerts.map((a) => ({ ...template, ...a, tests: [] }));
  // Only what the table shows: the alerts' dashboard with the one panel they link (building the rest of the small
  // project cost a sixth of a case).
  spec.recordingRules = [];
  const [board] = spec.dashboards;
  const [row] = board.rows;
  spec.dashboards = [{ ...board, title: t.dashboardTitle, rows: [{ ...row, panels: [row.panels[0]] }] }];
  row.panels[0].title = t.panelTitle;
  spec.settings.grafana.baseUrl = t.grafanaBaseUrl;
  const model = compileModel(buildProject(spec));
  const runbook = withAlertTable(model);
  if (runbook === undefined) throw new Error("the runbook's markers were not found");

  const html = render(runbook);
  const tables = elements(html, "table");
  if (tables.length !== 1) throw new Error(`${tables.length} tables\n${runbook}`);
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
  const expected = t.alerts.map((alert, index) => {
    const { threshold, trafficGuard } = model.alerts[index]!;
    return [
      shown(alert.name),
      shown(alert.summary),
      `${thresholdText(threshold)} over ${thresholdText(trafficGuard!)} events`,
      shown(alert.for),
      shown(alert.severity),
      shown(`${t.dashboardTitle} › ${t.panelTitle}`),
    ];
  });
  const got = rows.slice(1).map((row) => elements(row, "td"));
  if (
    rows.length !== 1 + t.alerts.length ||
    elements(rows[0]!, "th").length !== 6 ||
    !isDeepStrictEqual(got, expected)
  )
    throw new Error(
      `the table shows ${show(got, 2000)}, not ${show(expected, 2000)} (${rows.length} rows)\nrunbook:\n${runbook}`,
    );

  // The next build: the same headings read from the runbook as written, and the same table written into it.
  const before = parseRunbook(model.runbook.file, model.runbook.text).sections.map((s) => s.heading);
  const after = parseRunbook(model.runbook.file, runbook);
  if (
    !isDeepStrictEqual(
      after.sections.map((s) => s.heading),
      before,
    )
  )
    throw new Error(
      `the next build reads the headings ${show(after.sections)}, not ${show(before)}\n${runbook}`,
    );
  const again = withAlertTable({ ...model, runbook: after });
  if (again !== runbook)
    throw new Error(`the next build writes another runbook:\n${again}\nafter:\n${runbook}`);
}
