/**
 * Which folders a build may replace. A build replaces its output folder whole, so `--out` must name a folder
 * that holds nothing but a previous build: a new or empty folder, or one whose files are all listed in the
 * `manifest.json` that o11y wrote there. Never the project, a folder above it, or its sources.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

export const manifestPath = "manifest.json";

/** The files a build's manifest lists, when `dir` holds a manifest o11y wrote; else undefined. */
export function readManifest(dir: string): Set<string> | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, manifestPath), "utf8")) as {
      generatedBy?: unknown;
      files?: Array<{ path?: unknown }>;
    };
    if (manifest.generatedBy !== "o11y" || !Array.isArray(manifest.files)) return undefined;
    return new Set(manifest.files.map((file) => String(file?.path)));
  } catch {
    return undefined;
  }
}

/** Files (anything but a folder) under `dir`, as paths relative to it with `/`. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** Whether anything but folders is under `dir`; stops at the first (a home folder passed by mistake is not read whole). */
function holdsAFile(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some(
    (entry) => !entry.isDirectory() || holdsAFile(path.join(dir, entry.name)),
  );
}

const sayFiles = (files: string[]) =>
  `${files.slice(0, 3).join(", ")}${files.length > 3 ? ` and ${files.length - 3} more` : ""}`;

/**
 * Why a build may not replace the folder `target` (absolute) with a new tree, judged from the folder alone; or
 * undefined when it may: absent, empty, or a previous build with nothing in it that the build did not write.
 */
export function unreplaceable(target: string, shown = target): string | undefined {
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) {
    let to = "";
    try {
      to = ` to ${readlinkSync(target)}`;
    } catch {
      // Said without where it points.
    }
    return `${shown} is a symbolic link${to}: a build replaces the folder it is given, and would replace the link, not what it points to; pass the folder itself`;
  }
  if (!stat.isDirectory())
    return `${shown} is a file, not a folder: pass a new or empty folder, or a previous build`;
  const listed = readManifest(target);
  if (!listed) {
    if (!holdsAFile(target)) return undefined;
    return `${shown} is not empty and is not a previous build (it has no manifest.json written by o11y), and a build replaces the whole folder: pass a new or empty folder`;
  }
  const foreign = filesUnder(target).filter((file) => file !== manifestPath && !listed.has(file));
  if (foreign.length > 0)
    return `${shown} holds ${foreign.length === 1 ? "a file" : `${foreign.length} files`} that no build wrote (${sayFiles(foreign)}), and a build replaces the whole folder: move ${foreign.length === 1 ? "it" : "them"} out, or pass another folder`;
  return undefined;
}

/** The real path of `file`, resolving the folders above it that exist (the rest is appended as it is). */
function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    const parent = path.dirname(file);
    return parent === file ? file : path.join(realPath(parent), path.basename(file));
  }
}

const within = (folder: string, file: string) =>
  file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);

/**
 * Why `--out <out>` may not be built into, in one sentence, or undefined. `root` is the project's folder,
 * `sources` the folders its definitions are read from (absolute).
 */
export function refuseOutFolder(out: string, root: string, sources: string[]): string | undefined {
  const target = path.resolve(root, out);
  const said = `--out ${out}`;
  const real = realPath(target);
  const project = realPath(root);
  const relative = (folder: string) => `${path.relative(project, folder) || "."}/`;
  if (within(real, project)) {
    const what =
      real === project ? "the project's own folder" : `a folder that holds the project (${project})`;
    return `${said} is ${what}, and a build replaces its whole output folder: pass a folder of its own, such as build`;
  }
  // A source folder that holds the project is the project's own, judged above; it does not make the project all source.
  for (const source of sources.map(realPath).filter((folder) => !within(folder, project))) {
    if (within(real, source))
      return `${said} holds the project's sources (${relative(source)}), and a build replaces its whole output folder: pass a folder of its own, such as build`;
    if (within(source, real))
      return `${said} is inside the project's sources (${relative(source)}): pass a folder outside them, such as build`;
  }
  const problem = unreplaceable(target, said);
  if (problem) return problem;
  for (let folder = path.dirname(real); ; folder = path.dirname(folder)) {
    if (readManifest(folder))
      return `${said} is inside ${folder}, a build that the next build there replaces whole: pass a folder outside it`;
    if (folder === path.dirname(folder)) return undefined;
  }
}
