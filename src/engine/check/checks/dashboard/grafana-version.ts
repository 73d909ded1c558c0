import {
  compareVersions,
  panelTypeSince,
  parseVersion,
  schemaVersionSince,
} from "../../../grafana/versions.ts";
import type { DashboardCheck, Finding } from "../../check.ts";
import { panelSubject } from "../../check.ts";

const setting = "grafana.minimumVersion in src/config.ts";

/**
 * A dashboard that the oldest Grafana it is meant for cannot load as written: a schemaVersion or a panel type that
 * Grafana does not know yet. Such a Grafana shows "Panel plugin not found", or migrates a dashboard from a future
 * schema it cannot read, without a word in the build.
 */
export const grafanaVersion: DashboardCheck = {
  id: "dashboard/grafana-version",
  kind: "house",
  severity: "error",
  summary:
    "A schemaVersion or panel type that the oldest Grafana the dashboards are for (grafana.minimumVersion) does not know.",
  scope: "dashboard",
  check(dashboard, ctx) {
    const wanted = ctx.model.settings.grafana.minimumVersion;
    if (wanted === undefined) return [];
    const subject = `dashboard ${dashboard.uid}`;
    const minimum = parseVersion(wanted);
    if (!minimum)
      return [
        {
          subject,
          source: dashboard.source,
          message: `${setting} is "${wanted}", which is not a version`,
          fix: 'write the oldest Grafana the dashboards must work on as major.minor.patch, e.g. "12.2.0".',
        },
      ];
    const findings: Finding[] = [];
    const schemaVersion = dashboard.json.schemaVersion;
    if (typeof schemaVersion === "number") {
      const since = schemaVersionSince[schemaVersion];
      if (!since)
        findings.push({
          subject,
          source: dashboard.source,
          message: `o11y does not know which Grafana release reads schemaVersion ${schemaVersion}, so it cannot hold it to ${wanted}`,
          fix: "add it to src/engine/grafana/versions.ts with the release that introduced it (Grafana's apps/dashboard/pkg/migration/schemaversion/ has one file per version).",
        });
      else if (compareVersions(parseVersion(since.version)!, minimum) > 0)
        findings.push({
          subject,
          source: dashboard.source,
          message: `schemaVersion ${schemaVersion} needs Grafana ${since.version} or later, but ${setting} is ${wanted}`,
          fix: `raise grafana.minimumVersion to ${since.version} (and the README's statement of it), or build the dashboards with a Foundation SDK that writes an older schemaVersion.`,
        });
    }
    for (const panel of [...dashboard.rows, ...dashboard.panels]) {
      const since = panelTypeSince[panel.type];
      const where = { subject: panelSubject(dashboard, panel), source: panel.source };
      if (since === undefined)
        findings.push({
          ...where,
          message: `o11y does not know since which Grafana release the panel type "${panel.type}" exists, so it cannot hold it to ${wanted}`,
          fix: "add the type to src/engine/grafana/versions.ts with the release that introduced it; a plugin's type needs the plugin installed.",
        });
      else if (compareVersions(parseVersion(since)!, minimum) > 0)
        findings.push({
          ...where,
          message: `panel type "${panel.type}" needs Grafana ${since} or later, but ${setting} is ${wanted}`,
          fix: `raise grafana.minimumVersion to ${since}, or use a panel type that Grafana ${wanted} has.`,
        });
    }
    return findings;
  },
};
