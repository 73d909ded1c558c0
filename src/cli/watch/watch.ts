/**
 * `o11y build --watch` and `o11y check --watch`: one process that builds (or checks) again on every save of a
 * file under src/ (or of any other file the definitions import) or of RUNBOOK.md, and prints one line for each,
 * after the diagnostics when there are any.
 *
 * A save is bundled again by esbuild's incremental contexts and evaluated in this process (bundles.ts), so that a
 * build costs what compiling, writing and judging the files cost, not the start of a process. A build writes
 * build/ exactly as `o11y build` does (staged beside it, judged, swapped in whole), so build/ is complete at every
 * instant, and a build with an error leaves it as it was. Saves that come in a burst (editors write several times)
 * make one build; a save during a build makes one more build after it.
 *
 * The type check (`tsc`: a second or more of CPU) runs beside the builds instead of before each: a build's line
 * comes first, type errors when `tsc` has finished (and "no errors" once they are gone). It waits for the build
 * to end, and a newer save stops one that is running. `o11y build` (CI) still refuses a build with type errors.
 *
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP stop it: a build in progress discards what it staged, the tools and `tsc`
 * are killed, esbuild's service stops, the watch's folder is removed, and it exits 0.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { startChildHelper, stopChildHelper } from "../../engine/child-process.ts";
import { formatDiagnostic } from "../../engine/diagnostics.ts";
import { recordPending, temporaryFolderPrefix } from "../../engine/emit/pending.ts";
import { projectRoot, toProjectPath } from "../../engine/source.ts";
import { typecheck } from "../../engine/typecheck/typecheck.ts";
import type { ToolsMode } from "../../engine/validate/tools/index.ts";
import { disableStandbys, enableStandbys, refillStandbys } from "../../engine/validate/tools/standby.ts";
import { refusal, refusedOutFolder } from "../build.ts";
import { reportInternalError } from "../failures.ts";
import { loadFailure } from "../load-project.ts";
import { Bundles } from "./bundles.ts";
import { FolderWatches } from "./folders.ts";

export interface WatchOptions {
  kind: "build" | "check";
  project: string;
  /** For build. */
  out: string;
  tools: ToolsMode;
  /** Off: no type check beside the builds. */
  typecheck: "on" | "off";
}

/** Quiet time after a save before the build starts: the rest of an editor's burst of writes. */
const settleMs = 10;
/** How long after a save a file that reads empty is waited for: then it is built as it is. */
const halfSavedMs = 250;
const runbook = "RUNBOOK.md";
/** Editors' temporary and backup files (`.x.swp`, `x~`, vim's `4913`, `#x#`), and o11y's own (`.o11y-tmp-*`). */
const scratch = /(^|\/)(\.[^/]*\.sw[a-p]x?|[^/]*~|4913|#[^/]*#|\.o11y-tmp-[^/]*)$/;
const stopSignals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const clock = () => new Date().toTimeString().slice(0, 8);

export async function watchCommand(options: WatchOptions): Promise<number> {
  if (options.kind === "build") {
    const refused = refusedOutFolder(options);
    if (refused) {
      process.stderr.write(`${refusal(refused)}\n`);
      return 2;
    }
  }
  // Inside the project: the engine bundle written there finds the project's packages as its sources do.
  let dir: string;
  try {
    mkdirSync(path.join(projectRoot, ".o11y-cache"), { recursive: true });
    dir = mkdtempSync(path.join(projectRoot, ".o11y-cache", temporaryFolderPrefix("watch")));
  } catch (error) {
    process.stderr.write(
      `o11y ${options.kind} --watch: cannot write its bundles into .o11y-cache/ (${(error as Error).message}); run it in a checkout you can write to\n`,
    );
    return 2;
  }
  // Killed without a chance to clean up (SIGKILL), the next o11y command removes the folder.
  const release = recordPending(projectRoot, { temporary: dir });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of stopSignals) process.on(signal, onSignal);
  try {
    return await new Watch(options, dir, stop).run();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    release();
    for (const signal of stopSignals) process.off(signal, onSignal);
  }
}

class Watch {
  private readonly changed = new Set<string>();
  private firstChange: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /**
   * Each saved file's text as read just before the latest build (the one running, if any) bundled it: an event for a
   * text already built (a burst's late events, a write the build read already) starts no other build.
   */
  private readonly builtTexts = new Map<string, string | undefined>();
  /** The runbook, as the last build left it: a build that rewrites its alert table does not start another. */
  private runbook = { file: path.join(projectRoot, runbook), text: undefined as string | undefined };
  /** Set until an engine bundle of the current engine sources has loaded. */
  private engineStale = true;
  /** The removal of the tree the last build replaced: the next build waits for it (it holds the swap's journal). */
  private retiring: Promise<void> = Promise.resolve();
  /** Set when the watch cannot go on (its file watch failed). */
  private failed = false;
  private readonly typecheck: BackgroundTypecheck;
  private readonly projectModule: string;
  private readonly stop: AbortSignal;
  private readonly watches: FolderWatches;
  private bundles: Bundles | undefined;

  constructor(
    private readonly options: WatchOptions,
    private readonly dir: string,
    stopping: AbortController,
  ) {
    this.stop = stopping.signal;
    this.typecheck = new BackgroundTypecheck(options);
    this.projectModule = path.resolve(projectRoot, options.project);
    this.watches = new FolderWatches(
      (file) => this.saved(file),
      (error) => {
        process.stderr.write(
          `o11y ${options.kind} --watch: stopped: the file watch failed (${error.message})\n`,
        );
        this.failed = true;
        stopping.abort();
      },
    );
  }

  async run(): Promise<number> {
    process.setSourceMapsEnabled(true);
    // Before this process grows: promtool, vmalert and tsc start from a small helper, not by forking the watch.
    startChildHelper();
    const esbuild = await import("esbuild");
    this.bundles = new Bundles(esbuild, projectRoot, this.options.project, this.dir);
    this.runbook.text = readText(this.runbook.file);
    const stopped = new Promise<void>((resolve) => this.stop.addEventListener("abort", () => resolve()));
    try {
      // promtool's start (~70 ms) is paid between saves: see standby.ts.
      enableStandbys(projectRoot);
      this.watches.tree(path.join(projectRoot, "src"));
      // The root's own entries: the runbook (a watch of the folder also sees it replaced by a rename).
      this.watches.folder(projectRoot);
      process.stderr.write(
        `o11y ${this.options.kind} --watch: watching src/ and ${runbook}; Ctrl-C stops it\n`,
      );
      this.changed.add(this.projectModule);
      this.firstChange = performance.now();
      this.startLoop();
      await stopped;
      return this.failed ? 1 : 0;
    } finally {
      clearTimeout(this.timer);
      this.watches.close();
      await this.running?.catch(() => {});
      await this.retiring;
      await this.typecheck.stop();
      await disableStandbys();
      await stopChildHelper();
      await this.bundles.dispose();
      esbuild.stop();
    }
  }

  /** A file changed: build again soon, unless it is an editor's scratch file or a root file other than the runbook. */
  private saved(file: string): void {
    if (scratch.test(file)) return;
    // Of the root's own entries, the runbook only.
    if (path.dirname(file) === projectRoot && path.basename(file) !== runbook) return;
    if (file === this.runbook.file && readText(file) === this.runbook.text) return;
    if (!this.changed.has(file) && this.builtTexts.has(file) && readText(file) === this.builtTexts.get(file))
      return;
    // tsc's sources are no longer the latest: it stops now rather than compete with the build for the cores.
    this.typecheck.cancel();
    // A build running may bundle this text or the one before: which one it read is not known.
    if (this.running) this.builtTexts.delete(file);
    this.changed.add(file);
    this.firstChange ??= performance.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.running && this.changed.size > 0) this.startLoop();
    }, settleMs);
  }

  /**
   * Runs the builds; `running` until they end. Cleared by the loop's own promise: a loop with nothing to build ends
   * before an assignment after it could be made, which would keep a settled promise as "running" for good.
   */
  private startLoop(): void {
    const run: Promise<void> = this.loop().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
  }

  /** Builds until no save is left unbuilt. */
  private async loop(): Promise<void> {
    while (this.changed.size > 0 && !this.stop.aborted) {
      const since = this.firstChange ?? performance.now();
      // An empty file is most likely half-saved (an editor truncated it and writes it next): its text is waited for
      // a while, rather than a build failing on it and the next one passing.
      while (
        [...this.changed].some(isEmptyFile) &&
        performance.now() - since < halfSavedMs &&
        !this.stop.aborted
      )
        await new Promise((resolve) => setTimeout(resolve, 5));
      // Settled, a save holds its whole text: one that reads as the last build read it changed nothing (an event
      // seen while an editor, or writeFileSync, had truncated the file but not yet written it).
      const paths = [...this.changed].filter(
        (file) => !this.builtTexts.has(file) || readText(file) !== this.builtTexts.get(file),
      );
      this.changed.clear();
      this.firstChange = undefined;
      if (paths.length === 0) {
        // The save stopped the type check: it runs again, over the same sources.
        if (this.options.typecheck === "on" && !this.stop.aborted) this.typecheck.start();
        continue;
      }
      const runbook = await this.buildOnce(this.bundles!, paths, since);
      if (runbook) {
        this.runbook = runbook;
        // Saved after the build read it (the build left that save as it was): that text is built next.
        if (readText(runbook.file) !== runbook.text) {
          this.changed.add(runbook.file);
          this.firstChange ??= performance.now();
        }
      }
    }
  }

  /** One build (or check); the runbook as it left it. */
  private async buildOnce(
    bundles: Bundles,
    paths: string[],
    since: number,
  ): Promise<{ file: string; text: string } | undefined> {
    const { kind, out } = this.options;
    const line = (text: string) => {
      if (!this.stop.aborted)
        process.stdout.write(`${clock()} ${text} (${Math.round(performance.now() - since)} ms)\n`);
    };
    // tsc would compete with the build for the cores, over sources that just changed: it starts again after it.
    this.typecheck.cancel();
    await this.retiring;
    // Before esbuild reads them: a write after this read has another text, and builds again.
    for (const file of paths) this.builtTexts.set(file, readText(file));
    try {
      bundles.changed(paths);
      const definitions = await bundles.definitions();
      // Files the definitions import from outside src/ (a --project elsewhere) are watched too.
      for (const input of definitions.inputs) this.watches.folder(path.dirname(input));
      const loaded = bundles.loadedEngine;
      if (
        this.engineStale ||
        !loaded ||
        paths.some((file) => loaded.inputs.has(file)) ||
        !definitions.engineImports.every((name) => loaded.modules.has(name))
      ) {
        this.engineStale = true;
        await bundles.loadEngine(definitions.engineImports);
        this.engineStale = false;
      }
      const engine = bundles.loadedEngine!;
      engine.session.beforeEvaluation();
      const module = bundles.evaluate(definitions, engine);
      let outcome;
      try {
        outcome = await engine.session.runOnce(module, { ...this.options, signal: this.stop });
      } catch (error) {
        // Not the definitions: o11y itself. Said as the commands say it; the next save builds again.
        reportInternalError(error);
        line(`${kind} failed: internal error`);
        return undefined;
      }
      line(outcome.summary);
      // The tools this build ran wait for the next one.
      void refillStandbys();
      if (outcome.retired) this.retiring = outcome.retired.catch(() => {});
      return outcome.runbook;
    } catch (error) {
      if (this.stop.aborted) return undefined;
      // The sources do not bundle (esbuild's errors) or the definitions threw: at their lines, as a build says them.
      const diagnostics = loadFailure(error, toProjectPath(this.projectModule), []);
      for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      line(
        kind === "build"
          ? `build failed: ${errors} error(s); nothing was written and ${out}/ is unchanged.`
          : `check: ${errors} error(s), 0 warning(s)`,
      );
      return undefined;
    } finally {
      if (this.options.typecheck === "on" && !this.stop.aborted) this.typecheck.start();
    }
  }
}

/** A file there with no bytes (its size, not its text: polled while a save settles). */
function isEmptyFile(file: string): boolean {
  try {
    return statSync(file).size === 0;
  } catch {
    return false;
  }
}

function readText(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

/** How long the type check waits after a build: a save that follows at once would stop it anyway. */
const typecheckDelayMs = 250;

/** The type check beside the builds: one at a time, of the latest sources, its verdict printed when it ends. */
class BackgroundTypecheck {
  private current: { controller: AbortController; done: Promise<void> } | undefined;
  private hadErrors = false;

  constructor(private readonly options: WatchOptions) {}

  start(): void {
    this.cancel();
    const controller = new AbortController();
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, typecheckDelayMs);
      controller.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    })
      .then(() =>
        controller.signal.aborted
          ? { diagnostics: [], ran: false, aborted: true }
          : typecheck({
              root: projectRoot,
              projectModule: path.resolve(projectRoot, this.options.project),
              signal: controller.signal,
              background: true,
            }),
      )
      .then(({ diagnostics, aborted }) => {
        if (aborted || controller.signal.aborted) return;
        const errors = diagnostics.filter((d) => d.severity === "error");
        for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
        const consequence =
          this.options.kind === "build"
            ? `${this.options.out}/ holds the build nonetheless, which \`o11y build\` refuses`
            : "`o11y check` fails on them";
        if (errors.length > 0)
          process.stdout.write(`${clock()} type check: ${errors.length} error(s); ${consequence}\n`);
        else if (this.hadErrors) process.stdout.write(`${clock()} type check: no errors\n`);
        this.hadErrors = errors.length > 0;
      })
      .catch(() => {});
    this.current = { controller, done };
  }

  /** Stops a check still running: its sources are no longer the latest. */
  cancel(): void {
    this.current?.controller.abort();
  }

  async stop(): Promise<void> {
    this.cancel();
    await this.current?.done;
  }
}
