import { posix } from "node:path";
import { formatLocation } from "../../../source.ts";
import { pathNames, type PathName } from "../../path-names.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** Two paths are one file when they are equal once normalized and case-folded (macOS and Windows fold case). */
const fileKey = (path: string) => posix.normalize(path).toLowerCase();

/**
 * Two definitions that would write the same file: the later one would replace the earlier, and every alert,
 * rule or panel of the earlier would be gone without a word. Each later one is reported, naming the first.
 */
export const pathCollision: ModelCheck = {
  id: "names/path-collision",
  kind: "correctness",
  severity: "error",
  summary: "Two rule groups or dashboards that would write the same file (case ignored).",
  scope: "model",
  check(model) {
    const first = new Map<string, { entry: PathName; path: string }>();
    const findings: Finding[] = [];
    for (const entry of pathNames(model)) {
      // A rule group's test file goes where its rule file goes: one clash is said once, for the first of its files.
      const clash = entry.paths
        .map((path) => ({ path, earlier: first.get(fileKey(path)) }))
        .find((c) => c.earlier !== undefined);
      for (const path of entry.paths)
        if (!first.has(fileKey(path))) first.set(fileKey(path), { entry, path });
      if (clash === undefined) continue;
      const { path, earlier } = clash as { path: string; earlier: { entry: PathName; path: string } };
      // Two dashboards with one uid are dashboard/unique-uid's to report.
      if (
        entry.what === "dashboard uid" &&
        earlier.entry.what === entry.what &&
        earlier.entry.name === entry.name
      )
        continue;
      const same =
        path === earlier.path
          ? path
          : path.toLowerCase() === earlier.path.toLowerCase()
            ? `${path}, which is ${earlier.path} on a case-insensitive file system`
            : `${path}, which is ${earlier.path}`;
      findings.push({
        subject: entry.subject,
        source: entry.source,
        message: `it would write ${same}, the file of ${earlier.entry.subject} (${formatLocation(earlier.entry.source)}): one would replace the other`,
        fix:
          entry.what === "rule group name"
            ? "rename one of the two rule groups in ruleGroup(...); a rule file is named after its group without a trailing -alerts or -recording, so `beam` and `beam-alerts` share one."
            : "give each dashboard a uid of its own, differing by more than case.",
      });
    }
    return findings;
  },
};
