/**
 * `o11y import dashboard` makes and formats its files in a thread of its own (writer-worker.ts): ts-morph, whose
 * TypeScript is 9 MB of JavaScript, and prettier load there, on the machine's other core, while this thread loads
 * the project and runs the debt pass. The files that need only the dashboard's name and metrics (its registration in
 * the index, its catalog entries) are made there as soon as those are known (prepare); the dashboard's code, once the
 * debt pass has written its debt into it, goes there to be printed and formatted; then every file comes back to be
 * written here. The same functions make the same bytes as in this thread.
 *
 * A thread cannot load the TypeScript sources (the CLI runs from bin/o11y.js's bundle, without tsx), so it runs
 * a bundle of writer-worker.ts that esbuild makes into .o11y-cache/, headed by the files it holds and their
 * hash; it is made again when one of them changes. Wherever the thread cannot run (O11Y_CACHE=off, no writable
 * .o11y-cache/, a bundle that cannot be made, a thread that fails), the import writes in this thread instead.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { encodeCode, type Code, type EncodedCode } from "./code.ts";
import { ImportError, type ImportProblem } from "./report.ts";
import type { DashboardFiles, RenderedImport } from "./write-project.ts";

/** What the main thread sends: first the files to prepare, then the dashboard's code. */
export type WriterMessage =
  { kind: "prepare"; root: string; files: DashboardFiles } | { kind: "code"; code: EncodedCode };

export type WriterReply =
  | { kind: "rendered"; result: RenderedImport }
  | { kind: "problems"; problems: ImportProblem[] }
  | { kind: "failed"; why: string };

/** Bumped when the bundle is made differently. */
const format = "o11y import writer 1";
const bundleName = "import-writer.cjs";
const entry = "src/engine/import/writer-worker.ts";
/** Files esbuild reads besides the sources, and whose change may change the bundle. */
const settings = ["tsconfig.json", "package.json"];

export class WriterThread {
  private readonly thread: Promise<Running | undefined>;
  /** The thread once started: a message to it is posted at once, not after the caller's synchronous work. */
  private started: Running | undefined;
  private prepared = false;
  private asked = false;

  /** Starts the thread (it loads ts-morph and prettier at once); `root` is the project folder, where src/ is. */
  constructor(private readonly root: string) {
    this.thread = startThread(root).then(
      (thread) => (this.started = thread),
      (error: unknown) => {
        debugNote(`the writer thread did not start: ${String(error)}`);
        return undefined;
      },
    );
  }

  /**
   * Starts making the files that need only the dashboard's name and metrics (its registration in the index, its
   * catalog entries), as soon as the thread is up: the import calls it before it checks the dashboard. Once.
   */
  prepare(files: DashboardFiles): void {
    // The code renderDashboard is given is that of the files prepared: one import per thread.
    if (this.prepared) throw new Error("a writer thread prepares the files of one import only");
    this.prepared = true;
    const message: WriterMessage = { kind: "prepare", root: this.root, files };
    // Posted now when the thread is up: the import checks the dashboard next, synchronously, and a promise's
    // callback would post it only after that, when the thread has nothing left to do early.
    if (this.started) this.started.worker.postMessage(message);
    else void this.thread.then((thread) => thread?.worker.postMessage(message));
  }

  /**
   * The files `renderDashboardImport` makes, made in the thread from the dashboard's code and what prepare() was
   * given; undefined when the thread could not make them (the caller makes them itself). The problems it finds are
   * thrown, as an ImportError. A thread makes the files of one import: asked again, or never prepared, it answers
   * undefined.
   */
  async renderDashboard(code: Code): Promise<RenderedImport | undefined> {
    if (this.asked || !this.prepared) return undefined;
    this.asked = true;
    const thread = await this.thread;
    if (!thread) return undefined;
    thread.worker.ref();
    thread.worker.postMessage({ kind: "code", code: encodeCode(code) } satisfies WriterMessage);
    const reply = await thread.reply;
    void thread.worker.terminate();
    if (reply.kind === "problems") throw new ImportError(reply.problems);
    if (reply.kind === "rendered") return reply.result;
    debugNote(`the writer thread failed, writing in the main thread: ${reply.why}`);
    return undefined;
  }

  /** Stops the thread, if it is still there (the import failed before it wrote). */
  close(): void {
    void this.thread.then((thread) => thread?.worker.terminate());
  }
}

interface Running {
  worker: Worker;
  /** Its one reply; or why there is none, whenever it failed (before it was asked, too). */
  reply: Promise<WriterReply>;
}

/** Starts the thread from a fresh bundle of writer-worker.ts; undefined when it cannot run here. */
async function startThread(root: string): Promise<Running | undefined> {
  if (process.env.O11Y_CACHE === "off") return undefined;
  const dir = path.join(root, ".o11y-cache");
  const file = path.join(dir, bundleName);
  if (!isFresh(root, file)) await buildBundle(root, dir, file);
  const worker = new Worker(file, { workerData: { root } });
  // Never what keeps the process alive: renderDashboard holds it while it waits for the files.
  worker.unref();
  const reply = new Promise<WriterReply>((resolve) => {
    worker.once("message", resolve);
    worker.on("error", (error) => resolve({ kind: "failed", why: String(error) }));
    worker.once("exit", (code) => resolve({ kind: "failed", why: `it exited with ${code}` }));
  });
  return { worker, reply };
}

/** The key of a bundle: this format, esbuild's version, and every file it holds, by its path relative to `root`. */
function bundleKey(root: string, files: Map<string, Buffer>): string {
  const require = createRequire(path.join(root, "package.json"));
  const esbuild = (
    JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")) as { version: string }
  ).version;
  const hash = createHash("sha256").update(`${format}\0esbuild ${esbuild}\0`);
  for (const [input, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    hash.update(`${input}\0${content.length}\0`).update(content);
  return hash.digest("hex");
}

/** Whether the bundle is there and made from the files as they are now (its header names them). */
function isFresh(root: string, file: string): boolean {
  try {
    const text = readFileSync(file, "utf8");
    const header = /^\/\*o11y-import-writer (.*)\*\/\n/.exec(text.slice(0, text.indexOf("\n") + 1));
    if (!header) return false;
    const { key, inputs } = JSON.parse(header[1]!) as { key: string; inputs: string[] };
    return (
      bundleKey(root, new Map(inputs.map((input) => [input, readFileSync(path.join(root, input))]))) === key
    );
  } catch {
    return false;
  }
}

/** Bundles writer-worker.ts and the modules it imports (not the packages), written whole or not at all. */
async function buildBundle(root: string, dir: string, file: string): Promise<void> {
  const require = createRequire(path.join(root, "package.json"));
  const esbuild = require("esbuild") as typeof import("esbuild");
  // Read here, so that the key is that of the very bytes bundled (a file saved meanwhile makes the bundle stale);
  // with the configuration esbuild reads too.
  const read = new Map(settings.map((name) => [name, readFileSync(path.join(root, name))]));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: file,
    write: false,
    bundle: true,
    packages: "external",
    // CommonJS: ts-morph (CommonJS) is loaded with `require`, without the export scan of `import`.
    format: "cjs",
    platform: "node",
    target: "node20",
    keepNames: true,
    logLevel: "silent",
    metafile: true,
    plugins: [
      {
        name: "o11y-import-writer",
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (args) => {
            const content = readFileSync(args.path);
            read.set(path.relative(root, args.path).split(path.sep).join("/"), content);
            return { contents: content, loader: "ts" };
          });
        },
      },
    ],
  });
  const output = result.outputFiles.find((f) => f.path === file)?.text;
  if (output === undefined) throw new Error("esbuild made no bundle");
  const unread = Object.keys(result.metafile.inputs).filter((input) => !read.has(input));
  if (unread.length)
    throw new Error(`the bundle would hold files its key does not cover: ${unread.join(", ")}`);
  const inputs = [...read.keys()].sort();
  const key = bundleKey(root, read);
  if (bundleKey(root, new Map(inputs.map((input) => [input, readFileSync(path.join(root, input))]))) !== key)
    throw new Error("the sources changed while the bundle was made");
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, `/*o11y-import-writer ${JSON.stringify({ key, inputs })}*/\n${output}`);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function debugNote(text: string): void {
  if (process.env.O11Y_DEBUG === "1") process.stderr.write(`o11y import: ${text}\n`);
}
