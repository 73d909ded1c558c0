/**
 * The watch's two bundles of the project's code, each an incremental esbuild context rebuilt after a save:
 *
 * - the engine: session.ts, and the engine modules the definitions import, as one ES module written into the
 *   watch's folder under a name that is its hash, so that it is imported again only when its bytes change (an edit
 *   under src/engine/, say). ES modules are never unloaded: one copy per version of the engine stays in memory;
 * - the definitions: the project module and everything it imports but the engine, as CommonJS evaluated afresh for
 *   every build in a module nothing keeps (collected, with its source map, once the build is done). Its imports of
 *   engine modules are the loaded engine's (`globalThis[engineKey]`): the definitions and the engine that compiles
 *   them share one set of modules, as in a normal run.
 *
 * Both keep `import.meta.url` the URL of each module's own source file, and carry inline source maps: stack traces,
 * and so the definitions' locations (src/engine/source.ts), point into the .ts sources, as under tsx.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Module } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BuildContext, Metafile, Plugin } from "esbuild";
import type * as SessionModule from "./session.ts";

type Esbuild = typeof import("esbuild");
export type Session = typeof SessionModule;

/** Where the definitions bundle finds the engine's modules, by their path in the project. */
const engineKey = Symbol.for("o11y.watch.engine");
/** Each bundle's own URL, set in its first line; each module's `import.meta.url` is resolved against it. */
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

/** The sources of a metafile, absolute (its keys are relative to the project, or namespaced). */
function inputsOf(root: string, metafile: Metafile): Set<string> {
  return new Set(
    Object.keys(metafile.inputs)
      .filter((input) => !input.includes(":"))
      .map((input) => path.resolve(root, input)),
  );
}

export class Bundles {
  private definitionsContext: BuildContext | undefined;
  private engineContext: { context: BuildContext; modules: string[] } | undefined;
  private engine: (Engine & { file: string }) | undefined;
  private evaluated = 0;
  private readonly engineDir: string;

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

  /** Common options: for this Node, names kept (as tsx transpiles), packages left to Node. */
  private options(outfile: string, banner: string, plugins: Plugin[]) {
    return {
      absWorkingDir: this.root,
      outfile,
      write: false,
      bundle: true,
      platform: "node" as const,
      target: `node${process.versions.node}`,
      keepNames: true,
      sourcemap: "inline" as const,
      sourcesContent: false,
      packages: "external" as const,
      define: { [`${importMeta}.url`]: moduleUrl },
      banner: { js: banner },
      plugins: [this.moduleUrls(outfile), ...plugins],
      metafile: true,
      logLevel: "silent" as const,
    };
  }

  /**
   * A module's own URL (`moduleUrl` replaces its reads of it, see `define`) is its own file's: a line that sets it is prepended to
   * the first line of a module that reads it, so that every other line keeps its number.
   */
  private moduleUrls(outfile: string): Plugin {
    const root = this.root;
    return {
      name: "o11y-watch-module-urls",
      setup(build) {
        build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
          if (!args.path.startsWith(root + path.sep) || args.namespace !== "file") return undefined;
          const source = readFileSync(args.path, "utf8");
          if (!source.includes(importMeta)) return { contents: source, loader: "default" };
          const relative = slashes(path.relative(path.dirname(outfile), args.path));
          return {
            contents: `var ${moduleUrl} = new URL(${JSON.stringify(relative)}, ${bundleUrl}).href; ${source}`,
            loader: "default",
          };
        });
      },
    };
  }

  /** The definitions bundled again (or esbuild's errors, thrown as esbuild throws them). */
  async definitions(): Promise<Definitions> {
    if (!this.definitionsContext) {
      const engineDir = this.engineDir;
      const root = this.root;
      const engine: Plugin = {
        name: "o11y-watch-engine",
        setup(build) {
          // An import that resolves into src/engine/ is served by the loaded engine bundle.
          build.onResolve({ filter: /^(\.{0,2}\/|\/)/ }, async (args) => {
            if (args.pluginData === "o11y-resolving") return undefined;
            const resolved = await build.resolve(args.path, {
              kind: args.kind,
              importer: args.importer,
              resolveDir: args.resolveDir,
              pluginData: "o11y-resolving",
            });
            if (resolved.errors.length > 0 || !resolved.path.startsWith(engineDir)) return undefined;
            return { path: slashes(path.relative(root, resolved.path)), namespace: "o11y-engine" };
          });
          build.onLoad({ filter: /.*/, namespace: "o11y-engine" }, (args) => ({
            contents: `module.exports = globalThis[Symbol.for(${JSON.stringify(engineKey.description)})](${JSON.stringify(args.path)});`,
            loader: "js",
          }));
        },
      };
      const outfile = path.join(this.dir, "definitions.cjs");
      this.definitionsContext = await this.esbuild.context({
        ...this.options(outfile, `var ${bundleUrl} = require("node:url").pathToFileURL(__filename).href;`, [
          engine,
        ]),
        entryPoints: [path.resolve(this.root, this.projectModule)],
        format: "cjs",
      });
    }
    const result = await this.definitionsContext.rebuild();
    const code = result.outputFiles![0]!.text;
    const engineImports = Object.keys(result.metafile!.inputs)
      .filter((input) => input.startsWith("o11y-engine:"))
      .map((input) => input.slice("o11y-engine:".length))
      .sort();
    return { code, engineImports, inputs: inputsOf(this.root, result.metafile!) };
  }

  /**
   * The engine bundle holding `modules` (and every module the last one held), built again, and imported when its
   * bytes changed; esbuild's errors are thrown as esbuild throws them.
   */
  async loadEngine(modules: string[]): Promise<Engine> {
    const wanted = [...new Set([...modules, ...(this.engineContext?.modules ?? [])])].sort();
    if (!this.engineContext || wanted.join("\n") !== this.engineContext.modules.join("\n")) {
      await this.engineContext?.context.dispose();
      this.engineContext = undefined;
      const entry = [
        `export * from ${JSON.stringify(`./${sessionModule}`)};`,
        ...wanted.map((file, i) => `import * as m${i} from ${JSON.stringify(`./${file}`)};`),
        `export const engineModules = new Map([${wanted.map((file, i) => `[${JSON.stringify(file)}, m${i}]`).join(", ")}]);`,
      ].join("\n");
      const context = await this.esbuild.context({
        ...this.options(path.join(this.dir, "engine.mjs"), `const ${bundleUrl} = ${importMeta}.url;`, []),
        stdin: { contents: entry, resolveDir: this.root, sourcefile: "o11y-watch-engine.js", loader: "js" },
        format: "esm",
      });
      this.engineContext = { context, modules: wanted };
    }
    const result = await this.engineContext.context.rebuild();
    const text = result.outputFiles![0]!.text;
    const file = path.join(
      this.dir,
      `engine-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.mjs`,
    );
    if (this.engine?.file !== file) {
      writeFileSync(file, text);
      const loaded = (await import(pathToFileURL(file).href)) as Session & {
        engineModules: Map<string, unknown>;
      };
      this.engine = {
        file,
        session: loaded,
        modules: loaded.engineModules,
        inputs: inputsOf(this.root, result.metafile!),
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
    (globalThis as Record<symbol, unknown>)[engineKey] = (name: string) => {
      if (!engine.modules.has(name)) throw new Error(`the watch's engine bundle does not hold ${name}`);
      return engine.modules.get(name);
    };
    module._compile(definitions.code, filename);
    return module.exports as { project?: unknown };
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([this.definitionsContext?.dispose(), this.engineContext?.context.dispose()]);
    this.definitionsContext = undefined;
    this.engineContext = undefined;
  }
}
