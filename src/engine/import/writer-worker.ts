/**
 * The writer thread of `o11y import dashboard` (writer-thread.ts starts it, from a bundle of this module): ts-morph
 * and prettier load as it starts, while the main thread loads the project and checks the imported dashboard; then
 * it makes and formats the files (write-project.ts): those that need only the dashboard's name and metrics as soon as
 * the main thread sends them, the dashboard's module once its code comes, and sends them all back. It
 * writes nothing into the project (only, once, TypeScript's code cache into .o11y-cache/).
 */
// First: prettier starts loading, and ts-morph's TypeScript loads from its code cache, before the writer's modules
// require ts-morph.
import { prettierReady, saveCodeCache } from "./writer-start.ts";
import { parentPort } from "node:worker_threads";
import { decodeCode } from "./code.ts";
import { ImportError } from "./report.ts";
import { ModuleWriter } from "./typescript-writer.ts";
import {
  finishDashboardImport,
  prepareDashboardImport,
  type DashboardFiles,
  type PreparedDashboardImport,
} from "./write-project.ts";
import type { WriterMessage, WriterReply } from "./writer-thread.ts";

/** What a failure is told to the main thread as: an import's problems, or why the thread could not make the files. */
function failed(error: unknown): WriterReply {
  return error instanceof ImportError
    ? { kind: "problems", problems: error.problems }
    : { kind: "failed", why: String((error as Error)?.stack ?? error) };
}

// The first message prepares (the files that need no code); the second brings the code and asks for the files.
let prepared:
  { writer: ModuleWriter; files: DashboardFiles; done: Promise<PreparedDashboardImport> } | undefined;
parentPort!.on("message", async (message: WriterMessage) => {
  if (message.kind === "prepare") {
    const writer = new ModuleWriter(message.root);
    const done = prettierReady.then(() => prepareDashboardImport(writer, message.files));
    // Its failure is the reply to the code, when it comes.
    done.catch(() => undefined);
    prepared = { writer, files: message.files, done };
    return;
  }
  let reply: WriterReply;
  try {
    if (!prepared) throw new Error("the code came before the files were prepared");
    const code = decodeCode(message.code);
    reply = {
      kind: "rendered",
      result: await finishDashboardImport(prepared.writer, prepared.files, await prepared.done, code),
    };
  } catch (error) {
    reply = failed(error);
  }
  // Kept now that it holds what the import compiled too (once: when there was none it could use).
  saveCodeCache();
  parentPort!.postMessage(reply);
});
