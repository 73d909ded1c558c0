/**
 * One file of answers kept for the next process, under a version (the code's, and the format's): the checks'
 * verdicts (kept-verdicts.ts) and the definitions' facts (kept-facts.ts). A file of another version is read as
 * empty. It is saved with only the entries this process used, and only when one was added or one kept went unused.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export class KeptStore<Value> {
  private readonly entries = new Map<string, Value>();
  private readonly used = new Set<string>();
  private changed = false;

  /** Reads `file`, keeping the entries `accept` takes, when it holds `version`; none yet, or unreadable: empty. */
  constructor(
    private readonly file: string,
    private readonly version: string,
    accept: (value: unknown) => value is Value,
  ) {
    try {
      const kept = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown; entries?: unknown };
      if (kept.version !== version || typeof kept.entries !== "object" || kept.entries === null) return;
      for (const [key, value] of Object.entries(kept.entries))
        if (accept(value)) this.entries.set(key, value);
    } catch {
      // Worked out, and saved anew.
    }
  }

  /** The answer kept for `key` (marked used: it is saved), or undefined. */
  get(key: string): Value | undefined {
    this.used.add(key);
    return this.entries.get(key);
  }

  set(key: string, value: Value): void {
    this.used.add(key);
    this.entries.set(key, value);
    this.changed = true;
  }

  /** Written to a temporary file and renamed. Never throws: not kept, the next process works it out again. */
  save(): void {
    if (!this.changed && this.entries.size === this.used.size) return;
    try {
      const entries = Object.fromEntries([...this.used].sort().map((key) => [key, this.entries.get(key)]));
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
      writeFileSync(temp, JSON.stringify({ version: this.version, entries }));
      renameSync(temp, this.file);
      this.changed = false;
    } catch {
      // Not kept.
    }
  }
}
