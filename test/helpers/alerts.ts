import {
  alert,
  ruleGroup,
  type AlertSpec,
  type RecordingRuleDefinition,
  type AlertDefinition,
} from "../../src/engine/define/alerting.ts";
import { markAsHelper } from "../../src/engine/source.ts";
import { phoenixHigh5xxErrorRate } from "../../src/alerts/phoenix.ts";
import { project } from "../../src/project.ts";
import type { ProjectDefinition } from "../../src/engine/define/project.ts";
import type { ImportedAlertDefinition } from "../../src/engine/define/imported-rules.ts";

// Locations then point at the test line that called these.
markAsHelper(import.meta.url);

/** A copy of a real, valid alert with some fields changed. */
export function variantAlert(changes: Partial<AlertSpec>): AlertDefinition {
  const { source: _source, ...spec } = phoenixHigh5xxErrorRate;
  return alert({ ...spec, ...changes });
}

/** The real project with one more alert group and, optionally, more recording rules. */
export function projectWith(
  alerts: (AlertDefinition | ImportedAlertDefinition)[],
  rules: RecordingRuleDefinition[] = [],
  runbookText?: string,
): ProjectDefinition {
  const runbook = runbookText === undefined ? project.runbook : { ...project.runbook, text: runbookText };
  return {
    ...project,
    alertGroups: [
      ...project.alertGroups.map((g) => ({
        ...g,
        rules: g.rules.filter((a) => a.name !== "PhoenixHigh5xxErrorRate"),
      })),
      ruleGroup("test-alerts", alerts),
    ],
    recordingRuleGroups: rules.length
      ? [...project.recordingRuleGroups, ruleGroup("test-recording", rules)]
      : project.recordingRuleGroups,
    runbook,
  };
}
