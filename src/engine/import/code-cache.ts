/**
 * ts-morph's TypeScript (9 MB of CommonJS) loaded with a V8 code cache, in the import's writer thread: compiling it
 * is most of what loading it costs, and V8 can keep what it compiled (`vm.Script`'s `cachedData`; Node 20 has no
 * `module.enableCompileCache`). The module is put in `require`'s cache before ts-morph requires it, so ts-morph
 * gets it, the same module as Node's own loading would make.
 *
 * The cache is `.o11y-cache/v8-<name>-<key>.bin`, the key a sha256 of the module's source, Node's version and the
 * platform: V8 itself checks little more than the source's length, so a cache is only ever offered to the very
 * source it was made from. V8 refuses one made by another V8 or with other flags (then it compiles as usual and the
 * cache is made again). It is written once the writer has run, so that it holds the functions the import compiled
 * too, to a temporary file renamed in place.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";

export interface CachedModule {
  /** Whether V8 took the code from the cache. */
  fromCache: boolean;
  /** Writes the module's code cache if there was none it could use; never throws (then there is none). */
  save(): void;
}

/**
 * Loads the CommonJS module `file` (absolute) through its code cache in `cacheDir`, and puts it in `require`'s cache.
 * Undefined when it is loaded already; throws what the module throws, as `require` would.
 */
export function requireWithCodeCache(file: string, cacheDir: string): CachedModule | undefined {
  const require = createRequire(file);
  if (require.cache[file]) return undefined;
  const bytes = readFileSync(file);
  const name = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9-]/g, "-");
  const key = createHash("sha256")
    .update(`o11y code cache 1\0${process.version}\0${process.platform}-${process.arch}\0`)
    .update(bytes)
    .digest("hex")
    .slice(0, 32);
  const source = bytes.toString("utf8");
  const cacheFile = path.join(cacheDir, `v8-${name}-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet: compiled as usual, and kept by save().
  }
  // Node's own wrapper, so that the module sees what it would under `require`.
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = new Module(file);
  module.filename = file;
  module.paths = require.resolve.paths("a-package") ?? [];
  require.cache[file] = module;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(
      module.exports,
      module.exports,
      require,
      module,
      file,
      path.dirname(file),
    );
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  const fromCache = cachedData !== undefined && script.cachedDataRejected === false;
  return {
    fromCache,
    save() {
      if (fromCache) return;
      const temp = `${cacheFile}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
      try {
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
        // The caches of other versions of the module go.
        const others = new RegExp(`^v8-${name}-[0-9a-f]{32}\\.bin$`);
        for (const entry of readdirSync(cacheDir))
          if (others.test(entry) && entry !== path.basename(cacheFile))
            unlinkSync(path.join(cacheDir, entry));
      } catch {
        // Not kept: the next import compiles the module again.
        try {
          rmSync(temp, { force: true });
        } catch {
          // Left for the next import's save to ignore.
        }
      }
    },
  };
}
