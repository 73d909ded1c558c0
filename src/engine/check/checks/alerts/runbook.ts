import { alertSectionPrefix, alertSections } from "../../../runbook.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** Every alert links to its playbook, and every playbook belongs to an alert; both are checked here, not by on-call at 3 a.m. */
export const alertRunbook: ModelCheck = {
  id: "alerts/runbook",
  kind: "house",
  severity: "error",
  summary: "An alert whose runbook section is missing, or a runbook alert section with no alert.",
  scope: "model",
  check(model) {
    const { runbook } = model;
    const anchors = new Set(runbook.sections.map((s) => s.anchor));
    const findings: Finding[] = model.alerts
      .filter((alert) => !anchors.has(alert.runbook.anchor))
      .map((alert) =>
        // An imported alert whose runbook_url did not lead into the runbook names no playbook at all.
        alert.imported && !alert.runbook.heading
          ? {
              subject: `alert ${alert.name}`,
              source: alert.source,
              message: `the alert has no playbook in ${runbook.file}${alert.annotations.runbook_url ? ` (its runbook_url leads elsewhere: ${alert.annotations.runbook_url})` : ""}`,
              fix: `write its playbook in ${runbook.file} under "### ${alertSectionPrefix}<heading>", and set \`runbook: "<heading>"\` on the alert.`,
            }
          : {
              subject: `alert ${alert.name}`,
              source: alert.source,
              message: `${runbook.file} has no section "### ${alert.runbook.heading}" (anchor #${alert.runbook.anchor})`,
              fix: `add the playbook to ${runbook.file} under that heading, or correct \`runbook:\`.`,
            },
      );
    const linked = new Set(model.alerts.map((a) => a.runbook.anchor));
    for (const section of alertSections(runbook)) {
      if (linked.has(section.anchor)) continue;
      findings.push({
        subject: `runbook section "${section.heading}"`,
        source: { file: runbook.file, line: section.line },
        message: "no alert links to this playbook",
        fix: `define the alert in src/alerts/ with runbook: "${section.heading.replace(/^Alert: /, "")}", or remove the section.`,
      });
    }
    return findings;
  },
};
