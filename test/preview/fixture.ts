/**
 * A small project for the preview's tests: two dashboards linked together, with open and collapsed rows, panels
 * of every size the grid allows, and names that would inject markup or script if they were not escaped.
 */
import {
  dashboard,
  linkTogether,
  query,
  row,
  sel,
  stat,
  table,
  timeseries,
} from "../../src/engine/define/dashboard-kit.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { tableEnd, tableStart } from "../../src/engine/runbook.ts";
import { project as realProject } from "../../src/project.ts";

/** Text that would break out of HTML, an attribute, a script or a JSON block if the page did not escape it. */
export const hostile = `</script><script>document.title="pwned"</script><img src=x onerror="document.title='pwned'"> & '\u202e`;

const main = dashboard({
  uid: "fx-main",
  title: `Main ${hostile}`,
  description: `The main fixture dashboard. ${hostile}`,
  tags: ["fixture"],
  anchorMetric: "up",
  defaultDatasourceUid: "gs-prometheus",
  defaultJob: "global-sovereign",
})
  .withRow(row(100, "Traffic"))
  .withPanel(
    timeseries({
      id: 101,
      title: `Scrapes ${hostile}`,
      description: `Targets up, over time. ${hostile}`,
      unit: "short",
      queries: [query(`sum by (job) (up{${sel}})`, "{{job}}")],
    }),
  )
  .withPanel(
    stat({
      id: 102,
      title: "Targets",
      description: "Targets scraped.",
      unit: "short",
      queries: [query(`count(up{${sel}})`)],
    }),
  )
  .withPanel(
    stat({
      id: 103,
      title: "Up",
      description: "Targets up.",
      unit: "short",
      width: 6,
      height: 8,
      queries: [query(`sum(up{${sel}})`)],
    }),
  )
  .withRow(
    row(200, "Details")
      .collapsed(true)
      .withPanel(
        stat({
          id: 201,
          title: "Hidden",
          description: "Shown when the row is opened.",
          unit: "short",
          queries: [query(`sum(up{${sel}})`)],
        }).gridPos({ x: 0, y: 10, w: 8, h: 4 }),
      ),
  )
  .withRow(row(300, "Table"))
  .withPanel(
    table({
      id: 301,
      title: "Targets by job",
      description: "Each job's targets.",
      unit: "short",
      width: 24,
      height: 6,
      queries: [query(`count by (job) (up{${sel}})`)],
    }),
  )
  .withPanel(
    timeseries({
      id: 302,
      title: "Empty",
      description: "A query that matches nothing: no line.",
      unit: "short",
      width: 8,
      height: 5,
      queries: [query(`sum(up{${sel}, job="no-such-job"})`)],
    }),
  );

const other = dashboard({
  uid: "fx-other",
  title: "Other",
  description: "The other fixture dashboard.",
  tags: ["fixture"],
  anchorMetric: "up",
  defaultDatasourceUid: "gs-prometheus",
  defaultJob: "global-sovereign",
}).withPanel(
  stat({
    id: 1,
    title: "Targets",
    description: "Targets scraped.",
    unit: "short",
    queries: [query(`count(up{${sel}})`)],
  }),
);

linkTogether([main, other], "https://example.com/runbook.md");

/** The fixture compiled as `o11y preview` compiles a project. */
export function compiledFixture() {
  // The real settings and catalog, none of its alerts or SLOs (they link to its own dashboards).
  return compile({
    ...realProject,
    dashboards: [main, other],
    alertGroups: [],
    slos: [],
    runbook: { file: "RUNBOOK.md", text: `# Runbook\n\n${tableStart}\n${tableEnd}\n` },
  });
}
