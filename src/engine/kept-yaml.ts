/**
 * The YAML of the last build, kept on disk for the next process (`.o11y-cache/yaml-<version>.json`): the text each
 * document was written as (render/artifact.ts) and the document each text reads back to (validate/schemas.ts).
 * Writing YAML and parsing it again for validation are most of a build's time; a build whose outputs did not change
 * reads this one file instead. An entry is found by the sha256 of what it answers for: a document's JSON and
 * header, or a text; so it never answers for anything else. The file's name holds the version of everything an
 * answer depends on: the `yaml` package, and the source of the modules that write and read YAML. Another version
 * reads nothing of it (and the next save replaces it).
 *
 * `compile()` touches no file: the CLI loads the store before a build (`loadKeptYaml`) and saves it after one
 * (`saveKeptYaml`), with only the entries that build used. Without a load, nothing is kept between processes.
 */
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Bumped when what an entry holds changes. */
const format = "o11y kept yaml 1";
const cacheDir = ".o11y-cache";

interface Store {
  file: string;
  /** sha256 of a document's JSON and header -> its text. */
  written: Map<string, string>;
  /** sha256 of a text -> the document it reads back to. */
  read: Map<string, unknown>;
  /** The entries this process used or added: what is saved. */
  usedWritten: Set<string>;
  usedRead: Set<string>;
  changed: boolean;
}

let store: Store | undefined;

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** What the answers depend on: the yaml package's version and the source of the writer and the reader. */
function version(root: string): string | undefined {
  try {
    const require = createRequire(path.join(root, "package.json"));
    const yaml = (
      JSON.parse(readFileSync(require.resolve("yaml/package.json"), "utf8")) as { version: string }
    ).version;
    const hash = createHash("sha256").update(`${format}\0yaml ${yaml}\0`);
    for (const module of ["src/engine/render/artifact.ts", "src/engine/validate/schemas.ts"])
      hash.update(readFileSync(path.join(root, module)));
    return hash.digest("hex").slice(0, 32);
  } catch {
    return undefined;
  }
}

/** Reads the kept YAML of the project at `root` (once); nothing is kept when its version cannot be told. */
export function loadKeptYaml(root: string): void {
  if (store) return;
  const tag = version(root);
  if (tag === undefined) return;
  store = {
    file: path.join(root, cacheDir, `yaml-${tag}.json`),
    written: new Map(),
    read: new Map(),
    usedWritten: new Set(),
    usedRead: new Set(),
    changed: false,
  };
  try {
    const kept = JSON.parse(readFileSync(store.file, "utf8")) as {
      written?: Record<string, string>;
      read?: Record<string, unknown>;
    };
    for (const [key, text] of Object.entries(kept.written ?? {}))
      if (typeof text === "string") store.written.set(key, text);
    for (const [key, document] of Object.entries(kept.read ?? {})) store.read.set(key, document);
  } catch {
    // None yet, or unreadable: the build writes and parses, and saves a new one.
  }
}

/** Whether a store is loaded: without one, nobody need hash anything for it. */
export function keepingYaml(): boolean {
  return store !== undefined;
}

/** The text a document was written as, by its key's sha256 (see render/artifact.ts). */
export function keptText(keyHash: string): string | undefined {
  if (!store) return undefined;
  const text = store.written.get(keyHash);
  if (text !== undefined) store.usedWritten.add(keyHash);
  return text;
}

export function keepText(keyHash: string, text: string): void {
  if (!store) return;
  store.written.set(keyHash, text);
  store.usedWritten.add(keyHash);
  store.changed = true;
}

/** The document a text reads back to, if kept. The caller must not change it (nothing does). */
export function keptDocument(textHash: string): { document: unknown } | undefined {
  if (!store || !store.read.has(textHash)) return undefined;
  store.usedRead.add(textHash);
  return { document: store.read.get(textHash) };
}

/** Keeps a document that JSON holds exactly (plain data, finite numbers, no -0); any other is not kept. */
export function keepDocument(textHash: string, document: unknown): void {
  if (!store || !plainJson(document)) return;
  store.read.set(textHash, document);
  store.usedRead.add(textHash);
  store.changed = true;
}

function plainJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(plainJson);
  if (typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value as Record<string, unknown>).every(plainJson);
}

/**
 * Writes the entries this process used, when any was new or one kept was not used: the file stays the size of one
 * build. Written to a temporary file and renamed; other versions' files go. Never throws: not kept, the next build
 * writes and parses again.
 */
export function saveKeptYaml(): void {
  if (!store) return;
  const stale = store.written.size !== store.usedWritten.size || store.read.size !== store.usedRead.size;
  if (!store.changed && !stale) return;
  const { file } = store;
  try {
    const written = Object.fromEntries(
      [...store.usedWritten].sort().map((key) => [key, store!.written.get(key)]),
    );
    const read = Object.fromEntries([...store.usedRead].sort().map((key) => [key, store!.read.get(key)]));
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, JSON.stringify({ written, read }));
    renameSync(temp, file);
    for (const name of readdirSync(path.dirname(file)))
      if (/^yaml-[0-9a-f]+\.json$/.test(name) && name !== path.basename(file))
        unlinkSync(path.join(path.dirname(file), name));
    store.changed = false;
  } catch {
    // Not kept: the next build writes and parses again.
  }
}
