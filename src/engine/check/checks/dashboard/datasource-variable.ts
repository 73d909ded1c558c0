import type { DashboardCheck, Finding } from "../../check.ts";
import { panelSubject } from "../../check.ts";

const expected = "${datasource}";

/** A dashboard pinned to one datasource uid breaks on every Grafana where that uid differs. */
export const datasourceVariable: DashboardCheck = {
  id: "dashboard/datasource-variable",
  kind: "house",
  severity: "error",
  summary: "No `datasource` variable, or a panel or query that does not use it.",
  scope: "dashboard",
  check(dashboard) {
    const findings: Finding[] = [];
    const variable = dashboard.variables.find((v) => v.name === "datasource");
    if (!variable || variable.type !== "datasource") {
      findings.push({
        message: "the dashboard has no `datasource` variable of type datasource",
        fix: "build it with the dashboard kit's dashboard(), which adds one defaulting to the provisioned Prometheus.",
      });
    }
    for (const panel of dashboard.panels) {
      const wrong = [panel.datasource, ...panel.targets.map((t) => t.datasource)].filter(
        (uid) => uid !== expected,
      );
      if (wrong.length === 0) continue;
      findings.push({
        subject: panelSubject(dashboard, panel),
        source: panel.source,
        message: `the panel or its queries use datasource ${wrong.map((w) => `"${w ?? "(default)"}"`).join(", ")} instead of "${expected}"`,
        fix: "use the kit's panel helpers, which set the datasource to the dashboard's variable.",
      });
    }
    return findings;
  },
};
