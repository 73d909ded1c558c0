/**
 * Facts the definitions work out from a text while they load (the series an expression selects), kept on disk for
 * the next process (`.o11y-cache/facts.json`). Each is a pure function of its text and of the code that works it
 * out, so an entry is found by its kind and its very text, in a file that holds the version of the code (the cached
 * bundle's hash, as for the checks' verdicts: kept-verdicts.ts); another version reads nothing of it. Without a
 * load (a run through tsx, a test) nothing is kept and every fact is worked out.
 *
 * Why: working them out parses PromQL while the project loads, and lezer's first parses in a process run cold
 * (~20 ms), besides loading the parser at all. A build whose texts did not change parses none of them.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Bumped when what an entry holds changes. */
const format = "o11y kept facts 1";
const fileName = path.join(".o11y-cache", "facts.json");

interface Store {
  file: string;
  version: string;
  entries: Map<string, unknown>;
  used: Set<string>;
  changed: boolean;
}

let store: Store | undefined;

/** Reads the facts kept for the project at `root` by the code whose hash is `codeVersion` (once). */
export function loadKeptFacts(root: string, codeVersion: string): void {
  if (store) return;
  const version = `${format} ${codeVersion}`;
  store = { file: path.join(root, fileName), version, entries: new Map(), used: new Set(), changed: false };
  try {
    const kept = JSON.parse(readFileSync(store.file, "utf8")) as { version?: unknown; entries?: unknown };
    if (kept.version !== version || typeof kept.entries !== "object" || kept.entries === null) return;
    for (const [key, value] of Object.entries(kept.entries)) store.entries.set(key, value);
  } catch {
    // None yet, or unreadable: worked out, and saved anew.
  }
}

/**
 * `work(text)`, or what it gave for this very text before. The answer must be plain JSON data, and is shared:
 * callers read it and never change it.
 */
export function keptFact<T>(kind: string, text: string, work: (text: string) => T): T {
  if (!store) return work(text);
  const key = `${kind}\0${text}`;
  store.used.add(key);
  if (store.entries.has(key)) return store.entries.get(key) as T;
  const value = work(text);
  store.entries.set(key, value);
  store.changed = true;
  return value;
}

/**
 * Writes the facts this process used, when one was new or one kept was not used. Written to a temporary file and
 * renamed. Never throws: not kept, the next run works them out.
 */
export function saveKeptFacts(): void {
  if (!store || (!store.changed && store.entries.size === store.used.size)) return;
  const { file } = store;
  try {
    const entries = Object.fromEntries([...store.used].sort().map((key) => [key, store!.entries.get(key)]));
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: store.version, entries }));
    renameSync(temp, file);
    store.changed = false;
  } catch {
    // Not kept: the next run works them out again.
  }
}
