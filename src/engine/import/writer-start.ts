/**
 * The first module the writer thread evaluates (writer-worker.ts imports it first). It starts loading prettier, whose
 * files are read while ts-morph loads; then ts-morph and its TypeScript load from their V8 code caches
 * (code-cache.ts), each before the module that requires it: TypeScript, ts-morph's common package, ts-morph.
 * Compiling them is most of what loading them costs.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { workerData } from "node:worker_threads";
import { requireWithCodeCache, type CachedModule } from "./code-cache.ts";

function loadTsMorph(root: string): CachedModule[] {
  const loaded: CachedModule[] = [];
  try {
    // The very files ts-morph requires: `@ts-morph/common`, which requires `./typescript`.
    const tsMorph = createRequire(path.join(root, "package.json")).resolve("ts-morph");
    const common = createRequire(tsMorph).resolve("@ts-morph/common");
    const typescript = createRequire(common).resolve("./typescript");
    for (const file of [typescript, common, tsMorph]) {
      const module = requireWithCodeCache(file, path.join(root, ".o11y-cache"));
      if (module) loaded.push(module);
    }
  } catch {
    // ts-morph loads the rest as usual, and reports what is wrong with it.
  }
  return loaded;
}

/**
 * Prettier, loaded now rather than when the files are formatted (`ModuleWriter.render` imports it, and gets this same
 * module), with the plugins it formats TypeScript with: they load on a first format, of a line.
 */
export const prettierReady = import("prettier")
  .then((prettier) => prettier.format("export const a = f({ b: [1] });\n", { parser: "babel-ts" }))
  .catch(() => undefined);

const loaded = loadTsMorph((workerData as { root: string }).root);

/** Keeps each code cache that was not there (or V8 refused), now that it holds what the import compiled too. */
export function saveCodeCaches(): void {
  for (const module of loaded) module.save();
}
