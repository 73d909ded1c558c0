/**
 * Which run a temporary file or folder belongs to, and whether that run is still alive: the process id and,
 * on Linux, the process's start time (so a recycled pid, or the same pid in the next container, is not
 * mistaken for the run that made the file). A later run removes what dead runs left, and never what a live
 * one is using.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/** A run: its pid and start time (clock ticks since boot; 0 where /proc cannot say). */
export interface Owner {
  pid: number;
  start: number;
}

/** `<pid>-<start>`, as owners are written into file names. */
export const ownerPattern = String.raw`(\d+)-(\d+)`;

/** Field 22 of /proc/<pid>/stat, and whether the process is a zombie (dead, not yet reaped); undefined without /proc. */
function processStat(pid: number | "self"): { start: number; zombie: boolean } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const start = Number(fields[19]);
  return Number.isSafeInteger(start) ? { start, zombie: fields[0] === "Z" } : undefined;
}

let self: Owner | undefined;

/** This run. */
export function currentOwner(): Owner {
  self ??= { pid: process.pid, start: processStat("self")?.start ?? 0 };
  return self;
}

/** `<pid>-<start>-<random>`: unique to one temporary thing of this run, and naming its owner. */
export function ownedName(): string {
  const { pid, start } = currentOwner();
  return `${pid}-${start}-${randomBytes(4).toString("hex")}`;
}

export function ownerOf(pid: string | number, start: string | number): Owner {
  return { pid: Number(pid), start: Number(start) };
}

/** Whether the run that wrote `owner` may still be running (so what it made must be left alone). */
export function isAlive(owner: Owner): boolean {
  const me = currentOwner();
  // Our own pid with another start time (or none known) is an earlier run whose pid we inherited.
  if (owner.pid === me.pid) return owner.start === me.start && me.start !== 0;
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: a process of another user has it; it is alive, whoever it is.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = processStat(owner.pid);
  if (stat === undefined) return true;
  return !stat.zombie && (owner.start === 0 || stat.start === owner.start);
}
