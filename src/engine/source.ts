import { fileURLToPath } from "node:url";
import path from "node:path";

/** Where a definition was written, relative to the project root, so messages are the same on every machine. */
export interface SourceLocation {
  file: string;
  line: number;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const engineDir = path.join(projectRoot, "src", "engine") + path.sep;

const helperFiles = new Set<string>();

/**
 * Content modules that wrap the define helpers call this with `import.meta.url`, so that locations point
 * at the definition that called the wrapper, not at the wrapper.
 */
export function markAsHelper(moduleUrl: string): void {
  helperFiles.add(fileURLToPath(moduleUrl));
}

const frame = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/;

/**
 * The first stack frame outside the engine: the line of content code that called a define helper.
 * Helpers call this so authors never pass their own location.
 */
export function callerLocation(): SourceLocation {
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  for (const line of stack) {
    const match = frame.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (file.startsWith(engineDir) || helperFiles.has(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return { file: toProjectPath(file), line: Number(match[2]) };
  }
  return { file: "<unknown>", line: 0 };
}

export function toProjectPath(file: string): string {
  const relative = path.relative(projectRoot, file);
  return relative.split(path.sep).join("/");
}

export function formatLocation(source: SourceLocation): string {
  return `${source.file}:${source.line}`;
}

export { projectRoot };
