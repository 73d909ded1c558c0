/**
 * What a run is writing outside the project, recorded in the project (`.o11y-cache/pending-*.json`, beside
 * bin/o11y.js's bundles) while it writes: the folder a build stages beside, or a temporary folder. A run killed there leaves its record, and
 * the next run of any command in the project (`recoverInterrupted`) restores that folder or removes the
 * temporary one, wherever it is.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isAlive, ownedName, ownerOf, ownerPattern } from "./owner.ts";
import { recoverFolder } from "./swap.ts";

const recordName = new RegExp(String.raw`^pending-${ownerPattern}-[0-9a-f]+\.json$`);
/** Temporary folders that a record may name: `o11y-<what>-<pid>-<start>-<random>`, no other. */
const temporaryName = new RegExp(String.raw`^o11y-[a-z]+-${ownerPattern}-`);

type Pending = { folder: string } | { temporary: string };

const pendingFolder = (root: string) => path.join(root, ".o11y-cache");

/**
 * Records `what` until the returned function is called. Where the record cannot be written (a read-only
 * project), only the next build into the same folder recovers it.
 */
export function recordPending(root: string, what: Pending): () => void {
  const file = path.join(pendingFolder(root), `pending-${ownedName()}.json`);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(what)}\n`);
  } catch {
    return () => {};
  }
  return () => rmSync(file, { force: true });
}

/** The prefix of a temporary folder of this run that `recoverInterrupted` may remove once the run is dead. */
export function temporaryFolderPrefix(what: string): string {
  return `o11y-${what}-${ownedName()}-`;
}

/**
 * Before a command does anything: recovers the project's default output folder (and any file replaced beside
 * it), then every folder recorded by a run that has died. Never throws; what it did or could not do, it says
 * through `note`.
 */
export function recoverInterrupted(root: string, note: (text: string) => void): void {
  recoverFolder(root, note);
  let names: string[];
  try {
    names = readdirSync(pendingFolder(root));
  } catch {
    return;
  }
  for (const name of names) {
    const match = recordName.exec(name);
    if (!match || isAlive(ownerOf(match[1]!, match[2]!))) continue;
    const file = path.join(pendingFolder(root), name);
    let what: Partial<{ folder: unknown; temporary: unknown }> = {};
    try {
      what = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      // Killed while writing it: before anything was staged.
    }
    // A folder that could not be recovered keeps its record, for the next run to try again.
    if (typeof what.folder === "string" && path.isAbsolute(what.folder) && !recoverFolder(what.folder, note))
      continue;
    const temporary =
      typeof what.temporary === "string" && path.isAbsolute(what.temporary)
        ? temporaryName.exec(path.basename(what.temporary))
        : null;
    // Only a temporary folder of the very run that recorded it.
    if (temporary && temporary[1] === match[1] && temporary[2] === match[2]) {
      try {
        rmSync(what.temporary as string, { recursive: true, force: true });
      } catch (error) {
        note(
          `could not remove ${what.temporary as string}, left by an interrupted run: ${(error as Error).message}`,
        );
        continue;
      }
    }
    rmSync(file, { force: true });
  }
}
