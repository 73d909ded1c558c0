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
import path from "node:path";
import { KeptStore } from "./kept-store.ts";

/** Bumped when what an entry holds changes. */
const format = "o11y kept facts 1";
const fileName = path.join(".o11y-cache", "facts.json");

let store: KeptStore<unknown> | undefined;

/** Reads the facts kept for the project at `root` by the code whose hash is `codeVersion` (once). */
export function loadKeptFacts(root: string, codeVersion: string): void {
  store ??= new KeptStore(
    path.join(root, fileName),
    `${format} ${codeVersion}`,
    (_value): _value is unknown => true,
  );
}

/**
 * `work(text)`, or what it gave for this very text before, when that is still of the shape `accept` takes (a file
 * damaged or written by hand is worked out again). The answer must be plain JSON data, and is shared: callers read
 * it and never change it.
 */
export function keptFact<T>(
  kind: string,
  text: string,
  work: (text: string) => T,
  accept: (value: unknown) => value is T,
): T {
  if (!store) return work(text);
  const key = `${kind}\0${text}`;
  const kept = store.get(key);
  if (accept(kept)) return kept;
  const value = work(text);
  store.set(key, value);
  return value;
}

/** Writes the facts this run used (see KeptStore.save). Never throws: not kept, the next run works them out. */
export function saveKeptFacts(): void {
  store?.save();
}
