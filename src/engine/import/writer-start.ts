/**
 * The first module the writer thread evaluates (writer-worker.ts imports it first): ts-morph's TypeScript, loaded
 * from its V8 code cache (code-cache.ts) before ts-morph requires it.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { workerData } from "node:worker_threads";
import { requireWithCodeCache, type CachedModule } from "./code-cache.ts";

function loadTypescript(root: string): CachedModule | undefined {
  try {
    // The very file ts-morph's common package requires (`require("./typescript")`).
    const common = createRequire(createRequire(path.join(root, "package.json")).resolve("ts-morph")).resolve(
      "@ts-morph/common",
    );
    return requireWithCodeCache(
      createRequire(common).resolve("./typescript"),
      path.join(root, ".o11y-cache"),
    );
  } catch {
    // ts-morph loads it as usual, and reports what is wrong with it.
    return undefined;
  }
}

export const typescriptCache = loadTypescript((workerData as { root: string }).root);
