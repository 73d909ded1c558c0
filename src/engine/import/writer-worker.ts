/**
 * The writer thread of `o11y import dashboard` (writer-thread.ts starts it, from a bundle of this module): ts-morph
 * and prettier load as it starts, while the main thread loads the project and checks the imported dashboard; then
 * it makes and formats the files from the code the main thread sends (write-project.ts), and sends them back. It
 * writes nothing into the project (only, once, TypeScript's code cache into .o11y-cache/).
 */
// First: prettier starts loading, and ts-morph's TypeScript loads from its code cache, before the writer's modules
// require ts-morph.
import { prettierReady, saveCodeCache } from "./writer-start.ts";
import { parentPort } from "node:worker_threads";
import { decodeCode } from "./code.ts";
import { ImportError } from "./report.ts";
import { ModuleWriter } from "./typescript-writer.ts";
import { renderDashboardImport } from "./write-project.ts";
import type { WriterReply, WriterRequest } from "./writer-thread.ts";

parentPort!.once("message", async (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    await prettierReady;
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
  saveCodeCache();
  parentPort!.postMessage(reply);
});
