/**
 * What promtool, amtool and vmalert accepted before, so that a build whose files they read are byte for byte
 * the same does not start them again (each is a Go process: some 50-150 ms, on every build). An acceptance is
 * remembered under a hash of all its verdict depends on: the tool's executable (real path, size, modification
 * time), its arguments, the path and content of every file of the build it may read (its folder of build/), and
 * the state (kind, size, modification time) of every absolute path those files name, as a TLS or password file
 * is checked for by promtool. Files that name a relative path climbing out of build/ (more `../` than they are deep)
 * are never remembered: the tool would read beside the build. Only acceptances are remembered: a rejection always
 * comes from running the tool.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { Artifact } from "../../render/artifact.ts";
import { projectRoot } from "../../source.ts";
import type { ExternalTool } from "./tool.ts";

/** Bump when what an entry vouches for changes, or how its key is made. */
const cacheVersion = "o11y tool verdicts 2";

export const defaultVerdictCache = path.join(projectRoot, "node_modules", ".cache", "o11y-tools");

/** Entries kept; the oldest go first (each is an empty file). */
const keep = 400;

/** An executable as a cache key: its real path, size and modification time (a new version changes them). */
export function executableIdentity(file: string): string | undefined {
  try {
    const real = realpathSync(file);
    const stat = statSync(real);
    return `${real}\u0000${stat.size}\u0000${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

const digests = new WeakMap<Artifact, string>();

/**
 * The sha256 of a file's content, once per file of a build: every tool's key, and every promtool test file's, hashes
 * the rule files it reads (fifteen test files read the same two dozen rule files).
 */
export function contentDigest(artifact: Artifact): string {
  let digest = digests.get(artifact);
  if (digest === undefined) {
    digest = createHash("sha256").update(artifact.content).digest("hex");
    digests.set(artifact, digest);
  }
  return digest;
}

/** The folder of build/ a tool is pointed at (`prometheus/`). */
export function toolFolder(tool: ExternalTool): string {
  return tool.entry.endsWith("/") ? tool.entry : `${path.posix.dirname(tool.entry)}/`;
}

/** The files of the build a tool may read: everything in the folder of build/ it is pointed at. */
export function toolInputs(tool: ExternalTool, artifacts: Artifact[]): Artifact[] {
  const folder = toolFolder(tool);
  return artifacts
    .filter((a) => a.path.startsWith(folder))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Absolute paths as YAML may write them: after a space, a quote, `[`, `,` or at a line's start. */
const absolutePath = /(?:^|[\s"'[,])(\/[^\s"',\]}]*)/gm;

/** The state of a path outside the build: what exists there, not its content (the tools check existence). */
function pathState(file: string): string {
  try {
    const stat = lstatSync(file);
    const kind = stat.isDirectory()
      ? "dir"
      : stat.isSymbolicLink()
        ? "link"
        : stat.isFile()
          ? "file"
          : "other";
    return `${kind}\u0000${stat.size}\u0000${stat.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/** Relative paths as YAML may write them, from their first `../`. */
const climbing = /(?:^|[\s"'[,=:])((?:\.\.\/)+)/gm;

/**
 * Whether a file names a relative path that climbs above the `level`-th folder of build/ on its path: more `../` than
 * folders between it and that one. Level 0, the build itself: the path leaves the build.
 */
export function climbsAbove(input: Artifact, level: number): boolean {
  const depth = input.path.split("/").length - 1;
  for (const match of input.content.matchAll(climbing)) if (match[1]!.length / 3 > depth - level) return true;
  return false;
}

/**
 * The key of a tool's acceptance of these inputs; undefined when it may not be remembered (the executable cannot be
 * identified, or a file names a relative path that climbs out of the build).
 */
export function verdictKey(
  tool: ExternalTool,
  executable: string,
  args: string[],
  inputs: Artifact[],
): string | undefined {
  const identity = executableIdentity(executable);
  if (identity === undefined) return undefined;
  const hash = createHash("sha256");
  const add = (part: string) => hash.update(`${Buffer.byteLength(part)}\u0000`).update(part);
  [cacheVersion, tool.id, identity, ...args].forEach(add);
  const named = new Set<string>();
  for (const input of inputs) {
    if (climbsAbove(input, 0)) return undefined;
    add(input.path);
    add(contentDigest(input));
    for (const match of input.content.matchAll(absolutePath)) named.add(match[1]!);
  }
  for (const file of [...named].sort()) {
    add(file);
    add(pathState(file));
  }
  return hash.digest("hex");
}

/** Whether the tool accepted exactly this before. */
export function acceptedBefore(cacheDir: string | undefined, key: string | undefined): boolean {
  return cacheDir !== undefined && key !== undefined && existsSync(path.join(cacheDir, key));
}

/** Remembers an acceptance; a cache that cannot be written (a read-only checkout) only means running the tool again. */
export function rememberAcceptance(cacheDir: string | undefined, key: string | undefined): void {
  if (cacheDir === undefined || key === undefined) return;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, key), "");
    const entries = readdirSync(cacheDir);
    if (entries.length <= keep) return;
    const byAge = entries
      .map((name) => {
        try {
          return { name, mtime: statSync(path.join(cacheDir, name)).mtimeMs };
        } catch {
          return { name, mtime: 0 };
        }
      })
      .sort((a, b) => a.mtime - b.mtime);
    for (const { name } of byAge.slice(0, entries.length - keep)) unlinkSync(path.join(cacheDir, name));
  } catch {
    // Nothing to do: the next build runs the tool again.
  }
}
