/**
 * The type check of the project's TypeScript sources, by the project's own TypeScript (7, the native `tsc`
 * that `npm run typecheck` runs) with tsconfig.json, over src/ and the project module: each error a diagnostic
 * at its file:line:col. TypeScript 7 has no stable JavaScript API, so `tsc` runs as a process, over a config
 * in .o11y-cache/ that extends tsconfig.json; it checks src/ in a fraction of the time TypeScript 6's API
 * takes (and is the compiler the project declares).
 *
 * The result is cached in .o11y-cache/ under a hash of everything it depends on: this module's version, the
 * TypeScript version, tsconfig.json, package-lock.json (the packages' types), the project module's path, and
 * the path and content of every file under src/ and of the project module; and then of any other source the
 * program read (a fixture's helpers, say), whose hashes the entry lists. An unchanged tree reads one small file.
 * Run from the CLI's cached bundle, whose name is a hash of all of those files and more, the key is made from that
 * hash instead of reading them all again.
 */
import { startChild } from "../child-process.ts";
import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic } from "../diagnostics.ts";
import { importModule } from "../import-module.ts";

export const typecheckModes = ["on", "off"] as const;
export type TypecheckMode = (typeof typecheckModes)[number];

/** Bumped when what an entry holds, or how diagnostics are made, changes. */
const format = "o11y typecheck 1";
const cacheDir = ".o11y-cache";

interface CacheEntry {
  /** Sources outside src/ that the program read, with their sha256: the entry holds while they are unchanged. */
  extra: Array<{ path: string; sha256: string }>;
  diagnostics: Diagnostic[];
}

export interface TypecheckOptions {
  /** The project's root: where tsconfig.json, src/ and .o11y-cache/ are. */
  root: string;
  /** The project module (absolute), e.g. <root>/src/project.ts. */
  projectModule: string;
  /** Stops a running `tsc` (the watch, when a newer save makes its answer stale, or on Ctrl-C). */
  signal?: AbortSignal;
  /** Runs `tsc` at the lowest CPU priority (`nice`), so that it takes only what the builds beside it leave. */
  background?: boolean;
  /**
   * A hash already made of every file the cache key reads and more (the cached bundle's name: src/, tsconfig.json,
   * the lockfiles, for this project module): the key is made from it rather than by hashing them again.
   */
  sourcesKey?: string;
}

export interface TypecheckResult {
  diagnostics: Diagnostic[];
  /** Whether the check ran (else the cache answered). */
  ran: boolean;
  /** Set when `signal` stopped it: the diagnostics are then empty and say nothing. */
  aborted?: boolean;
}

const sha256 = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");
const relative = (root: string, file: string) => path.relative(root, file).split(path.sep).join("/");

/** Type errors of the project's sources; from the cache when nothing they depend on changed. */
export async function typecheck(options: TypecheckOptions): Promise<TypecheckResult> {
  const { root, projectModule } = options;
  let manifest: string;
  let version: string;
  try {
    manifest = createRequire(import.meta.url).resolve("typescript/package.json");
    version = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch (error) {
    return {
      diagnostics: [
        cannotRun(`TypeScript is not installed (${error instanceof Error ? error.message : String(error)})`),
      ],
      ran: false,
    };
  }
  const key =
    options.sourcesKey === undefined
      ? cacheKey(root, projectModule, version)
      : sha256(`${format} typescript ${version} sources ${options.sourcesKey}`);
  const slot = sha256(relative(root, projectModule)).slice(0, 8);
  const dir = path.join(root, cacheDir);
  const file = path.join(dir, `typecheck-${slot}-${key.slice(0, 32)}.json`);
  const cached = readEntry(root, file);
  if (cached) return { diagnostics: cached, ran: false };

  let exe: string;
  try {
    exe = await nativeCompiler(manifest);
  } catch (error) {
    return {
      diagnostics: [
        cannotRun(
          `TypeScript's compiler is not installed for this platform (${error instanceof Error ? error.message : String(error)})`,
        ),
      ],
      ran: false,
    };
  }
  const checked = await runCheck(
    root,
    projectModule,
    exe,
    path.join(dir, `typecheck-${slot}.tsconfig.json`),
    options.signal,
    options.background === true,
  );
  if ("aborted" in checked) return { diagnostics: [], ran: true, aborted: true };
  if ("failure" in checked) return { diagnostics: [cannotRun(checked.failure)], ran: true };
  const entry: CacheEntry = {
    extra: checked.read.map((source) => ({
      path: relative(root, source),
      sha256: sha256(readFileSync(source)),
    })),
    diagnostics: checked.diagnostics,
  };
  writeEntry(dir, file, slot, entry);
  return { diagnostics: checked.diagnostics, ran: true };
}

/** The native `tsc` of the installed TypeScript (its package.json at `manifest`), as its own launcher finds it. */
async function nativeCompiler(manifest: string): Promise<string> {
  const { default: getExePath } = (await importModule(
    pathToFileURL(path.join(path.dirname(manifest), "lib", "getExePath.js")).href,
  )) as { default: () => string };
  return getExePath();
}

/** A hash of everything the check depends on but the extra sources (see the module's comment). */
function cacheKey(root: string, projectModule: string, compilerVersion: string): string {
  const hash = createHash("sha256");
  const add = (name: string, content: string | Buffer) =>
    hash.update(`${name}\0${content.length}\0`).update(content);
  add("version", `${format} typescript ${compilerVersion} project ${relative(root, projectModule)}`);
  for (const name of ["tsconfig.json", "package-lock.json"]) {
    let content: Buffer | string;
    try {
      content = readFileSync(path.join(root, name));
    } catch {
      content = "\0missing";
    }
    add(name, content);
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(root, "src"));
  if (!files.includes(projectModule)) files.push(projectModule);
  for (const source of files) add(relative(root, source), readFileSync(source));
  return hash.digest("hex");
}

function readEntry(root: string, file: string): Diagnostic[] | undefined {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(readFileSync(file, "utf8")) as CacheEntry;
  } catch {
    return undefined;
  }
  for (const extra of entry.extra) {
    try {
      if (sha256(readFileSync(path.join(root, extra.path))) !== extra.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  return entry.diagnostics;
}

/** Written to a temporary file and renamed, so that a concurrent run reads a whole entry or none; the slot's older entries go. */
function writeEntry(dir: string, file: string, slot: string, entry: CacheEntry): void {
  try {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, `${JSON.stringify(entry)}\n`);
    renameSync(temp, file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`typecheck-${slot}-`) && name.endsWith(".json") && path.join(dir, name) !== file)
        unlinkSync(path.join(dir, name));
    }
  } catch {
    // Not cached: the next run checks again.
  }
}

/**
 * Runs `tsc` over src/ and the project module, with tsconfig.json's options, from a config beside the cache
 * (inside the project, so that its types resolve as tsconfig.json's do): the diagnostics, and the sources
 * outside src/ that the program read (absolute).
 */
async function runCheck(
  root: string,
  projectModule: string,
  exe: string,
  cachedConfig: string,
  signal: AbortSignal | undefined,
  background: boolean,
): Promise<{ diagnostics: Diagnostic[]; read: string[] } | { failure: string } | { aborted: true }> {
  // Beside the cache; else (a checkout where .o11y-cache/ cannot be written) for this run only, in the root, as git ignores .o11y-tmp-*.
  const config =
    writeConfig(root, projectModule, cachedConfig) ??
    writeConfig(
      root,
      projectModule,
      path.join(root, `.o11y-tmp-typecheck-${process.pid}-${randomBytes(4).toString("hex")}.json`),
    );
  if (config === undefined)
    return { failure: `cannot write its configuration into ${cacheDir}/ nor into ${root}` };
  let run;
  try {
    const args = ["--project", config, "--pretty", "false", "--listFiles"];
    // `nice` starts it niced, every thread of it: a priority set once it runs would miss those already started.
    const nice = background ? lowPriority() : undefined;
    run = await (nice
      ? runCompiler(nice, ["-n", "19", exe, ...args], root, signal)
      : runCompiler(exe, args, root, signal));
  } finally {
    if (config !== cachedConfig) rmSync(config, { force: true });
  }
  if (signal?.aborted) return { aborted: true };
  if (run.error) return { failure: `${exe} could not run (${run.error.message})` };
  // 0: no errors; 1 and 2: errors (reported, with or without output).
  if (run.status === null || run.status > 2)
    return {
      failure: `${exe} stopped (${run.signal ?? `exit ${run.status}`}): ${run.stderr.trim().split("\n")[0] ?? ""}`,
    };
  const { diagnostics, files } = parseOutput(root, run.stdout);
  const src = path.join(root, "src") + path.sep;
  const nodeModules = `${path.sep}node_modules${path.sep}`;
  const read = files.filter(
    (file) =>
      file.startsWith(root + path.sep) &&
      !file.startsWith(src) &&
      file !== projectModule &&
      !file.includes(nodeModules),
  );
  return { diagnostics, read };
}

/** The `nice` command on PATH, if any (none on Windows). */
function lowPriority(): string | undefined {
  if (process.platform === "win32") return undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, "nice");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** `tsc`'s exit and output, without blocking: the watch goes on meanwhile, and its Ctrl-C stops it (`signal`). */
function runCompiler(
  exe: string,
  args: string[],
  cwd: string,
  signal: AbortSignal | undefined,
): Promise<{
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let error: Error | undefined;
    // SIGKILL: tsc finishes its check before it heeds a SIGTERM, which is what stopping it is to save.
    const child = startChild(exe, args, {
      cwd,
      ...(signal ? { signal, killSignal: "SIGKILL" as const } : {}),
    });
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxOutputBytes) {
        error ??= new Error(`it printed more than ${maxOutputBytes / 2 ** 20} MB`);
        child.kill("SIGKILL");
      } else into.push(chunk);
    };
    child.stdout!.on("data", keep(stdout));
    child.stderr!.on("data", keep(stderr));
    // An abort is reported by `signal` itself; any other error ends the run.
    child.on("error", (failure) => {
      if (failure.name !== "AbortError") error ??= failure;
    });
    child.on("close", (status, exitSignal) =>
      resolve({
        status,
        signal: exitSignal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        ...(error ? { error } : {}),
      }),
    );
  });
}

const maxOutputBytes = 256 * 2 ** 20;

/** A config that extends tsconfig.json over src/ and the project module, written atomically; undefined when it cannot be written. */
function writeConfig(root: string, projectModule: string, config: string): string | undefined {
  // "./tsconfig.json", not "tsconfig.json": a bare name would be a package's config.
  const from = (target: string) => {
    const to = relative(path.dirname(config), target);
    return to.startsWith("../") ? to : `./${to}`;
  };
  const content = {
    extends: from(path.join(root, "tsconfig.json")),
    compilerOptions: { noEmit: true },
    include: [`${from(path.join(root, "src"))}/**/*`],
    files: [from(projectModule)],
  };
  try {
    mkdirSync(path.dirname(config), { recursive: true });
    const temp = `${config}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`);
    renameSync(temp, config);
    return config;
  } catch {
    return undefined;
  }
}

/**
 * `tsc --pretty false --listFiles` output: `file(line,col): error TS2322: message`, or `error TS5023: message`
 * for the options, with a message's further lines indented; and each file of the program, one absolute path a line.
 */
export function parseOutput(root: string, output: string): { diagnostics: Diagnostic[]; files: string[] } {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const located = /^(.+?)\((\d+),(\d+)\): (error|warning) TS(\d+): (.*)$/;
  const global = /^(error|warning) TS(\d+): (.*)$/;
  let last: Diagnostic | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line === "") continue;
    const at = located.exec(line);
    const anywhere = at ? undefined : global.exec(line);
    if (at || anywhere) {
      const [severity, code, message] = at
        ? [at[4]!, at[5]!, at[6]!]
        : [anywhere![1]!, anywhere![2]!, anywhere![3]!];
      const source = at
        ? { file: relative(root, path.resolve(root, at[1]!)), line: Number(at[2]), column: Number(at[3]) }
        : { file: "tsconfig.json", line: 1 };
      // TS1xxx: what the parser (or the grammar) cannot read.
      const check = code.startsWith("1") && code.length === 4 ? "typescript/syntax" : "typescript/type-error";
      last = {
        check,
        severity: severity === "error" ? "error" : "warning",
        subject: `TS${code}`,
        source,
        message,
      };
      diagnostics.push(last);
    } else if (/^\s/.test(line) && last) {
      last.message += `\n    ${line.trim()}`;
    } else if (path.isAbsolute(line)) {
      files.push(path.normalize(line));
      last = undefined;
    }
  }
  return { diagnostics, files };
}

function cannotRun(why: string): Diagnostic {
  return {
    check: "typescript/type-error",
    severity: "error",
    subject: "type check",
    source: { file: "tsconfig.json", line: 1 },
    message: `the type check could not run: ${why}`,
    fix: "run npm ci (the type check runs the project's typescript package); --typecheck off builds without it.",
  };
}
