/**
 * The checks' verdicts on the models of the last builds, kept on disk for the next process
 * (`.o11y-cache/verdicts.json`). The checks are a pure function of the model and of the code that runs them: the
 * same model, checked by the same code, gets the same diagnostics. So an entry is found by the sha256 of the whole
 * model (every value spelt apart, `undefined`, non-finite numbers and -0 included), in a file that holds the
 * version of the code: a hash the CLI gives, of every source file and the installed packages (the cached bundle's
 * name, see bin/o11y.js). Another version reads nothing of it. Without that hash (a run through tsx) nothing is
 * kept, and every build checks.
 *
 * `compile()` touches no file: the CLI loads the store before a build (`loadKeptVerdicts`) and saves it after one
 * (`saveKeptVerdicts`), with only the entries that build used.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "./diagnostics.ts";
import { sha256 } from "./kept-outputs.ts";
import type { Model } from "./model.ts";

/** Bumped when what an entry holds, or how a model is hashed, changes. */
const format = "o11y kept verdicts 1";
const fileName = path.join(".o11y-cache", "verdicts.json");

interface Store {
  file: string;
  version: string;
  entries: Map<string, Diagnostic[]>;
  used: Set<string>;
  changed: boolean;
}

let store: Store | undefined;

/** Reads the verdicts kept for the project at `root` by the code whose hash is `codeVersion` (once). */
export function loadKeptVerdicts(root: string, codeVersion: string): void {
  if (store) return;
  const version = `${format} ${codeVersion}`;
  store = { file: path.join(root, fileName), version, entries: new Map(), used: new Set(), changed: false };
  try {
    const kept = JSON.parse(readFileSync(store.file, "utf8")) as {
      version?: unknown;
      entries?: Record<string, unknown>;
    };
    if (kept.version !== version) return;
    for (const [key, diagnostics] of Object.entries(kept.entries ?? {}))
      if (Array.isArray(diagnostics)) store.entries.set(key, diagnostics as Diagnostic[]);
  } catch {
    // None yet, or unreadable: the build checks, and saves a new one.
  }
}

/**
 * Spells apart what JSON would not: `undefined`, NaN, the infinities, -0 and big integers, each as a string that
 * starts with a NUL (and a string that starts with one has another put before it).
 */
function exactly(_key: string, value: unknown): unknown {
  if (typeof value === "string") return value.startsWith("\0") ? `\0${value}` : value;
  if (value === undefined) return "\0undefined";
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0)))
    return `\0${Object.is(value, -0) ? "-0" : String(value)}`;
  if (typeof value === "bigint") return `\0${value}n`;
  return value;
}

/**
 * `check(model)`, or the diagnostics it gave for this very model before. Each answer is a copy: callers may sort
 * and filter what they get.
 */
export function keptVerdicts(model: Model, check: (model: Model) => Diagnostic[]): Diagnostic[] {
  if (!store) return check(model);
  let key: string;
  try {
    key = sha256(JSON.stringify(model, exactly));
  } catch {
    // A value JSON cannot hold (a function, a cycle): not kept.
    return check(model);
  }
  const kept = store.entries.get(key);
  store.used.add(key);
  if (kept) return structuredClone(kept);
  const diagnostics = check(model);
  store.entries.set(key, structuredClone(diagnostics));
  store.changed = true;
  return diagnostics;
}

/**
 * Writes the entries this process used, when one was new or one kept was not used: the file holds the verdicts of
 * the last build only. Written to a temporary file and renamed. Never throws: not kept, the next build checks.
 */
export function saveKeptVerdicts(): void {
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
    // Not kept: the next build checks again.
  }
}
