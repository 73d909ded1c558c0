/**
 * The swap that puts a staged build in the place of the output folder, and the recovery that finishes or
 * undoes a swap that was killed half-way.
 *
 * Everything the swap makes sits beside the output folder `<parent>/<name>`, named after its run:
 * `.o11y-tmp-<pid>-<start>-<random>.<kind>.<name>` (kind `staged`, `retired`, `journal`, `file`). Before its
 * first rename the swap writes the journal `.o11y-tmp-swap.<name>` (complete, by a hard link: it is also the
 * lock that keeps two swaps of one folder apart); it is removed last. So at any instant:
 *
 * - no journal: `<name>` is the old tree (or the new one, complete), and any `.o11y-tmp-*` of a dead run is
 *   garbage;
 * - a journal whose staged folder still exists: the new tree never took its place; recovery puts the old one
 *   back if it was moved aside, and removes the staged one;
 * - a journal whose staged folder is gone: the new tree is in place; recovery removes the old one.
 *
 * Every recovery step can be interrupted and run again. A journal or temporary folder of a run that is alive
 * is never touched.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { currentOwner, isAlive, ownedName, ownerOf, ownerPattern, type Owner } from "./owner.ts";

export const temporaryPrefix = ".o11y-tmp-";
const journalPrefix = `${temporaryPrefix}swap.`;
/** `.o11y-tmp-<pid>-<start>-<random>.<kind>.<name>` */
const ownedEntry = new RegExp(String.raw`^\.o11y-tmp-${ownerPattern}-[0-9a-f]+\.([a-z]+)\.(.+)$`);
/** What builds before the journal left: `.o11y-tmp-<name>-<pid>-<ms>` (staged) and `.o11y-tmp-<name>-old-<pid>-<ms>` (retired). */
const legacyEntry = /^\.o11y-tmp-(.+)-(\d+)-(\d{13})$/;

/** A name for a temporary `kind` of this run beside `<name>` in `parent`. */
export function temporaryPath(parent: string, kind: string, name: string): string {
  return path.join(parent, `${temporaryPrefix}${ownedName()}.${kind}.${name}`);
}

/**
 * Tests only: `O11Y_TEST_PAUSE_AT=<step>` stops the run at that step (saying so on stderr) for a test to kill it
 * there. Steps: staging, staged, journal, retired, swapped, cleaned, recover-restored.
 */
const pauseAt = process.env.O11Y_TEST_PAUSE_AT;

export function pausePoint(step: string): void {
  if (pauseAt !== step) return;
  process.stderr.write(`o11y: paused at ${step} (O11Y_TEST_PAUSE_AT)\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

interface Journal {
  owner: Owner;
  /** The output folder's name in its parent. */
  out: string;
  /** Names in the same parent. */
  staged: string;
  retired: string;
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Makes renames and new entries in `dir` survive a power cut. Best effort: some file systems refuse it. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Durability against power loss only; a kill loses nothing that is not synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A plain name in a folder: not empty, no separator, not `.` or `..`. */
const plainName = (name: unknown): name is string =>
  typeof name === "string" && name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);

function readJournal(file: string): Journal | undefined {
  try {
    const journal = JSON.parse(readFileSync(file, "utf8")) as Journal;
    const owned = (name: string) => ownedEntry.test(name);
    if (
      !plainName(journal.out) ||
      !plainName(journal.staged) ||
      !plainName(journal.retired) ||
      !owned(journal.staged) ||
      !owned(journal.retired)
    )
      return undefined;
    if (!Number.isSafeInteger(journal.owner?.pid) || !Number.isSafeInteger(journal.owner?.start))
      return undefined;
    return journal;
  } catch {
    return undefined;
  }
}

/** Raised when another live run is replacing the same folder for longer than we wait. */
export class SwapBusy extends Error {}

/**
 * Takes the journal of `<parent>/<out>` for this run: writes it whole, then links it into place, which fails
 * when one exists. One of a dead run is recovered first; one of a live run is waited for, up to `waitMs`.
 */
function takeJournal(parent: string, journal: Journal, note: (text: string) => void, waitMs = 5_000): string {
  const file = path.join(parent, journalPrefix + journal.out);
  const draft = temporaryPath(parent, "journal", journal.out);
  const fd = openSync(draft, "wx");
  try {
    writeFileSync(fd, `${JSON.stringify(journal)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const deadline = Date.now() + waitMs;
  try {
    for (;;) {
      try {
        linkSync(draft, file);
        return file;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A file system without hard links: a rename puts it in place whole, only not exclusively.
        if (code !== "EEXIST" && !exists(file)) {
          if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"].includes(code ?? "")) throw error;
          renameSync(draft, file);
          return file;
        }
      }
      const other = readJournal(file);
      if (other && isAlive(other.owner)) {
        if (Date.now() > deadline)
          throw new SwapBusy(
            `another o11y run (pid ${other.owner.pid}) is replacing ${path.join(parent, journal.out)}`,
          );
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      if (other) recoverSwap(parent, file, other, note);
      // Gone meanwhile: the other run finished.
      else if (exists(file))
        throw new Error(`${file} is not a journal o11y can read; move it away once no o11y build runs`);
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Puts the folder `staged` in the place of `target` (absent, or a folder), and removes the tree it replaces.
 * Killed at any point, it leaves `target` whole (old or new) or a journal that `recoverFolder` acts on.
 */
export function swapIn(staged: string, target: string, note: (text: string) => void = () => {}): void {
  swapInPlace(staged, target, note).sync();
}

/** What is left of a swap once the new tree is in place: removing the tree it replaced, then the journal. */
export interface Retirement {
  sync(): void;
  /** The same without blocking: the watch prints its line first. Until it ends, the journal keeps other swaps out. */
  later(): Promise<void>;
}

/**
 * `swapIn` up to the instant the new tree is in `target`; the removal of the old one is left to the caller. Killed
 * before that ends, the journal makes the next run remove it.
 */
export function swapInPlace(
  staged: string,
  target: string,
  note: (text: string) => void = () => {},
): Retirement {
  const parent = path.dirname(target);
  const out = path.basename(target);
  const retired = path.join(parent, path.basename(staged).replace(/\.staged\./, ".retired."));
  const journal: Journal = {
    owner: currentOwner(),
    out,
    staged: path.basename(staged),
    retired: path.basename(retired),
  };
  const file = takeJournal(parent, journal, note);
  pausePoint("journal");
  try {
    if (exists(target)) {
      renameSync(target, retired);
      pausePoint("retired");
    }
    renameSync(staged, target);
  } catch (error) {
    // Nothing of the new tree is in place: the old one goes back, as recovery would do.
    recoverSwap(parent, file, journal, () => {});
    throw error;
  }
  syncFolder(parent);
  pausePoint("swapped");
  const done = () => {
    pausePoint("cleaned");
    // Not synced: a journal that outlives a power cut only has the next run finish what is finished.
    unlinkSync(file);
  };
  return {
    sync() {
      rmSync(retired, { recursive: true, force: true });
      done();
    },
    async later() {
      await rm(retired, { recursive: true, force: true });
      done();
    },
  };
}

/** Finishes (the new tree is in place) or undoes (it is not) the swap of a dead run, then drops its journal. */
function recoverSwap(parent: string, file: string, journal: Journal, note: (text: string) => void): void {
  const target = path.join(parent, journal.out);
  const staged = path.join(parent, journal.staged);
  const retired = path.join(parent, journal.retired);
  const by = `an interrupted build (pid ${journal.owner.pid})`;
  if (exists(staged)) {
    if (!exists(target) && exists(retired)) {
      renameSync(retired, target);
      syncFolder(parent);
      note(`${target}: put back the previous build, which ${by} had moved aside`);
      pausePoint("recover-restored");
    }
    rmSync(staged, { recursive: true, force: true });
  } else {
    if (!exists(target) && exists(retired)) {
      renameSync(retired, target);
      note(`${target}: put back the previous build, which ${by} had moved aside`);
    } else if (exists(retired)) {
      note(`${target}: kept the new build that ${by} had put in place, and removed the previous one`);
    }
    rmSync(retired, { recursive: true, force: true });
  }
  rmSync(file, { force: true });
  syncFolder(parent);
}

/**
 * Restores what a killed run left in `parent`: finishes or undoes each swap whose run is dead, then removes
 * every temporary file and folder of dead runs, older builds' included. Never throws: what it cannot do, it
 * says through `note`, and the next run tries again. True when nothing of a dead run is left.
 */
export function recoverFolder(parent: string, note: (text: string) => void): boolean {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(temporaryPrefix));
  } catch (error) {
    return (
      (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (error as NodeJS.ErrnoException).code === "ENOTDIR"
    );
  }
  if (names.length === 0) return true;
  let clean = true;
  /** Outputs whose temporary folders must stay: a journal there is unreadable. */
  const keep = new Set<string>();
  for (const name of names.filter((n) => n.startsWith(journalPrefix))) {
    const out = name.slice(journalPrefix.length);
    const file = path.join(parent, name);
    const journal = readJournal(file);
    if (!journal || journal.out !== out) {
      keep.add(out);
      clean = false;
      note(
        `${file} is not a journal o11y can read: the temporary folders beside ${out} are left for you to inspect (if ${out} is missing, the previous build is the one named *.retired.${out}); then remove the journal`,
      );
      continue;
    }
    if (isAlive(journal.owner)) continue;
    try {
      recoverSwap(parent, file, journal, note);
    } catch (error) {
      keep.add(out);
      clean = false;
      note(
        `could not recover ${path.join(parent, out)} after an interrupted build: ${(error as Error).message}`,
      );
    }
  }
  removeLegacyLeftovers(parent, names, note);
  for (const name of names) {
    const match = ownedEntry.exec(name);
    if (!match || keep.has(match[4]!) || isAlive(ownerOf(match[1]!, match[2]!))) continue;
    try {
      rmSync(path.join(parent, name), { recursive: true, force: true });
    } catch (error) {
      clean = false;
      note(
        `could not remove ${path.join(parent, name)}, left by an interrupted build: ${(error as Error).message}`,
      );
    }
  }
  return clean;
}

/**
 * The staged and retired folders of builds made before the journal: a build killed between its renames left
 * no `<name>` at all, and its retired folder is the previous build.
 */
function removeLegacyLeftovers(parent: string, names: string[], note: (text: string) => void): void {
  const legacy = names.flatMap((name) => {
    const match = legacyEntry.exec(name);
    return match && !ownedEntry.test(name) && !isAlive(ownerOf(match[2]!, 0))
      ? [{ name, stem: match[1]!, stamp: `${match[2]}-${match[3]}` }]
      : [];
  });
  for (const entry of legacy) {
    if (!entry.stem.endsWith("-old")) continue;
    const out = entry.stem.slice(0, -"-old".length);
    const target = path.join(parent, out);
    const staged = legacy.some((other) => other.stem === out && other.stamp === entry.stamp);
    if (staged && plainName(out) && !exists(target)) {
      try {
        renameSync(path.join(parent, entry.name), target);
        note(`${target}: put back the previous build, which an interrupted build had moved aside`);
      } catch {
        // Left for the next run.
      }
    }
  }
  for (const { name } of legacy) {
    try {
      rmSync(path.join(parent, name), { recursive: true, force: true });
    } catch (error) {
      note(
        `could not remove ${path.join(parent, name)}, left by an interrupted build: ${(error as Error).message}`,
      );
    }
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops forever where a parent refuses new entries
 * (under /proc), instead of failing.
 */
export function ensureFolder(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch {
    // Made below.
  }
  ensureFolder(path.dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}
