import type { ModelCheck, Finding } from "../../check.ts";

const dashboardPath = /^\/d\/([^/?#]+)/;

/** Dashboard links must reach a dashboard we ship, and every dashboard links to all the others. */
export const links: ModelCheck = {
  id: "dashboard/links",
  kind: "house",
  severity: "error",
  summary: "A link to a dashboard that does not exist, or a dashboard that does not link to the others.",
  scope: "model",
  check(model) {
    const uids = new Set(model.dashboards.map((d) => d.uid));
    const findings: Finding[] = [];
    for (const dashboard of model.dashboards) {
      const subject = `dashboard ${dashboard.uid}`;
      const targets = new Set<string>();
      for (const link of dashboard.links) {
        // A runbook URL that is no text is the settings' own error (definition/invalid), not a link to look into.
        const match = typeof link.url === "string" ? dashboardPath.exec(link.url) : null;
        if (!match) continue;
        targets.add(match[1]!);
        if (!uids.has(match[1]!)) {
          findings.push({
            subject,
            source: dashboard.source,
            message: `link "${link.title}" points at unknown dashboard uid "${match[1]}"`,
            fix: `link to one of: ${[...uids].join(", ")}.`,
          });
        }
      }
      const missing = [...uids].filter((uid) => uid !== dashboard.uid && !targets.has(uid));
      if (missing.length > 0) {
        findings.push({
          subject,
          source: dashboard.source,
          message: `no link to ${missing.join(", ")}`,
          fix: "pass every dashboard to linkTogether() in src/dashboards/index.ts.",
        });
      }
    }
    return findings;
  },
};
