/**
 * The first module the writer thread evaluates (writer-worker.ts imports it first). It starts loading prettier, whose
 * files are read while ts-morph loads; then ts-morph's TypeScript (9 MB of CommonJS) loads from its V8 code cache
 * (code-cache.ts), before ts-morph requires it: the cache saves a third of its load. (ts-morph's own two files load
 * no faster from one: V8 reads back more than it would compile.)
 */
import { createRequire } from "node:module";
import path from "node:path";
import { workerData } from "node:worker_threads";
import { requireWithCodeCache, type CachedModule } from "./code-cache.ts";

function loadTypescript(root: string): CachedModule | undefined {
  try {
    // The very file ts-morph requires: its common package's `./typescript`.
    const tsMorph = createRequire(path.join(root, "package.json")).resolve("ts-morph");
    const common = createRequire(tsMorph).resolve("@ts-morph/common");
    return requireWithCodeCache(
      createRequire(common).resolve("./typescript"),
      path.join(root, ".o11y-cache"),
    );
  } catch {
    // ts-morph loads it as usual, and reports what is wrong with it.
    return undefined;
  }
}

/**
 * Prettier, loaded now rather than when the files are formatted (`ModuleWriter.render` imports it, and gets this same
 * module), with the plugins it formats TypeScript with: they load on a first format, of a line.
 */
export const prettierReady = import("prettier")
  .then((prettier) => prettier.format("export const a = f({ b: [1] });\n", { parser: "babel-ts" }))
  .catch(() => undefined);

const typescript = loadTypescript((workerData as { root: string }).root);

/** Keeps TypeScript's code cache if it was not there (or V8 refused it), now that it holds what the import compiled too. */
export function saveCodeCache(): void {
  typescript?.save();
}
