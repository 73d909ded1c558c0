/**
 * Writes a build, and only where it belongs.
 *
 * What a build guarantees about its output folder (`build/`):
 * - It replaces only a folder that is absent, empty, or a previous build with nothing in it that a build did
 *   not write (`unreplaceable`; `--out` is refused earlier, see out-folder.ts). Every file path stays inside
 *   it (`artifactPathProblems`).
 * - The new files are written to a staged folder beside it and synced to disk, judged there, then swapped in
 *   by two renames under a journal (swap.ts). Killed at any instant, SIGKILL included, the folder is the old
 *   tree or the new one, whole, or the journal lets the next run of any command (`recoverInterrupted`, first
 *   thing) finish or undo the swap; that run also removes every temporary folder dead runs left.
 * - A folder that already holds exactly the build, byte for byte, is left as it is: nothing is written.
 */
import { createHash } from "node:crypto";
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
  writeFileSync,
  type BigIntStats,
} from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../diagnostics.ts";
import type { Artifact } from "../render/artifact.ts";
import { stringifyJson } from "../compile/canonical-json.ts";
import { manifestPath, unreplaceable } from "./out-folder.ts";
import { recordPending } from "./pending.ts";
import { ensureFolder, pausePoint, swapInPlace, temporaryPath } from "./swap.ts";

export { manifestPath };

export function sha256(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** The manifest lists every file of the build with its sha256, so a deploy can verify what it received. */
export function manifestArtifact(artifacts: Artifact[]): Artifact {
  const files = [...artifacts]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((a) => ({ path: a.path, sha256: sha256(a.content), bytes: Buffer.byteLength(a.content, "utf8") }));
  return {
    path: manifestPath,
    schema: "manifest",
    format: "json",
    subject: "build manifest",
    source: { file: "src/project.ts", line: 1 },
    content: stringifyJson({ generatedBy: "o11y", files }),
  };
}

export const pathCheck = "emit/path";

/** Why a file could not be written at `file` inside the output folder, or undefined when it can. */
function unsafePath(file: string): string | undefined {
  if (file === "") return "it is empty";
  if (file.includes("\0")) return "it holds a NUL character";
  if (file.includes("\\")) return 'it holds a "\\", a folder separator on Windows';
  if (path.posix.isAbsolute(file) || path.win32.isAbsolute(file)) return "it is absolute";
  const segments = file.split("/");
  if (segments.includes("..")) return 'it climbs out with ".."';
  if (segments.includes("")) return 'it has an empty segment ("//" or a "/" at an end)';
  if (segments.includes(".")) return 'it has a "." segment';
  const inside = path.resolve("/build", file);
  if (!inside.startsWith("/build/")) return "it resolves outside the build";
  return undefined;
}

/**
 * Every artifact whose path would write outside the output folder, or over another artifact: the last line of
 * defense, after the definitions' own name checks.
 */
export function artifactPathProblems(artifacts: Artifact[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const problem = (artifact: Artifact, why: string): Diagnostic => ({
    check: pathCheck,
    severity: "error",
    subject: artifact.subject,
    source: artifact.source,
    message: `its file would be written at ${JSON.stringify(artifact.path)} in build/, but ${why}`,
    fix: 'rename the definition: its name (a rule group\'s, a dashboard\'s uid) becomes a file name, so it must not hold "/", "\\" or "..".',
  });
  const files = new Set<string>();
  for (const artifact of artifacts) {
    const why = unsafePath(artifact.path);
    if (why) diagnostics.push(problem(artifact, why));
    else if (files.has(artifact.path))
      diagnostics.push(problem(artifact, "another definition's file has that path"));
    else files.add(artifact.path);
  }
  const folders = foldersOf(files);
  for (const artifact of artifacts) {
    if (folders.has(artifact.path))
      diagnostics.push(problem(artifact, "other files of the build go in a folder of that path"));
  }
  return diagnostics;
}

/** Every folder the files' paths go through (`a/b/c.json`: `a` and `a/b`). */
function foldersOf(files: Iterable<string>): Set<string> {
  return new Set(
    [...files].flatMap((file) =>
      file
        .split("/")
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
    ),
  );
}

/** Thrown by `stage` before it writes anything: diagnostics, as any other problem of the build. */
export class ArtifactPathError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`${diagnostics.length} file path(s) would leave the build`);
  }
}

/** Thrown by `commit` when the output folder may not be replaced (it changed since it was judged, say). */
export class OutFolderRefused extends Error {}

/** A build written beside `outDir`, not yet in its place: judge its files in `dir`, then commit or discard. */
export interface StagedBuild {
  dir: string;
  /** Syncs the staged files to disk; run it while the tools judge them, before `commit`. */
  flush(): Promise<void>;
  /** Replaces `outDir` with the staged files (see swap.ts): killed at any point, the next run restores a whole tree. */
  commit(): void;
  /**
   * The same, but the tree it replaces is removed without blocking, after `outDir` holds the new one: the promise
   * ends when it is gone (and a later swap of the same folder may start).
   */
  commitThenRetire(): Promise<void>;
  /** Removes the staged files; `outDir` stays as it was. */
  discard(): void;
}

export interface StageOptions {
  /** The project, to record the staging in, so that any later command recovers it if this run is killed. */
  recordIn?: string;
  /** What recovery says it did, when this commit finds a dead run's swap of the same folder. */
  note?: (text: string) => void;
}

/**
 * Writes the files to a sibling temporary folder of `outDir`, leaving `outDir` untouched. When `outDir` already
 * holds exactly these files, byte for byte, and nothing else, it is left as it is: committing changes nothing in it.
 */
export function stage(outDir: string, artifacts: Artifact[], options: StageOptions = {}): StagedBuild {
  const problems = artifactPathProblems(artifacts);
  if (problems.length) throw new ArtifactPathError(problems);
  return openStage(outDir, options).finish(artifacts);
}

/**
 * A staged folder written in parts, the files the tools judge first (they start while the rest is rendered), then
 * the rest. Until `finish`, it is no build: discard it, or finish it with every file of the build.
 */
export interface Staging {
  dir: string;
  /**
   * Writes these files now, their paths checked first (`ArtifactPathError`). Whatever it throws, the staged folder is
   * discarded.
   */
  write(artifacts: Artifact[]): void;
  /** Starts syncing the files written so far to disk, and their folders; the staged build's `flush` waits for it. */
  syncWritten(): void;
  /**
   * Writes the files of `artifacts`, the whole build, that are not written yet, once every path is checked against
   * the others; then it is the staged build. Whatever it throws, the staged folder is discarded.
   */
  finish(artifacts: Artifact[]): StagedBuild;
  /** Removes the staged files; `outDir` stays as it was. */
  discard(): void;
}

/** A staged folder beside `outDir`, empty; `outDir` is untouched. */
export function openStage(outDir: string, options: StageOptions = {}): Staging {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const release = options.recordIn ? recordPending(options.recordIn, { folder: parent }) : () => {};
  const staging = temporaryPath(parent, "staged", path.basename(target));
  const folders = new Set<string>([staging]);
  /** The content written at each path. */
  const written = new Map<string, string>();
  /** Whether every file staged so far is a link to `outDir`'s own file at its path, with the same bytes. */
  let allLinked = true;
  /** Each staged file's identity once it is on disk: synced, or linked to a file this process synced already. */
  const identities = new Map<string, string>();
  /** What is not synced yet: files written (or linked to a file not known to be synced), folders that got an entry. */
  let unsyncedFiles: string[] = [];
  const unsyncedFolders = new Set<string>([staging]);
  const syncs: Array<Promise<unknown>> = [];
  const discard = () => {
    try {
      rmSync(staging, { recursive: true, force: true });
      release();
    } catch {
      // Nothing was staged where nothing can be written; the error that matters is the caller's. What is
      // left, the next run removes.
    }
  };
  const write = (artifacts: Artifact[]) => {
    try {
      const problems = artifactPathProblems(artifacts);
      if (problems.length) throw new ArtifactPathError(problems);
      artifacts.forEach((artifact, index) => {
        const file = path.join(staging, artifact.path);
        const before = written.get(artifact.path);
        if (before !== undefined) {
          if (before === artifact.content) return;
          throw new Error(`${artifact.path} was staged with other content`);
        }
        if (!folders.has(path.dirname(file))) {
          mkdirSync(path.dirname(file), { recursive: true });
          for (let dir = path.dirname(file); !folders.has(dir); dir = path.dirname(dir)) {
            folders.add(dir);
            unsyncedFolders.add(dir).add(path.dirname(dir));
          }
        }
        const linked = linkUnchanged(path.join(target, artifact.path), artifact.content, file);
        if (linked === undefined) {
          writeFileSync(file, artifact.content, "utf8");
          allLinked = false;
        }
        if (linked !== undefined && synced.has(linked)) identities.set(file, linked);
        else unsyncedFiles.push(file);
        unsyncedFolders.add(path.dirname(file));
        written.set(artifact.path, artifact.content);
        if (index === Math.floor(artifacts.length / 2)) pausePoint("staging");
      });
    } catch (error) {
      discard();
      throw error;
    }
  };
  /** Starts syncing what is written and not synced yet; `flush` waits for it. */
  const syncWritten = () => {
    const files = unsyncedFiles;
    const dirs = [...unsyncedFolders];
    unsyncedFiles = [];
    unsyncedFolders.clear();
    const done = Promise.all([
      inBatches(files, async (file) => void identities.set(file, await syncFile(file))),
      inBatches(dirs, syncFolderEntries),
    ]);
    done.catch(() => {});
    syncs.push(done);
  };
  try {
    ensureFolder(parent);
    mkdirSync(staging);
  } catch (error) {
    discard();
    throw error;
  }
  const staged = (artifacts: Artifact[]): StagedBuild => {
    pausePoint("staged");
    const swap = () => {
      try {
        const refused = unreplaceable(target);
        if (refused) throw new OutFolderRefused(refused);
        return swapInPlace(staging, target, options.note);
      } catch (error) {
        // The record stays: should the swap have left a journal, the next run finds it from there.
        rmSync(staging, { recursive: true, force: true });
        throw error;
      }
    };
    return {
      dir: staging,
      discard,
      async flush() {
        syncWritten();
        await Promise.all(syncs);
        const flushed = artifacts.map((a) => identities.get(path.join(staging, a.path))!);
        // The build before stays in build/ if this one is not committed.
        synced = new Set([...lastFlushed, ...flushed]);
        lastFlushed = flushed;
      },
      commit() {
        swap().sync();
        release();
      },
      commitThenRetire() {
        const retirement = swap();
        return retirement.later().finally(release);
      },
    };
  };
  return {
    dir: staging,
    write,
    syncWritten,
    finish(artifacts) {
      // Every path against every other: a file written first and one written now may collide.
      const problems = artifactPathProblems(artifacts);
      if (problems.length) {
        discard();
        throw new ArtifactPathError(problems);
      }
      write(artifacts.filter((artifact) => !written.has(artifact.path)));
      // `outDir` holds the build already (every file linked from it, and nothing else in it): the staged links are for
      // the tools to judge, and committing only removes them.
      if (allLinked && holdsNothingElse(target, artifacts)) return alreadyBuilt(staging, discard);
      return staged(artifacts);
    },
    discard,
  };
}

/** The staged build of a folder that already holds it: nothing to sync or swap; committing it removes `staging`. */
function alreadyBuilt(staging: string, discard: () => void): StagedBuild {
  return {
    dir: staging,
    discard,
    async flush() {},
    commit: discard,
    commitThenRetire: async () => discard(),
  };
}

/**
 * Whether `target` holds the artifacts' paths and nothing else: no other file, no other folder (an empty one
 * included), nothing that is not a regular file or a folder. (Their bytes are known: each was linked from it.)
 */
function holdsNothingElse(target: string, artifacts: Artifact[]): boolean {
  const files = new Set(artifacts.map((artifact) => artifact.path));
  const folders = foldersOf(files);
  let found = 0;
  const holds = (dir: string, prefix: string): boolean => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (!folders.has(relative) || !holds(path.join(dir, entry.name), `${relative}/`)) return false;
      } else if (entry.isFile() && files.has(relative)) found++;
      else return false;
    }
    return true;
  };
  try {
    return holds(target, "") && found === files.size;
  } catch {
    return false;
  }
}

/**
 * The files of the last two builds this process flushed, by identity (`fileIdentity`). Nothing writes into a built file
 * (each build makes new ones), so a file of that build linked into the next one unchanged is on disk already: the
 * next flush syncs the folder that holds the new link, not the file again. A file that a build of another process
 * or anything else left is synced as before: its identity is not here.
 */
let synced = new Set<string>();
let lastFlushed: string[] = [];

/** A file's device, inode, size and modification time (ns): a file written since, or a new file, has another. */
function fileIdentity(stat: BigIntStats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
}

/**
 * A file the build it replaces holds with the very same bytes is linked into the staged folder rather than written
 * again: an unchanged build writes no file data (a hard link shares the file, and nothing writes into a built file:
 * each build makes new ones). Only a regular file is linked; anything else, or a link that fails (another file
 * system), is written. Returns the linked file's identity, or undefined when it was not linked.
 */
function linkUnchanged(previous: string, content: string, file: string): string | undefined {
  try {
    const stat = lstatSync(previous, { bigint: true });
    if (!stat.isFile() || stat.size !== BigInt(Buffer.byteLength(content, "utf8"))) return undefined;
    if (!readFileSync(previous).equals(Buffer.from(content, "utf8"))) return undefined;
    linkSync(previous, file);
    return fileIdentity(stat);
  } catch {
    return undefined;
  }
}

/** fsync of a file; its identity once synced. */
async function syncFile(file: string): Promise<string> {
  const handle = await open(file, "r");
  try {
    await handle.sync();
    return fileIdentity(await handle.stat({ bigint: true }));
  } finally {
    await handle.close();
  }
}

/** fsync of a folder's entries. */
async function syncFolderEntries(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `work` over every item, 16 at a time: file handles are limited. */
async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(16, items.length) }, worker));
}

/** Replaces exactly these files into `outDir` (stage, then commit), without syncing them to disk: for tests and benchmarks. */
export function emit(outDir: string, artifacts: Artifact[]): void {
  stage(outDir, artifacts).commit();
}

/** Replaces `file` with `content` in one rename: killed, it is the old file or the new one, never a part. */
export function replaceFile(file: string, content: string): void {
  const temporary = temporaryPath(path.dirname(file), "file", path.basename(file));
  try {
    const fd = openSync(temporary, "wx");
    try {
      writeFileSync(fd, content, "utf8");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
