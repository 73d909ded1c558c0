/**
 * Names that become file names: one character set for all of them, and what each kind of name becomes. The
 * paths come from the renderers' own functions, so the checks judge the files that would really be written.
 */
import type { DashboardModel, Model, RuleGroupModel } from "../model.ts";
import { dashboardPath } from "../render/grafana.ts";
import { ruleFilePath, ruleTestFilePath } from "../render/prometheus.ts";
import type { SourceLocation } from "../source.ts";

/**
 * Lowercase letters, digits and '-', starting and ending with a letter or digit: a file name on Linux, macOS
 * and Windows alike, never `.` or `..`, never a hidden file, and one that no other name can equal by case
 * alone on a case-insensitive file system (macOS, Windows).
 */
export const safeNamePattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** File names Windows refuses whatever their extension (`con.yaml` included). */
export const windowsReservedNames = new Set([
  "con",
  "prn",
  "aux",
  "nul",
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`com${n}`, `lpt${n}`]),
]);

/** One definition whose name becomes a path. */
export interface PathName {
  /** `rule group beam-alerts`, `dashboard gs-beam-health "BEAM Health"`. */
  subject: string;
  /** What the name is called in the definition, for messages: `rule group name`, `dashboard uid`. */
  what: string;
  name: unknown;
  maxLength: number;
  /** The files it becomes, the first being the one named in messages. */
  paths: string[];
  source: SourceLocation;
  /** Where the name is set, for fixes. */
  setIn: string;
}

/** Where a rule group's `ruleGroup(...)` call is; line 1 of its file when the call's line is unknown. */
export const ruleGroupSource = (group: RuleGroupModel): SourceLocation => ({
  file: group.file,
  line: group.line ?? 1,
});

function ruleGroupName(group: RuleGroupModel): PathName {
  return {
    // The subjects the renderers give the files, so a schema error on the same file is not reported twice.
    subject: `rule group ${group.name}`,
    what: "rule group name",
    name: group.name,
    // Room for a `global-sovereign-` prefix and a suffix, well inside every file system's 255.
    maxLength: 63,
    paths: [ruleFilePath(group), ruleTestFilePath(group)],
    source: ruleGroupSource(group),
    setIn: "the first argument of ruleGroup(...)",
  };
}

function dashboardName(dashboard: DashboardModel): PathName {
  return {
    subject: `dashboard ${dashboard.uid} "${dashboard.title}"`,
    what: "dashboard uid",
    name: dashboard.uid,
    // Grafana's own limit for a uid.
    maxLength: 40,
    paths: [dashboardPath(dashboard)],
    source: dashboard.source,
    setIn: "`uid` in the dashboard's definition",
  };
}

/** Every name of the model that becomes a path in build/, in definition order: rule groups, then dashboards. */
export function pathNames(model: Model): PathName[] {
  return [...model.ruleGroups.map(ruleGroupName), ...model.dashboards.map(dashboardName)];
}

/** `Beam Alerts!` -> `beam-alerts`: the name in the character set, for a fix. */
export function suggestName(name: string, maxLength: number): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, "");
}
