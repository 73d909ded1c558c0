/**
 * The outputs of the last build, kept on disk for the next process (`.o11y-cache/outputs-<version>.json`): the YAML
 * text each document was written as (render/artifact.ts), the document each YAML text reads back to, and which files
 * their schemas accepted (validate/schemas.ts). Writing YAML, parsing it again and validating every file are most of
 * a build's time; a build whose outputs did not change reads this one file instead. An entry is found by the sha256
 * of all its answer depends on (a document's JSON and header; a text; the schemas' fingerprint, a schema and a
 * text), so it never answers for anything else. The file's name holds the version of the rest: the `yaml` package,
 * and the source of the modules that write, read and validate. Another version reads nothing of it (and the next
 * save replaces it).
 *
 * `compile()` touches no file: the CLI loads the store before a build (`loadKeptOutputs`) and saves it after one
 * (`saveKeptOutputs`), with only the entries that build used. Without a load, nothing is kept between processes.
 */
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Bumped when what an entry holds changes. */
const format = "o11y kept outputs 1";
const cacheDir = ".o11y-cache";

interface Store {
  file: string;
  /** sha256 of a document's JSON and header -> its text. */
  written: Map<string, string>;
  /** sha256 of a text -> the document it reads back to. */
  read: Map<string, unknown>;
  /** sha256 of the schemas' fingerprint, a schema and a text its schema accepts. */
  valid: Set<string>;
  /** The entries this process used or added: what is saved. */
  usedWritten: Set<string>;
  usedRead: Set<string>;
  usedValid: Set<string>;
  changed: boolean;
}

let store: Store | undefined;

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** What the answers depend on: the yaml package's version and the source of the writer, the reader and the validators. */
function version(root: string): string | undefined {
  try {
    const require = createRequire(path.join(root, "package.json"));
    const yaml = (
      JSON.parse(readFileSync(require.resolve("yaml/package.json"), "utf8")) as { version: string }
    ).version;
    const hash = createHash("sha256").update(`${format}\0yaml ${yaml}\0`);
    for (const module of [
      "src/engine/render/artifact.ts",
      "src/engine/validate/schemas.ts",
      "src/engine/validate/schemas.precompiled.cjs",
    ])
      hash.update(readFileSync(path.join(root, module)));
    return hash.digest("hex").slice(0, 32);
  } catch {
    return undefined;
  }
}

/** Reads the kept outputs of the project at `root` (once); nothing is kept when their version cannot be told. */
export function loadKeptOutputs(root: string): void {
  if (store) return;
  const tag = version(root);
  if (tag === undefined) return;
  store = {
    file: path.join(root, cacheDir, `outputs-${tag}.json`),
    written: new Map(),
    read: new Map(),
    valid: new Set(),
    usedWritten: new Set(),
    usedRead: new Set(),
    usedValid: new Set(),
    changed: false,
  };
  try {
    const kept = JSON.parse(readFileSync(store.file, "utf8")) as {
      written?: Record<string, string>;
      read?: Record<string, unknown>;
      valid?: string[];
    };
    for (const [key, text] of Object.entries(kept.written ?? {}))
      if (typeof text === "string") store.written.set(key, text);
    for (const [key, document] of Object.entries(kept.read ?? {})) store.read.set(key, document);
    for (const key of kept.valid ?? []) if (typeof key === "string") store.valid.add(key);
  } catch {
    // None yet, or unreadable: the build writes and parses, and saves a new one.
  }
}

/** Whether a store is loaded: without one, nobody need hash anything for it. */
export function keepingOutputs(): boolean {
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

/** Whether the schema accepted the text before (the key: see the module's comment). */
export function keptValid(key: string): boolean {
  if (!store?.valid.has(key)) return false;
  store.usedValid.add(key);
  return true;
}

export function keepValid(key: string): void {
  if (!store) return;
  store.valid.add(key);
  store.usedValid.add(key);
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
export function saveKeptOutputs(): void {
  if (!store) return;
  const stale =
    store.written.size !== store.usedWritten.size ||
    store.read.size !== store.usedRead.size ||
    store.valid.size !== store.usedValid.size;
  if (!store.changed && !stale) return;
  const { file } = store;
  try {
    const written = Object.fromEntries(
      [...store.usedWritten].sort().map((key) => [key, store!.written.get(key)]),
    );
    const read = Object.fromEntries([...store.usedRead].sort().map((key) => [key, store!.read.get(key)]));
    const valid = [...store.usedValid].sort();
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, JSON.stringify({ written, read, valid }));
    renameSync(temp, file);
    for (const name of readdirSync(path.dirname(file)))
      if (/^outputs-[0-9a-f]+\.json$/.test(name) && name !== path.basename(file))
        unlinkSync(path.join(path.dirname(file), name));
    store.changed = false;
  } catch {
    // Not kept: the next build writes and parses again.
  }
}
