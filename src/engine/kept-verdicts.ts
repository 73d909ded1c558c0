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
import path from "node:path";
import type { Diagnostic } from "./diagnostics.ts";
import { sha256 } from "./kept-outputs.ts";
import { KeptStore } from "./kept-store.ts";
import type { Model } from "./model.ts";

/** Bumped when what an entry holds, or how a model is hashed, changes. */
const format = "o11y kept verdicts 1";
const fileName = path.join(".o11y-cache", "verdicts.json");

let store: KeptStore<Diagnostic[]> | undefined;

/** Reads the verdicts kept for the project at `root` by the code whose hash is `codeVersion` (once). */
export function loadKeptVerdicts(root: string, codeVersion: string): void {
  store ??= new KeptStore(
    path.join(root, fileName),
    `${format} ${codeVersion}`,
    (value): value is Diagnostic[] => Array.isArray(value),
  );
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
  const kept = store.get(key);
  if (kept) return structuredClone(kept);
  const diagnostics = check(model);
  store.set(key, structuredClone(diagnostics));
  return diagnostics;
}

/** Writes the verdicts the last build used (see KeptStore.save). Never throws: not kept, the next build checks. */
export function saveKeptVerdicts(): void {
  store?.save();
}
