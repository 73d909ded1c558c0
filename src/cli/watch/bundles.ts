/**
 * The watch's two bundles of the project's code, each an incremental esbuild context rebuilt after a save:
 *
 * - the engine: session.ts, and the engine modules the definitions import, as one ES module written into the
 *   watch's folder under a name that is its hash, so that it is imported again only when its bytes change (an edit
 *   under src/engine/, say). ES modules are never unloaded: one copy per version of the engine stays in memory;
 * - the definitions: the project module and everything it imports but the engine, as CommonJS evaluated afresh for
 *   every build in a module nothing keeps (collected, with its source map, once the build is done). Its imports of
 *   engine modules are left out of it (esbuild's `external`, matched on the resolved path) and answered by the loaded
 *   engine when it requires them: the definitions and the engine that compiles them share one set of modules, as in
 *   a normal run.
 *
 * Both keep each module's own URL (what `import.meta.url` reads in it) the URL of its source file, and carry inline
 * source maps: stack traces, and so the definitions' locations (src/engine/source.ts), point into the .ts sources,
 * as under tsx. A plugin costs a call into this process per file it matches, on every rebuild; so the one plugin
 * matches only the files that read their own URL (known by reading each file the bundle holds once, and again when
 * it changes).
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { findSourceMap, Module } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BuildContext, BuildOptions, Metafile, Plugin } from "esbuild";
import type * as SessionModule from "./session.ts";
import { importModule } from "../../engine/import-module.ts";
import { useSourceMapOf } from "../../engine/source.ts";

type Esbuild = typeof import("esbuild");
export type Session = typeof SessionModule;

/** Each bundle's own URL, set in its first line; each module's own URL is resolved against it. */
const bundleUrl = "__o11yBundleUrl";
const moduleUrl = "__o11yModuleUrl";
const sessionModule = "src/cli/watch/session.ts";
/**
 * `import.meta`, spelled in parts: this module is itself bundled into the CLI's cached bundle, which must not read
 * `import.meta` but for its own URL (bin/o11y.js checks the bundle's text).
 */
const importMeta = ["import", "meta"].join(".");

/** A loaded engine bundle: its session functions, the modules the definitions may import, the files it holds. */
export interface Engine {
  session: Session;
  modules: ReadonlyMap<string, unknown>;
  /** Absolute paths of the sources it was built from. */
  inputs: ReadonlySet<string>;
}

/** The definitions, bundled: their code, the engine modules they import, the files they were built from. */
export interface Definitions {
  code: string;
  engineImports: string[];
  inputs: ReadonlySet<string>;
}

const slashes = (file: string) => file.split(path.sep).join("/");
/** The files of the engine the definitions import: its modules. */
const engineExtensions = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** The sources of a metafile, absolute (its keys are relative to the project, or namespaced). */
function inputsOf(root: string, metafile: Metafile): Set<string> {
  return new Set(
    Object.keys(metafile.inputs)
      .filter((input) => !input.includes(":"))
      .map((input) => path.resolve(root, input)),
  );
}

/** An incremental context, and the files it prefixes with their own URL (it is made again when they change). */
interface Context {
  context: BuildContext;
  readingUrls: string;
}

export class Bundles {
  private definitionsContext: Context | undefined;
  private engineContext: (Context & { modules: string[] }) | undefined;
  private engine: (Engine & { file: string }) | undefined;
  private evaluated = 0;
  private readonly engineDir: string;
  /** Whether each file read so far reads its own URL. */
  private readonly readsUrl = new Map<string, boolean>();
  /** The files saved since the last build (`changed`). */
  private saved = new Set<string>();

  constructor(
    private readonly esbuild: Esbuild,
    private readonly root: string,
    /** Relative to the root, as `--project` gives it. */
    private readonly projectModule: string,
    /** The watch's own folder, removed when it stops. */
    private readonly dir: string,
  ) {
    this.engineDir = path.join(root, "src", "engine") + path.sep;
  }

  /** Files saved since the last build: whether each reads its own URL is read again. */
  changed(files: Iterable<string>): void {
    this.saved = new Set(files);
    for (const file of this.saved) if (this.readsUrl.has(file)) this.readsUrl.set(file, readsOwnUrl(file));
  }

  /** Of `inputs`, those that read their own URL (reading the ones not read yet), as the key of a context. */
  private urlReaders(inputs: Iterable<string>): string {
    for (const file of inputs) if (!this.readsUrl.has(file)) this.readsUrl.set(file, readsOwnUrl(file));
    return [...this.readsUrl]
      .filter(([, reads]) => reads)
      .map(([file]) => file)
      .sort()
      .join("\n");
  }

  /** Common options: for this Node, names kept (as tsx transpiles), packages left to Node. */
  private options(outfile: string, banner: string, readingUrls: string): BuildOptions {
    return {
      absWorkingDir: this.root,
      outfile,
      write: false,
      bundle: true,
      platform: "node",
      target: `node${process.versions.node}`,
      keepNames: true,
      sourcemap: "inline",
      sourcesContent: false,
      packages: "external",
      define: { [`${importMeta}.url`]: moduleUrl },
      banner: { js: banner },
      plugins: [moduleUrls(outfile, readingUrls)],
      metafile: true,
      logLevel: "silent",
    };
  }

  /**
   * Rebuilds `current` (made again by `make` when the files that read their own URL changed), until the files it
   * holds are all known: a file read for the first time may read its URL.
   */
  private async rebuild<T extends Context>(
    current: T | undefined,
    make: (readingUrls: string) => Promise<T>,
  ): Promise<{ context: T; metafile: Metafile; text: string }> {
    let context = current;
    let made = false;
    for (;;) {
      const known = this.urlReaders([]);
      if (!context || context.readingUrls !== known) {
        await context?.context.dispose();
        context = await make(known);
        made = true;
      }
      const result = await context.context.rebuild();
      const inputs = inputsOf(this.root, result.metafile!);
      // A context holds each file it read until the file's inode, size or modification time changes, but only
      // once that time is 3 s old: a save that keeps all three (the same size, and a time set back, as `cp -p`,
      // `rsync -t` and `tar` save) is not read again. Such a save gets a context made anew, which reads every file.
      if (!made && [...this.saved].some((file) => inputs.has(file) && mtimeTrusted(file))) {
        await context.context.dispose();
        context = undefined;
        continue;
      }
      if (this.urlReaders(inputs) === known)
        return { context, metafile: result.metafile!, text: result.outputFiles![0]!.text };
    }
  }

  /** The definitions bundled again (esbuild's errors are thrown as esbuild throws them). */
  async definitions(): Promise<Definitions> {
    const outfile = path.join(this.dir, "definitions.cjs");
    const banner = `var ${bundleUrl} = require("node:url").pathToFileURL(__filename).href;`;
    const { context, metafile, text } = await this.rebuild(this.definitionsContext, async (readingUrls) => ({
      readingUrls,
      context: await this.esbuild.context({
        ...this.options(outfile, banner, readingUrls),
        entryPoints: [path.resolve(this.root, this.projectModule)],
        format: "cjs",
        // Imports that resolve to a module of the engine stay `require` calls, which `evaluate` answers.
        external: engineExtensions.map((extension) => `${this.engineDir}*${extension}`),
      }),
    }));
    this.definitionsContext = context;
    const engineImports = new Set<string>();
    for (const output of Object.values(metafile.outputs))
      for (const imported of output.imports) {
        const module = imported.external
          ? this.engineModule(path.dirname(outfile), imported.path)
          : undefined;
        if (module) engineImports.add(module);
      }
    return { code: text, engineImports: [...engineImports].sort(), inputs: inputsOf(this.root, metafile) };
  }

  /** The engine module (`src/engine/...`) that `specifier`, required from a file in `from`, names, if it names one. */
  private engineModule(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith(".")) return undefined;
    const file = path.resolve(from, specifier);
    return file.startsWith(this.engineDir) ? slashes(path.relative(this.root, file)) : undefined;
  }

  /**
   * The engine bundle holding `modules` (and every module the last one held), built again, and imported when its
   * bytes changed; esbuild's errors are thrown as esbuild throws them.
   */
  async loadEngine(modules: string[]): Promise<Engine> {
    const wanted = [...new Set([...modules, ...(this.engineContext?.modules ?? [])])].sort();
    if (this.engineContext && wanted.join("\n") !== this.engineContext.modules.join("\n")) {
      await this.engineContext.context.dispose();
      this.engineContext = undefined;
    }
    const entry = [
      `export * from ${JSON.stringify(`./${sessionModule}`)};`,
      ...wanted.map((file, i) => `import * as m${i} from ${JSON.stringify(`./${file}`)};`),
      `export const engineModules = new Map([${wanted.map((file, i) => `[${JSON.stringify(file)}, m${i}]`).join(", ")}]);`,
    ].join("\n");
    const banner = `const ${bundleUrl} = ${importMeta}.url;`;
    const { context, metafile, text } = await this.rebuild(this.engineContext, async (readingUrls) => ({
      readingUrls,
      modules: wanted,
      context: await this.esbuild.context({
        ...this.options(path.join(this.dir, "engine.mjs"), banner, readingUrls),
        stdin: { contents: entry, resolveDir: this.root, sourcefile: "o11y-watch-engine.js", loader: "js" },
        format: "esm",
      }),
    }));
    this.engineContext = context;
    const file = path.join(
      this.dir,
      `engine-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.mjs`,
    );
    if (this.engine?.file !== file) {
      writeFileSync(file, text);
      const loaded = (await importModule(pathToFileURL(file).href)) as Session & {
        engineModules: Map<string, unknown>;
      };
      this.engine = {
        file,
        session: loaded,
        modules: loaded.engineModules,
        inputs: inputsOf(this.root, metafile),
      };
    }
    return this.engine;
  }

  /** The engine loaded last, if any. */
  get loadedEngine(): Engine | undefined {
    return this.engine;
  }

  /** Evaluates the definitions' code in a new module that nothing keeps after the build; returns its exports. */
  evaluate(definitions: Definitions, engine: Engine): { project?: unknown } {
    // A name of its own each time: source maps are looked up by file name.
    const filename = path.join(this.dir, `definitions-${++this.evaluated}.cjs`);
    const module = new Module(filename) as Module & {
      _compile(code: string, filename: string): void;
      filename: string;
      paths: string[];
    };
    module.filename = filename;
    module.paths = [];
    // The bundle's own `require` calls this: the engine's modules are the loaded engine's.
    module.require = (specifier: string) => {
      const name = this.engineModule(this.dir, specifier);
      if (name === undefined) return Module.prototype.require.call(module, specifier);
      if (!engine.modules.has(name)) throw new Error(`the watch's engine bundle does not hold ${name}`);
      return engine.modules.get(name);
    };
    // The definitions' locations read their frames' map from Node's own, found once rather than for each frame.
    const forget = useSourceMapOf(filename, () => findSourceMap(filename));
    try {
      module._compile(definitions.code, filename);
    } finally {
      forget();
    }
    return module.exports as { project?: unknown };
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([
      this.definitionsContext?.context.dispose(),
      this.engineContext?.context.dispose(),
    ]);
    this.definitionsContext = undefined;
    this.engineContext = undefined;
  }
}

/**
 * Whether esbuild may have taken `file` from what it read before rather than read it: it trusts a modification time
 * once it is 3 s old (it checks before it reads, and this after: a time younger than that now was younger then);
 * 2 s leaves a margin for the clocks' granularity.
 */
function mtimeTrusted(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs >= 2_000;
  } catch {
    return false;
  }
}

function readsOwnUrl(file: string): boolean {
  try {
    return readFileSync(file, "utf8").includes(importMeta);
  } catch {
    return false;
  }
}

/**
 * The files in `readingUrls` (one absolute path a line) get a line that sets their own URL (`moduleUrl`, which
 * replaces their reads of it, see `define`) prepended to their first line, so that every other line keeps its number.
 */
function moduleUrls(outfile: string, readingUrls: string): Plugin {
  const files = readingUrls.split("\n").filter(Boolean);
  return {
    name: "o11y-watch-module-urls",
    setup(build) {
      if (files.length === 0) return;
      const filter = new RegExp(`^(?:${files.map(escapeRegExp).join("|")})$`);
      build.onLoad({ filter }, (args) => {
        if (args.namespace !== "file") return undefined;
        const source = readFileSync(args.path, "utf8");
        const relative = slashes(path.relative(path.dirname(outfile), args.path));
        return {
          contents: `var ${moduleUrl} = new URL(${JSON.stringify(relative)}, ${bundleUrl}).href; ${source}`,
          loader: "default",
        };
      });
    },
  };
}
