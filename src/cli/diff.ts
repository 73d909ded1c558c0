/**
 * `o11y diff`: the base revision's build/ against the working tree's, for a pull request's reviewer.
 * The base's committed build/ is used when its manifest vouches for it; otherwise the base is built in a
 * temporary git worktree that is always removed. Nothing in the working tree is written.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { diffArtifacts, flagIds } from "../engine/diff/diff.ts";
import { renderGithub, renderJson, renderMarkdown } from "../engine/diff/render.ts";
import { renderText } from "../engine/diff/text.ts";
import type { OutputFormat } from "./format.ts";
import { ArtifactError, type ArtifactFile } from "../engine/diff/snapshot.ts";
import { formatDiagnostic } from "../engine/diagnostics.ts";
import { manifestPath, sha256 } from "../engine/emit/emit.ts";
import type { Model } from "../engine/model.ts";
import { isAlive, ownerOf, ownerPattern } from "../engine/emit/owner.ts";
import { temporaryFolderPrefix } from "../engine/emit/pending.ts";
import { compile } from "../engine/pipeline.ts";
import type { SourceLocation } from "../engine/source.ts";
import { projectRoot } from "../engine/source.ts";
import { loadProject } from "./load-project.ts";
import { redactSecrets, redactStrings } from "../engine/secrets.ts";
import { terminalLines } from "../engine/escape.ts";
import { beforeAndAfter } from "../engine/preview/pictures.ts";
import { PreviewError } from "../engine/preview/preview.ts";
import { ChromiumMissing, chromiumPath, startBrowser } from "../engine/preview/screenshot.ts";

export interface DiffCommandOptions {
  base?: string;
  format: OutputFormat;
  failOn?: string;
  project: string;
  /** Folder for a before and an after picture of each changed dashboard. */
  pictures?: string;
  /** Where readers find the pictures, when not beside the report (a CI run's page). */
  picturesUrl?: string;
}

/** A problem with the input: said in one line, exit 2. */
class DiffError extends Error {}

interface Repo {
  /** The repository's top folder, where git runs. */
  top: string;
  /** The project's folder inside the repository (`""` or `sub/`). */
  prefix: string;
}

function git(repo: Pick<Repo, "top">, args: string[], input?: string) {
  const result = spawnSync("git", args, { cwd: repo.top, input, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new DiffError(`git could not run: ${result.error.message}`);
  return {
    ok: result.status === 0,
    stdout: result.stdout,
    text: result.stdout.toString("utf8").trim(),
    stderr: result.stderr.toString("utf8").trim(),
  };
}

function openRepo(): Repo {
  const top = git({ top: projectRoot }, ["rev-parse", "--show-toplevel"]);
  if (!top.ok)
    throw new DiffError(`${projectRoot} is not in a git repository: o11y diff compares git revisions`);
  return { top: top.text, prefix: git({ top: projectRoot }, ["rev-parse", "--show-prefix"]).text };
}

/** The commit to compare with: `--base`, else the merge base with origin/main or main, else HEAD~1. */
function resolveBase(repo: Repo, ref: string | undefined): { commit: string; label: string } {
  const commitOf = (r: string) => {
    const result = git(repo, ["rev-parse", "--verify", "--quiet", `${r}^{commit}`]);
    return result.ok ? result.text : undefined;
  };
  const short = (commit: string) => commit.slice(0, 12);
  const shallow = git(repo, ["rev-parse", "--is-shallow-repository"]).text === "true";
  const missing = (what: string) =>
    shallow
      ? `${what} is not in this clone, which is shallow: fetch the history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)`
      : `${what} is not a known git revision: name a branch, tag or commit (git branch -a lists them)`;
  if (ref !== undefined) {
    if (ref.startsWith("-")) throw new DiffError(`--base ${ref}: not a git revision`);
    const commit = commitOf(ref);
    if (!commit) throw new DiffError(missing(ref));
    return { commit, label: commit.startsWith(ref) ? short(commit) : `${ref} (${short(commit)})` };
  }
  for (const branch of ["origin/main", "main"]) {
    if (!commitOf(branch)) continue;
    const base = git(repo, ["merge-base", "HEAD", branch]);
    if (!base.ok) throw new DiffError(missing(`the merge base of HEAD and ${branch}`));
    return { commit: base.text, label: `the merge base with ${branch} (${short(base.text)})` };
  }
  const parent = commitOf("HEAD~1");
  if (!parent)
    throw new DiffError(
      shallow
        ? missing("HEAD~1")
        : "nothing to compare with: no origin/main, no main, and HEAD has no parent; pass --base <ref>",
    );
  return { commit: parent, label: `HEAD~1 (${short(parent)})` };
}

/** Blobs by id, through one `git cat-file --batch`. */
function readBlobs(repo: Repo, ids: string[]): string[] {
  const out = git(repo, ["cat-file", "--batch"], ids.map((id) => `${id}\n`).join("")).stdout;
  const blobs: string[] = [];
  let at = 0;
  for (const id of ids) {
    const headerEnd = out.indexOf(10, at);
    const [, type, size] = out.subarray(at, headerEnd).toString("utf8").split(" ");
    if (type !== "blob") throw new DiffError(`git could not read object ${id}`);
    blobs.push(out.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString("utf8"));
    at = headerEnd + 1 + Number(size) + 1;
  }
  return blobs;
}

/** The base's committed build/, when its manifest lists exactly its files with their sha256; else why not. */
function committedBuild(repo: Repo, commit: string): { files: ArtifactFile[] } | { stale: string } {
  const dir = `${repo.prefix}build/`;
  const listing = git(repo, ["ls-tree", "-r", "-z", commit, "--", dir]);
  const entries = listing.text
    .split("\0")
    .filter(Boolean)
    .map((line) => ({
      id: line.split(/\s/)[2]!,
      type: line.split(/\s/)[1],
      path: line.slice(line.indexOf("\t") + 1).slice(dir.length),
    }))
    .filter((e) => e.type === "blob");
  if (!entries.some((e) => e.path === manifestPath))
    return { stale: entries.length ? "has no build/manifest.json" : "has no committed build/" };
  const contents = readBlobs(
    repo,
    entries.map((e) => e.id),
  );
  const files = entries.map((e, i) => ({ path: e.path, content: contents[i]! }));
  let manifest: { files?: Array<{ path: string; sha256: string }> };
  try {
    manifest = JSON.parse(files.find((f) => f.path === manifestPath)!.content);
  } catch {
    return { stale: "has a build/manifest.json that is not valid JSON" };
  }
  const listed = new Map((manifest.files ?? []).map((f) => [f.path, f.sha256]));
  const fresh =
    listed.size === files.length - 1 &&
    files.every((f) => f.path === manifestPath || listed.get(f.path) === sha256(f.content));
  return fresh ? { files } : { stale: "has a build/ that its manifest.json does not match" };
}

function readTree(root: string, dir = root): ArtifactFile[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory()
        ? readTree(root, full)
        : [
            {
              path: path.relative(root, full).split(path.sep).join("/"),
              content: readFileSync(full, "utf8"),
            },
          ];
    });
}

/** `<tmp>/o11y-diff-<pid>-<start>-<random>-XXXXXX/worktree`: the folder names the diff that made it. */
const ownedWorktree = new RegExp(String.raw`^o11y-diff-${ownerPattern}-`);
/** What diffs made before the folder named its run: `<tmp>/o11y-diff-XXXXXX/worktree`. */
const legacyWorktree = /^o11y-diff-[A-Za-z0-9]{6}$/;

/** Whether a diff's temporary folder was left by a run that is over: its owner is dead (or, unnamed, it is an hour old). */
function abandoned(folder: string): boolean {
  const name = path.basename(folder);
  const owned = ownedWorktree.exec(name);
  if (owned) return !isAlive(ownerOf(owned[1]!, owned[2]!));
  if (!legacyWorktree.test(name)) return false;
  try {
    return Date.now() - statSync(folder).mtimeMs > 3_600_000;
  } catch {
    return true;
  }
}

/**
 * Removes what killed diffs left: their worktrees of this repository (git prunes only those whose folder is
 * gone), and their temporary folders here.
 */
function removeAbandonedWorktrees(repo: Repo): void {
  const listed = git(repo, ["worktree", "list", "--porcelain"]).text.split("\n");
  const trees = listed.flatMap((line) =>
    line.startsWith("worktree ") ? [line.slice("worktree ".length)] : [],
  );
  let removed = false;
  for (const tree of trees) {
    if (path.basename(tree) !== "worktree" || !abandoned(path.dirname(tree))) continue;
    git(repo, ["worktree", "remove", "--force", "--force", tree]);
    try {
      rmSync(path.dirname(tree), { recursive: true, force: true });
    } catch {
      // Left to git: the worktree is gone from its list.
    }
    removed = true;
  }
  // Those of other repositories too: there, git prunes a worktree whose folder is gone.
  try {
    for (const name of readdirSync(tmpdir())) {
      const folder = path.join(tmpdir(), name);
      if (ownedWorktree.test(name) && abandoned(folder)) rmSync(folder, { recursive: true, force: true });
    }
  } catch {
    // Another user's, say: not ours to remove.
  }
  if (removed) git(repo, ["worktree", "prune"]);
}

/** Runs the base's own `o11y build` in a temporary worktree; the worktree is removed whatever happens. */
async function buildInWorktree(
  repo: Repo,
  base: { commit: string; label: string },
  why: string,
): Promise<ArtifactFile[]> {
  const temp = mkdtempSync(path.join(tmpdir(), temporaryFolderPrefix("diff")));
  const tree = path.join(temp, "worktree");
  const root = path.join(tree, repo.prefix);
  const modules = path.join(root, "node_modules");
  let linked = false;
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => (interrupted = signal);
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  try {
    // No hooks: a post-checkout hook has no business in a throwaway checkout.
    const added = git(repo, [
      "-c",
      "core.hooksPath=/dev/null",
      "worktree",
      "add",
      "--detach",
      tree,
      base.commit,
    ]);
    if (!added.ok)
      throw new DiffError(`could not check out ${base.label} into a temporary worktree: ${added.stderr}`);
    if (!existsSync(path.join(root, "bin/o11y.js")))
      throw new DiffError(`${base.label} ${why}, and has no bin/o11y.js to build it with`);
    // `npm ci` would take a minute: the base runs on this checkout's dependencies.
    if (!existsSync(modules)) {
      symlinkSync(path.join(projectRoot, "node_modules"), modules, "dir");
      linked = true;
    }
    const out = path.join(temp, "build");
    const child = spawn(process.execPath, ["bin/o11y.js", "build", "--out", out], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const stop = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", stop).on("SIGTERM", stop);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const status = await new Promise<number | null>((resolve) =>
      child.on("close", resolve).on("error", () => resolve(null)),
    );
    process.off("SIGINT", stop).off("SIGTERM", stop);
    if (interrupted) throw new DiffError(`interrupted (${interrupted}) while building ${base.label}`);
    if (status !== 0) {
      const tail = stderr.trim().split("\n").slice(-12).join("\n");
      throw new DiffError(`${base.label} ${why}, and it does not build (exit ${status}):\n${tail}`);
    }
    return readTree(out);
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    if (linked) unlinkSync(modules);
    git(repo, ["worktree", "remove", "--force", tree]);
    rmSync(temp, { recursive: true, force: true });
    git(repo, ["worktree", "prune"]);
  }
}

function parseFailOn(list: string | undefined): Set<string> {
  const ids = new Set(
    (list ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const unknown = [...ids].filter((id) => id !== "any" && !(flagIds as readonly string[]).includes(id));
  if (unknown.length)
    throw new DiffError(
      `--fail-on: unknown flag ${unknown.join(", ")}; use any, or some of: ${flagIds.join(", ")}`,
    );
  return ids;
}

/** Where the head defines what a flag names, for annotations on the pull request's files. */
function definitionSources(model: Model): Map<string, SourceLocation> {
  const sources = new Map<string, SourceLocation>();
  for (const alert of model.alerts) sources.set(`alert ${alert.name}`, alert.source);
  for (const dashboard of model.dashboards) {
    sources.set(`dashboard ${dashboard.uid}`, dashboard.source);
    for (const panel of dashboard.panels)
      sources.set(`dashboard ${dashboard.uid} › panel ${panel.id} "${panel.title}"`, panel.source);
  }
  return sources;
}

export async function diffCommand(options: DiffCommandOptions): Promise<number> {
  try {
    const failOn = parseFailOn(options.failOn);
    if (options.picturesUrl !== undefined && options.pictures === undefined)
      throw new DiffError("--pictures-url says where the pictures are: it needs --pictures <dir>");
    // Before any work: a missing browser is said at once.
    const chromium = options.pictures === undefined ? undefined : chromiumPath();
    const repo = openRepo();
    removeAbandonedWorktrees(repo);
    const base = resolveBase(repo, options.base);
    const head = compile(await loadProject(options.project));
    if (!head.ok) {
      const errors = head.diagnostics.filter((d) => d.severity === "error" && d.suppressed === undefined);
      const shown = errors.slice(0, 5).map(formatDiagnostic).join("\n");
      const more = errors.length > 5 ? `\n... and ${errors.length - 5} more` : "";
      throw new DiffError(
        `the working tree does not build (${errors.length} error(s)): run \`node bin/o11y.js check\`\n${shown}${more}`,
      );
    }
    const committed = committedBuild(repo, base.commit);
    const baseFiles =
      "files" in committed ? committed.files : await buildInWorktree(repo, base, committed.stale);
    // Neither side may print a credential, not even a base built before the build refused them.
    const report = redactStrings(
      diffArtifacts(baseFiles, head.artifacts, {
        base: base.label,
        head: "the working tree",
        model: head.model,
      }),
    );
    if (chromium !== undefined && options.pictures !== undefined && report.dashboards.length) {
      const browser = await startBrowser(chromium);
      try {
        const dashboards = await beforeAndAfter(
          report.dashboards.map((d) => ({ uid: d.key, previousUid: d.previousKey, status: d.status })),
          baseFiles,
          head.artifacts,
          path.resolve(options.pictures),
          browser,
        );
        const link = options.picturesUrl === undefined ? {} : { link: options.picturesUrl };
        report.pictures = redactStrings({ folder: options.pictures, ...link, dashboards });
      } finally {
        await browser.close();
      }
    }
    const output = {
      json: renderJson,
      markdown: renderMarkdown,
      text: renderText,
      github: (r: typeof report) => renderGithub(r, definitionSources(head.model)),
    }[options.format];
    process.stdout.write(output(report));
    const failing = report.attention.filter((f) => failOn.has("any") || failOn.has(f.id));
    if (!failing.length) return 0;
    process.stderr.write(
      `o11y diff: ${failing.length} flag(s) named by --fail-on: ${[...new Set(failing.map((f) => f.id))].join(", ")}\n`,
    );
    return 1;
  } catch (error) {
    if (!(
      error instanceof DiffError ||
      error instanceof ArtifactError ||
      error instanceof ChromiumMissing ||
      error instanceof PreviewError
    ))
      throw error;
    process.stderr.write(`o11y diff: ${terminalLines(redactSecrets(error.message)).join("\n")}\n`);
    return 2;
  }
}
