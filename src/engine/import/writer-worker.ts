/**
 * The writer thread of `o11y import dashboard` (writer-thread.ts starts it, from a bundle of this module): ts-morph
 * and prettier load as it starts, while the main thread loads the project and checks the imported dashboard; then
 * it makes and formats the files from the code the main thread sends (write-project.ts), and sends them back. It
 * writes nothing into the project (only, once, TypeScript's code cache into .o11y-cache/).
 */
// First: ts-morph's TypeScript from its code cache, before the writer's modules load ts-morph.
import { typescriptCache } from "./writer-start.ts";
import { parentPort } from "node:worker_threads";
import { decodeCode } from "./code.ts";
import { ImportError } from "./report.ts";
import { ModuleWriter } from "./typescript-writer.ts";
import { renderDashboardImport } from "./write-project.ts";
import type { WriterReply, WriterRequest } from "./writer-thread.ts";

// Loaded now, not when the files are formatted (`ModuleWriter.render` imports it, and gets this same module), with
// the plugins it formats TypeScript with: they load on a first format, of a line.
const prettier = import("prettier")
  .then((loaded) => loaded.format("export const a = f({ b: [1] });\n", { parser: "babel-ts" }))
  .catch(() => undefined);

parentPort!.once("message", async (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    await prettier;
    const result = await renderDashboardImport({
      writer: new ModuleWriter(request.root),
      root: request.root,
      dashboard: { ...request.dashboard, code: decodeCode(request.dashboard.code) },
      metrics: request.metrics,
      importedFrom: request.importedFrom,
    });
    reply = { kind: "rendered", result };
  } catch (error) {
    reply =
      error instanceof ImportError
        ? { kind: "problems", problems: error.problems }
        : { kind: "failed", why: String((error as Error)?.stack ?? error) };
  }
  // Kept now that it holds what the import compiled too (once: when there was none it could use).
  typescriptCache?.save();
  parentPort!.postMessage(reply);
});
