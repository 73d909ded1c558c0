/**
 * Tools started before the build that needs them, in a process that builds again and again (the watch).
 *
 * promtool spends ~70 ms starting (Go's runtime, its packages' initialisation) before it reads a file: more than
 * the rest of a run that checks a config or runs a group's tests. A standby is the same tool with the same
 * arguments, started once the previous build is done, in a folder of its own where the file it judges first (its
 * entry: `prometheus.yml`, `scrape.test.yaml`) is a named pipe. It starts, opens that pipe, and waits.
 *
 * When the next build runs that tool, the standby's folder takes the shape of the staged folder (a symbolic link for
 * every entry beside the path to the pipe: what it reads through relative paths is the staged build's), and the
 * build writes the staged entry's bytes into the pipe. So it is the same program, over the same bytes, with the same
 * arguments and relative paths, and its verdict and output are a run's in the staged folder. A standby that cannot
 * serve (it ended, its executable changed, the pipe cannot be written) is killed, and the tool runs as usual.
 *
 * Off unless a long-lived process turns it on (`enableStandbys`): `o11y build` runs each tool once.
 */
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { recordPending, temporaryFolderPrefix } from "../../emit/pending.ts";
import { awaitTool, launchTool, runTool, type LaunchedTool, type ToolRun } from "./tool.ts";
import { executableIdentity } from "./verdict-cache.ts";

/** A tool run a standby can stand in for: `file args...` in `relativeDir` of the staged folder, reading `entry` there. */
interface StandbyRun {
  file: string;
  args: string[];
  relativeDir: string;
  entry: string;
}

/** The staged folder's entries along the way to a run's entry, level by level (the way and the entry left out). */
type Layout = string[][];

interface Standby {
  run: StandbyRun;
  tool: LaunchedTool;
  /** Its own folder: `tree/<relativeDir>/<entry>` is the pipe, `staged` the link to the staged folder. */
  folder: string;
  /** The links made in `tree`, to `staged`'s entries. */
  layout: Layout;
  /** The executable it started (`executableIdentity`): a new version installed since must judge instead. */
  identity: string | undefined;
}

/** A standby's folder and links, before its tool starts. */
type Linked = Pick<Standby, "run" | "folder" | "layout">;

interface Standbys {
  /** Where their folders are made: in memory when the system has a tmpfs (see `enableStandbys`). */
  dir: string;
  release: () => void;
  /** Waiting, by run. */
  waiting: Map<string, Standby>;
  /** The last runs the builds made, most recent last, each with the layout it had: `refillStandbys` starts these. */
  wanted: Map<string, { run: StandbyRun; layout: Layout }>;
  /** Being made, by run: a refill does not start a second. */
  starting: Set<string>;
}

/** How long a standby may take to open its pipe, or to read it, and `mkfifo` to make it. */
const patienceMs = 10_000;

/** At most this many wait at once (an idle promtool holds ~35 MB): the config checks and a few groups' tests. */
export const maxStandbys = 4;

const key = (run: StandbyRun) => JSON.stringify([run.file, run.args, run.relativeDir]);

// Shared by every copy of this module in the process (the watch loads the engine's modules twice).
const standbysKey = Symbol.for("o11y.toolStandbys");

function standbys(): Standbys | undefined {
  return (globalThis as { [standbysKey]?: Standbys })[standbysKey];
}

/**
 * Tools run through standbys from now on. Their folders hold only links and pipes, made while a build syncs its files
 * to disk: in /dev/shm when it can be written (links on the disk's file system wait for its journal), else in the
 * system's temporary folder. A process killed before `disableStandbys` leaves the folder to the next o11y command in
 * `root` (recordPending).
 */
export function enableStandbys(root: string): void {
  const shared = globalThis as { [standbysKey]?: Standbys };
  if (shared[standbysKey]) return;
  const prefix = temporaryFolderPrefix("standby");
  let dir: string;
  try {
    dir = mkdtempSync(path.join("/dev/shm", prefix));
  } catch {
    try {
      dir = mkdtempSync(path.join(tmpdir(), prefix));
    } catch {
      return;
    }
  }
  const release = recordPending(root, { temporary: dir });
  shared[standbysKey] = { dir, release, waiting: new Map(), wanted: new Map(), starting: new Set() };
}

/** No more standbys: those waiting are killed, and their folder goes once they have ended. */
export async function disableStandbys(): Promise<void> {
  const shared = globalThis as { [standbysKey]?: Standbys };
  const state = shared[standbysKey];
  if (!state) return;
  delete shared[standbysKey];
  await Promise.all([...state.waiting.values()].map(discard));
  rmSync(state.dir, { recursive: true, force: true });
  state.release();
}

async function discard(standby: Standby): Promise<void> {
  standby.tool.fail("not needed");
  await standby.tool.done;
  rmSync(standby.folder, { recursive: true, force: true });
}

/** The runs standbys wait for now, each as `file args...` in its folder. */
export function waitingStandbys(): string[] {
  return [...(standbys()?.waiting.values() ?? [])].map(
    ({ run }) => `${[run.file, ...run.args].join(" ")} in ${run.relativeDir}`,
  );
}

/**
 * Runs `file` with `args` in `relativeDir` of `stagedDir`, as `runTool` does; through the standby that waits for
 * this run when there is one and `mayStandIn` (the caller knows the tool reads its entry once, and that nothing it
 * reads lies outside the staged folder). `entry` is the argument that names the file it reads first, in that folder.
 * Synchronous until the standby has its bytes: a caller that does not yield next (a build that goes on checking)
 * does not hold it up.
 */
export async function runStaged(
  file: string,
  args: string[],
  stagedDir: string,
  relativeDir: string,
  entry: string,
  mayStandIn: boolean,
  signal?: AbortSignal,
): Promise<ToolRun> {
  // Absolute: the link to it is read from the standby's folder.
  const staged = path.resolve(stagedDir);
  const cwd = path.join(staged, relativeDir);
  const state = standbys();
  if (!state || !mayStandIn || signal?.aborted || entry !== path.basename(entry) || !args.includes(entry))
    return runTool(file, args, cwd, undefined, signal);
  const run: StandbyRun = { file, args, relativeDir, entry };
  const id = key(run);
  const standby = state.waiting.get(id);
  state.waiting.delete(id);
  try {
    const layout = layoutOf(staged, run);
    state.wanted.delete(id);
    state.wanted.set(id, { run, layout });
    if (!standby || standby.tool.ended || standby.identity !== executableIdentity(file))
      throw new Error("no standby that can serve");
    link(standby, layout);
    const linked = path.join(standby.folder, "staged");
    symlinkSync(staged, linked);
    // Every link of the tree leads through this one: one that led elsewhere would show the tool other files, or none.
    if (!sameFile(linked, staged)) throw new Error("the standby's link does not lead to the staged folder");
    const bytes = readFileSync(path.join(cwd, entry));
    await feed(pipeOf(standby.folder, run), path.join(standby.folder, "entry"), bytes, standby.tool, signal);
  } catch {
    // None, or it cannot read these bytes: the tool judges them as usual.
    if (standby) void discard(standby);
    return runTool(file, args, cwd, undefined, signal);
  }
  const verdict = await awaitTool(standby.tool, undefined, signal);
  rmSync(standby.folder, { recursive: true, force: true });
  return { ...verdict, standby: true };
}

function sameFile(a: string, b: string): boolean {
  const [x, y] = [statSync(a), statSync(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

const pipeOf = (folder: string, run: StandbyRun) => path.join(folder, "tree", run.relativeDir, run.entry);

/** The levels of `relativeDir`: "" for the staged folder itself, then each folder down to the entry's. */
function levelsOf(run: StandbyRun): string[] {
  const parts = run.relativeDir === "" || run.relativeDir === "." ? [] : run.relativeDir.split(path.sep);
  return Array.from({ length: parts.length + 1 }, (_, depth) => parts.slice(0, depth).join(path.sep));
}

function layoutOf(stagedDir: string, run: StandbyRun): Layout {
  const levels = levelsOf(run);
  return levels.map((level, depth) => {
    const own = depth + 1 < levels.length ? path.basename(levels[depth + 1]!) : run.entry;
    return readdirSync(path.join(stagedDir, level))
      .filter((name) => name !== own)
      .sort();
  });
}

/**
 * The standby's tree takes `layout`: at each level, a link to the staged entry of each name (through the folder's
 * `staged` link, made once the staged folder is known). Links it made for another layout go.
 */
function link(standby: Linked, layout: Layout): void {
  const levels = levelsOf(standby.run);
  levels.forEach((level, depth) => {
    const here = path.join(standby.folder, "tree", level);
    const had = new Set(standby.layout[depth] ?? []);
    const wanted = new Set(layout[depth]);
    for (const name of had) if (!wanted.has(name)) unlinkSync(path.join(here, name));
    for (const name of wanted)
      if (!had.has(name))
        symlinkSync(
          path.relative(here, path.join(standby.folder, "staged", level, name)),
          path.join(here, name),
        );
  });
  standby.layout = layout;
}

/**
 * After a build: a standby for each of the last few runs the builds made, unless one waits already. Call it once
 * the build's tools are done: a starting tool takes a core. Resolves once those it starts wait (or could not start).
 */
export async function refillStandbys(): Promise<void> {
  const state = standbys();
  if (!state) return;
  const started: Array<Promise<void>> = [];
  for (const id of [...state.wanted.keys()].slice(0, -maxStandbys)) state.wanted.delete(id);
  for (const [id, standby] of state.waiting)
    if (!state.wanted.has(id)) {
      state.waiting.delete(id);
      void discard(standby);
    }
  for (const [id, { run, layout }] of state.wanted) {
    if (state.waiting.has(id) || state.starting.has(id)) continue;
    state.starting.add(id);
    started.push(
      start(state.dir, run, layout).then((standby) => {
        state.starting.delete(id);
        if (!standby) return;
        // Turned off meanwhile, or no longer among the last few: not needed.
        if (standbys() !== state || !state.wanted.has(id)) void discard(standby);
        else state.waiting.set(id, standby);
      }),
    );
  }
  await Promise.all(started);
}

/**
 * A standby for `run`: its folder, the links of `layout`, its pipe (made by `mkfifo`: Node cannot), and the tool
 * started on it; undefined if it cannot be.
 */
async function start(dir: string, run: StandbyRun, layout: Layout): Promise<Standby | undefined> {
  let standby: Linked;
  try {
    const folder = mkdtempSync(path.join(dir, "run-"));
    mkdirSync(path.join(folder, "tree", run.relativeDir), { recursive: true });
    standby = { run, folder, layout: [] };
    link(standby, layout);
  } catch {
    return undefined;
  }
  const pipe = pipeOf(standby.folder, run);
  const made = await awaitTool(launchTool("mkfifo", ["--", pipe], standby.folder), patienceMs);
  if (made.code !== 0 || made.error) {
    rmSync(standby.folder, { recursive: true, force: true });
    return undefined;
  }
  const identity = executableIdentity(run.file);
  return { ...standby, identity, tool: launchTool(run.file, run.args, path.dirname(pipe)) };
}

/**
 * Writes `bytes` into the pipe the standby reads, once it has opened it (a standby still starting has not), then
 * closes it: the end of its file. Before that, the same bytes replace the pipe as a file (from `copy`), so a tool that
 * opens its entry again reads them again, where a pipe would have no writer. Throws when the tool ends first, or does
 * not read.
 */
async function feed(
  pipe: string,
  copy: string,
  bytes: Buffer,
  tool: LaunchedTool,
  signal?: AbortSignal,
): Promise<void> {
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
  const deadline = performance.now() + patienceMs;
  const givenUp = () => tool.ended || signal?.aborted || performance.now() > deadline;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      // Non-blocking: with no reader, ENXIO at once rather than waiting for good.
      fd = openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENXIO" || givenUp()) throw error;
      await pause();
    }
  }
  try {
    for (let written = 0; written < bytes.length;) {
      try {
        written += writeSync(fd, bytes, written);
      } catch (error) {
        // The pipe is full until the tool reads.
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN" || givenUp()) throw error;
        await pause();
      }
    }
    writeFileSync(copy, bytes);
    renameSync(copy, pipe);
  } catch (error) {
    // Before the pipe closes: what it read is not the whole file, and it must not judge it.
    tool.fail("its file could not be written whole");
    throw error;
  } finally {
    closeSync(fd);
  }
}
