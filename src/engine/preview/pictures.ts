/**
 * Pictures for review (`o11y diff --pictures <dir>`): each dashboard the diff reports as changed, drawn as the
 * preview draws it (the layout, no data) from the base's files and from the head's, `<uid>.before.png` and
 * `<uid>.after.png`; an added dashboard has only an after, a removed one only a before.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ArtifactFile } from "../diff/snapshot.ts";
import { pageStem, type PreviewDashboard } from "./page.ts";
import { dashboardsOf, previewPages } from "./preview.ts";
import type { Browser } from "./screenshot.ts";

export interface ChangedDashboard {
  /** The head's uid (the base's, for a removed dashboard). */
  uid: string;
  /** The base's uid, when the dashboard was renamed. */
  previousUid?: string;
  status: "added" | "removed" | "changed" | "renamed";
}

export interface DashboardPictures {
  uid: string;
  title: string;
  /** File names in the pictures' folder. */
  before?: string;
  after?: string;
}

/** Writes the pictures of `changed` into `dir` (made if missing); returns what it wrote, in the order given. */
export async function beforeAndAfter(
  changed: ChangedDashboard[],
  base: ArtifactFile[],
  head: ArtifactFile[],
  dir: string,
  browser: Browser,
): Promise<DashboardPictures[]> {
  const temp = mkdtempSync(path.join(tmpdir(), "o11y-pictures-"));
  try {
    mkdirSync(dir, { recursive: true });
    const sides = { before: dashboardsOf(base), after: dashboardsOf(head) };
    for (const [side, dashboards] of Object.entries(sides)) {
      mkdirSync(path.join(temp, side));
      for (const file of previewPages(dashboards))
        writeFileSync(path.join(temp, side, file.path), file.content);
    }
    const pictures: DashboardPictures[] = [];
    for (const entry of changed) {
      const found = {
        before:
          entry.status === "added"
            ? undefined
            : sides.before.find((d) => d.uid === (entry.previousUid ?? entry.uid)),
        after: entry.status === "removed" ? undefined : sides.after.find((d) => d.uid === entry.uid),
      };
      const shot: DashboardPictures = {
        uid: entry.uid,
        title: (found.after ?? found.before)?.title ?? entry.uid,
      };
      for (const side of ["before", "after"] as const) {
        const dashboard: PreviewDashboard | undefined = found[side];
        if (!dashboard) continue;
        const name = `${pageStem(entry.uid)}.${side}.png`;
        writeFileSync(path.join(dir, name), await browser.picture(path.join(temp, side, dashboard.page)));
        shot[side] = name;
      }
      pictures.push(shot);
    }
    return pictures;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
