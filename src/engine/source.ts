import { findSourceMap, type SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** Where a definition was written, relative to the project root, so messages are the same on every machine. */
export interface SourceLocation {
  file: string;
  line: number;
  /** 1-based, where a position within the line is known (a type or syntax error). */
  column?: number;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const engineDir = path.join(projectRoot, "src", "engine") + path.sep;
/**
 * Where the CLI's cached bundles are (bin/o11y.js, src/cli/watch/): a frame left there, which the bundle's source map
 * does not map to a source, is o11y's own code (its map covers the project's content only).
 */
const bundlesDir = path.join(projectRoot, ".o11y-cache") + path.sep;

const helperFiles = new Set<string>();

/**
 * Source maps of scripts Node does not map, by file path, each parsed when first asked for: bin/o11y.js runs the
 * CLI's cached bundle as a script (for V8's code cache) and registers its map here.
 */
const scriptMaps: Map<string, () => SourceMap | undefined> = ((
  globalThis as { [key: symbol]: Map<string, () => SourceMap | undefined> | undefined }
)[Symbol.for("o11y.scriptSourceMaps")] ??= new Map());

/**
 * Maps the frames of `file` by `map` while the returned function is not called: a module Node maps too, whose map
 * it finds by a search through every module's (the watch's definitions, evaluated afresh for each build), is
 * looked up here once. `map` is asked again while it has none.
 */
export function useSourceMapOf(file: string, map: () => SourceMap | undefined): () => void {
  let found: SourceMap | undefined;
  const registered = () => (found ??= map());
  scriptMaps.set(file, registered);
  return () => {
    if (scriptMaps.get(file) === registered) scriptMaps.delete(file);
  };
}

/**
 * Content modules that wrap the define helpers call this with `import.meta.url`, so that locations point
 * at the definition that called the wrapper, not at the wrapper.
 */
export function markAsHelper(moduleUrl: string): void {
  helperFiles.add(fileURLToPath(moduleUrl));
}

const unknownLocation = (): SourceLocation => ({ file: "<unknown>", line: 0 });

/** A frame's location as a stack trace prints it: `/abs/path` or `file:///abs/path`, without `(`, `)` or `:`. */
const framePath = /^(?:file:\/\/)?\/[^():]+$/;

/** What a stack walk looks for: the definition's line (helpers skipped), or where the call is written (`callSite`). */
interface Wanted {
  /** Skip the content modules that wrap define helpers (markAsHelper). */
  skipHelpers: boolean;
  /** Keep the frame's column. */
  column: boolean;
}
const definitionLine: Wanted = { skipHelpers: true, column: false };
const writtenAt: Wanted = { skipHelpers: false, column: true };

/** The location of one frame, in the form the stack text would show; undefined when it shows none. */
function pick(
  location: string,
  line: number,
  column: number | undefined,
  wanted: Wanted,
): SourceLocation | undefined {
  const file = location.startsWith("file://") ? fileURLToPath(location) : location;
  if (
    file.startsWith(engineDir) ||
    file.startsWith(bundlesDir) ||
    (wanted.skipHelpers && helperFiles.has(file)) ||
    file.includes(`${path.sep}node_modules${path.sep}`)
  )
    return undefined;
  return wanted.column && column !== undefined
    ? { file: toProjectPath(file), line, column }
    : { file: toProjectPath(file), line };
}

/**
 * The first stack frame outside the engine: the line of content code that called a define helper.
 * Helpers call this so authors never pass their own location.
 *
 * The kit calls this for every panel, so it reads V8's structured call sites and source-maps only the
 * frames it looks at, instead of formatting the whole stack. The answer is the one the stack text would
 * give (see `callerLocationFromStackText`): the same frames, mapped the way Node maps them.
 */
export function callerLocation(): SourceLocation {
  return locate(callerLocation, definitionLine);
}

/**
 * Where the call to the engine function that calls this was written, with its column where the stack says:
 * the first frame outside the engine, even in a helper module (a query's text is written where `query()` is called).
 */
export function callSite(): SourceLocation {
  return locate(callSite, writtenAt);
}

function locate(below: (...args: never[]) => unknown, wanted: Wanted): SourceLocation {
  const limit = Error.stackTraceLimit;
  // Someone else formats stacks (a test runner's source maps, source-map-support), or this Node cannot say
  // whether it maps them: only the text is the truth.
  if (
    typeof limit !== "number" ||
    typeof process.sourceMapsEnabled !== "boolean" ||
    !isNodesOwn(Error.prepareStackTrace)
  ) {
    return locationFromStackText(below, wanted);
  }
  // `new Error()` here would capture `limit` frames starting with this function: the same frames minus this one.
  const frames = Math.max(0, limit - 1);
  // Capturing is cheaper the fewer frames it takes, and the caller is usually within a few: look there first.
  const first = Math.min(frames, 4);
  let sites = callSites(first, below);
  let found = scan(sites, 0, wanted);
  if (found === undefined && sites.length === first && first < frames) {
    const seen = sites.length;
    sites = callSites(frames, below);
    found = scan(sites, seen, wanted);
  }
  if (found === "text") return locationFromStackText(below, wanted);
  return found ?? unknownLocation();
}

const structured = (_error: Error, sites: NodeJS.CallSite[]) => sites;

/** Up to `count` structured frames below `below` (callerLocation or callSite). */
function callSites(count: number, below: (...args: never[]) => unknown): NodeJS.CallSite[] {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  Error.prepareStackTrace = structured;
  Error.stackTraceLimit = count;
  try {
    Error.captureStackTrace(holder, below);
    return holder.stack as NodeJS.CallSite[];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/**
 * The first frame from `start` on outside the engine, located as Node's stack text would show it (a registered
 * script's frames mapped as Node maps a module's).
 */
function scan(sites: NodeJS.CallSite[], start: number, wanted: Wanted): SourceLocation | "text" | undefined {
  const mapped = process.sourceMapsEnabled || scriptMaps.size > 0;
  for (let i = start; i < sites.length; i++) {
    const site = sites[i]!;
    // Node locates eval'd code by its origin; rare enough to leave to the text.
    if (site.isEval()) return "text";
    const fileName = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (!fileName || line === null || column === null) continue;
    const original = mapped ? originalPosition(fileName, line, column, process.sourceMapsEnabled) : undefined;
    const location = original?.source ?? site.getScriptNameOrSourceURL();
    if (typeof location !== "string" || !framePath.test(location)) continue;
    const found = pick(location, original?.line ?? line, original ? original.column : column, wanted);
    if (found) return found;
  }
  return undefined;
}

/** Node's own `Error.prepareStackTrace` (the default, which source-maps frames when source maps are on). */
let checkedPrepare: unknown = null;
let checkedIsNodes = false;
function isNodesOwn(prepare: unknown): boolean {
  if (prepare === undefined) return true;
  if (prepare !== checkedPrepare) {
    checkedPrepare = prepare;
    checkedIsNodes =
      typeof prepare === "function" &&
      prepare.name === "ErrorPrepareStackTrace" &&
      Function.prototype.toString.call(prepare).includes("internalPrepareStackTrace");
  }
  return checkedIsNodes;
}

/**
 * Where a generated position comes from, exactly as Node's source-mapped stack traces print it: by a registered
 * script's map, or, with `nodeMaps`, by the map Node keeps for the module.
 */
function originalPosition(
  fileName: string,
  line: number,
  column: number,
  nodeMaps: boolean,
): OriginalPosition | undefined {
  let map: SourceMap | undefined;
  try {
    const registered = scriptMaps.get(fileName);
    map = registered ? registered() : nodeMaps ? findSourceMap(fileName) : undefined;
  } catch {
    return undefined;
  }
  if (!map) return undefined;
  // Every definition's location passes the kit's frames, the same few positions each time: each is mapped once.
  const key = line < 2 ** 21 && column < 2 ** 32 ? line * 2 ** 32 + column : undefined;
  let known = mapped.get(map);
  if (!known) mapped.set(map, (known = new Map()));
  if (key !== undefined && known.has(key)) return known.get(key);
  const original = mapPosition(map, line, column);
  if (key !== undefined) known.set(key, original);
  return original;
}

interface OriginalPosition {
  source: string;
  line: number;
  column: number;
}

/** The positions each map was asked for, and its answers: a map stands for one text, whatever its file's name. */
const mapped = new WeakMap<SourceMap, Map<number, OriginalPosition | undefined>>();

function mapPosition(map: SourceMap, line: number, column: number): OriginalPosition | undefined {
  try {
    // Source maps count lines and columns from 0, stack traces from 1.
    const entry = map.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (
      entry.originalSource === undefined ||
      entry.originalLine === undefined ||
      entry.originalColumn === undefined
    )
      return undefined;
    const source = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : entry.originalSource;
    return { source, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  } catch {
    // Node prints the generated position when mapping fails.
    return undefined;
  }
}

const frame = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/;

/**
 * `callerLocation` from the formatted stack text, whoever formats it: slower, since every frame it captures is
 * formatted (and source-mapped). Used when stacks are not Node's own; exported so tests can compare.
 */
export function callerLocationFromStackText(): SourceLocation {
  return locationFromStackText(callerLocationFromStackText, definitionLine);
}

/**
 * The first frame below `below` outside the engine, from the stack text of at most `Error.stackTraceLimit - 1`
 * frames (as if captured inside `below`). As in `locate`, the first few frames are formatted first: the caller is
 * usually among them, and a formatter that source-maps (a test runner's) pays for every frame it is given.
 */
function locationFromStackText(below: (...args: never[]) => unknown, wanted: Wanted): SourceLocation {
  const limit = Error.stackTraceLimit;
  const frames = typeof limit === "number" ? Math.max(0, limit - 1) : undefined;
  const first = frames === undefined ? undefined : Math.min(frames, 4);
  const early = first !== undefined && first < frames! ? scanStackText(below, wanted, first) : undefined;
  return early ?? scanStackText(below, wanted, frames) ?? unknownLocation();
}

/** The first frame outside the engine among `count` frames below `below` (the limit as it is when undefined). */
function scanStackText(
  below: (...args: never[]) => unknown,
  wanted: Wanted,
  count: number | undefined,
): SourceLocation | undefined {
  const limit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  if (count !== undefined) Error.stackTraceLimit = count;
  try {
    Error.captureStackTrace(holder, below);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const stack = typeof holder.stack === "string" ? holder.stack.split("\n").slice(1) : [];
  for (const line of stack) {
    const match = frame.exec(line.trim());
    if (!match) continue;
    const position = scriptPosition(match[1]!, Number(match[2]), Number(match[3]));
    const found = pick(position.file, position.line, position.column, wanted);
    if (found) return found;
  }
  return undefined;
}

/**
 * A position of stack text as Node would print it with source maps on: a registered script's (which Node prints
 * as it is) mapped here, any other as it is.
 */
export function scriptPosition<Column extends number | undefined>(
  file: string,
  line: number,
  column: Column,
): { file: string; line: number; column: Column } {
  const original =
    column !== undefined && scriptMaps.has(file) ? originalPosition(file, line, column, false) : undefined;
  return original
    ? { file: original.source, line: original.line, column: original.column as Column }
    : { file, line, column };
}

/** Every definition of a content file has its path worked out again otherwise (~10% of loading the project). */
const projectPaths = new Map<string, string>();

export function toProjectPath(file: string): string {
  let known = projectPaths.get(file);
  if (known === undefined) {
    known = path.relative(projectRoot, file).split(path.sep).join("/");
    projectPaths.set(file, known);
  }
  return known;
}

export function formatLocation(source: SourceLocation): string {
  return source.column === undefined
    ? `${source.file}:${source.line}`
    : `${source.file}:${source.line}:${source.column}`;
}

export { projectRoot };
