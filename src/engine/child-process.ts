/**
 * The processes o11y starts (promtool, amtool, vmalert, tsc): directly, or, in a process that lives long with a large
 * heap (the watch), through a small helper process started once.
 *
 * Node starts a child by forking the whole process. A process of a few hundred MB pays for that twice: the fork copies
 * its page tables and waits until the child has started its program (tens of milliseconds, hundreds on a busy
 * machine, during which this thread does nothing), and afterwards each page it writes faults once, copy-on-write
 * (tens of milliseconds of CPU, in the build that follows). The helper is a small Node process: forking it costs
 * little, and this process never forks again. It starts each child as asked, relays its output and its end, and kills
 * what it is told to; when this process goes, its input ends and it kills every child still running, then exits.
 *
 * The helper is shared by every copy of this module in the process (the watch loads the engine's modules twice, in its
 * own bundle and in the engine's), through `globalThis`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { createInterface } from "node:readline";

/** What o11y reads of a started process: ChildProcess's own events (`error`, `exit`, `close`) and its output. */
export interface Child extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdout: ChildOutput | null;
  readonly stderr: ChildOutput | null;
  kill(signal?: NodeJS.Signals): boolean;
}

/** A child's stdout or stderr: `data` events of Buffers; `destroy` stops reading it. */
export interface ChildOutput extends EventEmitter {
  destroy(): unknown;
}

export interface ChildOptions {
  cwd: string;
  /** In a process group of its own (`killChild(child, signal, { group: true })` kills the group). */
  detached?: boolean;
  /** Aborted: the child is killed with `killSignal`, and an `error` named AbortError is emitted, as Node does. */
  signal?: AbortSignal;
  killSignal?: NodeJS.Signals;
}

/** `file` with `args`, its stdin ignored and its output piped: through the helper when it runs. */
export function startChild(file: string, args: string[], options: ChildOptions): Child {
  const helper = running();
  if (!helper) {
    return spawn(file, args, {
      cwd: options.cwd,
      detached: options.detached ?? false,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal, killSignal: options.killSignal ?? "SIGTERM" } : {}),
    });
  }
  const child = new HelpedChild(helper, helper.nextId++);
  helper.started(child);
  helper.send({ id: child.id, spawn: { file, args, cwd: options.cwd, detached: options.detached ?? false } });
  const { signal } = options;
  if (signal) {
    const onAbort = () => {
      child.kill(options.killSignal ?? "SIGTERM");
      const error = new Error("The operation was aborted");
      error.name = "AbortError";
      child.emit("error", error);
    };
    if (signal.aborted) queueMicrotask(onAbort);
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      child.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }
  return child;
}

/** Kills a child, or, with `group`, its process group (it was started `detached`); gone already is fine. */
export function killChild(child: Child, signal: NodeJS.Signals, { group = false } = {}): void {
  // The helper's child (of whichever copy of this module started it) knows how to reach it before its pid is known.
  if (isHelped(child)) {
    child.signalHelped(signal, group);
    return;
  }
  if (child.pid === undefined) return;
  try {
    // Windows has no process groups to signal: the child alone.
    if (group && process.platform !== "win32") process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Gone already.
  }
}

const isHelped = (child: Child): child is Child & Pick<HelpedChild, "signalHelped"> =>
  typeof (child as Partial<HelpedChild>).signalHelped === "function";

/**
 * From now on, children start through the helper (idempotent). Called by the watch at its start, while its heap is
 * small; the one-shot commands fork a few times in a small process and do not need it.
 */
export function startChildHelper(): void {
  const shared = globalThis as { [helperKey]?: Helper };
  if (shared[helperKey] && !shared[helperKey].gone) return;
  shared[helperKey] = new Helper();
}

/** Stops the helper: the children still running are killed. Resolves once it has exited. */
export async function stopChildHelper(): Promise<void> {
  const shared = globalThis as { [helperKey]?: Helper };
  const helper = shared[helperKey];
  delete shared[helperKey];
  await helper?.stop();
}

const helperKey = Symbol.for("o11y.childHelper");

function running(): Helper | undefined {
  const helper = (globalThis as { [helperKey]?: Helper })[helperKey];
  return helper && !helper.gone ? helper : undefined;
}

/**
 * The helper's program: requests on stdin, one JSON object a line (`{id, spawn: {file, args, cwd, detached}}`,
 * `{id, kill: signal, group}`, `{id, destroy: true}`), events on stdout, one a line (`{id, pid}`, `{id, stdout}` and
 * `{id, stderr}` in base64, `{id, error, code}`, `{id, exit: [code, signal]}`, `{id, close: [code, signal]}`).
 * Interrupts are for the process that started it, which stops it when it stops.
 */
const helperProgram = `
"use strict";
const { spawn } = require("node:child_process");
const children = new Map();
const send = (event) => process.stdout.write(JSON.stringify(event) + "\\n");
const signalGroup = (entry, signal) => {
  try {
    if (entry.detached && entry.child.pid !== undefined && process.platform !== "win32") process.kill(-entry.child.pid, signal);
    else entry.child.kill(signal);
  } catch {}
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  const id = request.id;
  if (request.spawn) {
    const { file, args, cwd, detached } = request.spawn;
    let child;
    try {
      child = spawn(file, args, { cwd, detached, stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      send({ id, error: String(error && error.message), code: error && error.code });
      send({ id, close: [null, null] });
      return;
    }
    const entry = { child, detached, pending: undefined };
    children.set(id, entry);
    if (child.pid !== undefined) send({ id, pid: child.pid });
    child.stdout.on("data", (data) => send({ id, stdout: data.toString("base64") }));
    child.stderr.on("data", (data) => send({ id, stderr: data.toString("base64") }));
    child.on("error", (error) => send({ id, error: String(error.message), code: error.code }));
    child.on("exit", (code, signal) => send({ id, exit: [code, signal] }));
    child.on("close", (code, signal) => {
      children.delete(id);
      send({ id, close: [code, signal] });
    });
  } else if (request.kill) {
    const entry = children.get(id);
    if (entry) signalGroup({ ...entry, detached: entry.detached && request.group }, request.kill);
  } else if (request.destroy) {
    const entry = children.get(id);
    if (entry) {
      entry.child.stdout.destroy();
      entry.child.stderr.destroy();
    }
  }
});
process.stdin.on("end", () => {
  for (const entry of children.values()) signalGroup(entry, "SIGKILL");
  process.exit(0);
});
`;

interface HelperEvent {
  id: number;
  pid?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
  code?: string;
  exit?: [number | null, NodeJS.Signals | null];
  close?: [number | null, NodeJS.Signals | null];
}

class Helper {
  readonly process: ChildProcess;
  readonly children = new Map<number, HelpedChild>();
  nextId = 1;
  /** Set once it has exited (stopped, or died: then every child it ran ends with an error, and children start directly). */
  gone = false;
  private readonly exited: Promise<void>;

  constructor() {
    this.process = spawn(process.execPath, ["-e", helperProgram], { stdio: ["pipe", "pipe", "ignore"] });
    this.exited = new Promise((resolve) => this.process.once("close", () => resolve()));
    this.process.once("close", () => {
      this.gone = true;
      for (const child of this.children.values()) child.end(new Error("the process that ran it stopped"));
      this.children.clear();
    });
    this.process.on("error", () => {});
    this.process.stdin!.on("error", () => {});
    createInterface({ input: this.process.stdout! }).on("line", (line) => {
      let event: HelperEvent;
      try {
        event = JSON.parse(line) as HelperEvent;
      } catch {
        return;
      }
      this.children.get(event.id)?.receive(event);
      if (event.close) this.released(event.id);
    });
    this.hold(false);
  }

  send(request: object): void {
    if (!this.gone) this.process.stdin!.write(`${JSON.stringify(request)}\n`);
  }

  started(child: HelpedChild): void {
    this.children.set(child.id, child);
    this.hold(true);
  }

  private released(id: number): void {
    this.children.delete(id);
    if (this.children.size === 0) this.hold(false);
  }

  /** Whether the helper keeps this process alive: while a child runs (its end is awaited), not when idle. */
  private hold(on: boolean): void {
    for (const handle of [this.process, this.process.stdin, this.process.stdout] as Array<{
      ref(): unknown;
      unref(): unknown;
    } | null>)
      if (on) handle?.ref();
      else handle?.unref();
  }

  async stop(): Promise<void> {
    if (!this.gone) this.process.stdin!.end();
    await this.exited;
  }
}

/** A child the helper runs, as a ChildProcess looks to o11y. */
class HelpedChild extends EventEmitter implements Child {
  pid: number | undefined;
  readonly stdout = new HelpedOutput(() => this.helper.send({ id: this.id, destroy: true }));
  readonly stderr = new HelpedOutput(() => this.helper.send({ id: this.id, destroy: true }));
  private closed = false;

  constructor(
    readonly helper: Helper,
    readonly id: number,
  ) {
    super();
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    return this.signalHelped(signal, false);
  }

  /**
   * Signals the child, or its process group; before its pid is known here, through the helper, which signals it
   * as soon as it has started it. Once it has ended, nothing.
   */
  signalHelped(signal: NodeJS.Signals, group: boolean): boolean {
    if (this.closed) return false;
    if (this.pid === undefined) {
      this.helper.send({ id: this.id, kill: signal, group });
      return true;
    }
    try {
      // Windows has no process groups to signal: the child alone.
      process.kill(group && process.platform !== "win32" ? -this.pid : this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  receive(event: HelperEvent): void {
    if (event.pid !== undefined) this.pid = event.pid;
    if (event.stdout !== undefined) this.stdout.emit("data", Buffer.from(event.stdout, "base64"));
    if (event.stderr !== undefined) this.stderr.emit("data", Buffer.from(event.stderr, "base64"));
    if (event.error !== undefined)
      this.emit("error", Object.assign(new Error(event.error), event.code ? { code: event.code } : {}));
    if (event.exit) this.emit("exit", ...event.exit);
    if (event.close) {
      this.closed = true;
      this.emit("close", ...event.close);
    }
  }

  /** The helper is gone: the child's end, as far as anyone will know. */
  end(error: Error): void {
    if (this.closed) return;
    this.emit("error", error);
    this.closed = true;
    this.emit("close", null, null);
  }
}

class HelpedOutput extends EventEmitter implements ChildOutput {
  constructor(private readonly onDestroy: () => void) {
    super();
  }

  destroy(): void {
    this.onDestroy();
  }
}
