import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadedProject, type ProjectDefinition } from "../engine/define/project.ts";
import type { Diagnostic } from "../engine/diagnostics.ts";
import {
  formatLocation,
  projectRoot,
  scriptPosition,
  toProjectPath,
  type SourceLocation,
} from "../engine/source.ts";
import { loadKeptFacts, saveKeptFacts } from "../engine/kept-facts.ts";
import { loadKeptOutputs, saveKeptOutputs } from "../engine/kept-outputs.ts";
import { loadKeptVerdicts, saveKeptVerdicts } from "../engine/kept-verdicts.ts";
import { typecheck, type TypecheckMode } from "../engine/typecheck/typecheck.ts";
import { importModule } from "../engine/import-module.ts";

type ProjectModule = { project?: ProjectDefinition };

/** The project module bundled with the CLI (bin/o11y.js's cached bundle), if the CLI runs from that bundle. */
let bundled: { file: string; load: () => Promise<ProjectModule>; sourcesKey: string } | undefined;

/**
 * Called by the cached bundle's entry: `modulePath` is inside the bundle, and `load` evaluates it there (the
 * bundle cannot import TypeScript files from outside itself). bin/o11y.js starts the bundle only when the
 * command asks for this very module; any other goes through tsx. `sourcesKey` is the hash the bundle is named
 * by, of every file under src/ and the project's manifests: the type check keys its cache by it instead of
 * reading and hashing the same files again.
 */
export function provideBundledProject(
  modulePath: string,
  load: () => Promise<ProjectModule>,
  sourcesKey: string,
): void {
  bundled = { file: path.resolve(projectRoot, modulePath), load, sourcesKey };
}

/**
 * Loads what earlier runs kept for this one: the outputs' YAML and schema verdicts, and, when the code's version is
 * known (from the cached bundle's name), the checks' verdicts.
 */
export function loadKept(): void {
  loadKeptOutputs(projectRoot);
  if (bundled) loadKeptVerdicts(projectRoot, bundled.sourcesKey);
}

/** Keeps what this run used, for the next. */
export function saveKept(): void {
  saveKeptOutputs();
  saveKeptVerdicts();
  saveKeptFacts();
}

export interface LoadOptions {
  /** Type-check the sources first (build and check); default off. */
  typecheck?: TypecheckMode;
}

/**
 * Evaluates the project module. Type errors (with `typecheck: "on"`) come back with the project, for compile()
 * to report with the rest; a module that cannot be evaluated (a syntax error, a throw in a definition module)
 * is a ProjectLoadError with its diagnostics, at their lines.
 */
export async function loadProject(modulePath: string, options: LoadOptions = {}): Promise<ProjectDefinition> {
  const absolute = path.resolve(projectRoot, modulePath);
  if (bundled && absolute !== bundled.file)
    throw new Error(
      `the cached bundle holds ${path.relative(projectRoot, bundled.file)}, not ${modulePath}; run with O11Y_CACHE=off`,
    );
  if (!bundled && (!existsSync(absolute) || !statSync(absolute).isFile())) {
    throw new ProjectError(
      `--project ${modulePath}: there is no such file`,
      "pass the TypeScript module that exports `project` (default src/project.ts).",
    );
  }
  // tsc runs in its own process while the definitions are evaluated here.
  const checking =
    options.typecheck === "on"
      ? typecheck({ root: projectRoot, projectModule: absolute, sourcesKey: bundled?.sourcesKey }).then(
          (result) => result.diagnostics,
        )
      : Promise.resolve([]);
  // Awaited below; meanwhile a failure must not count as unhandled.
  checking.catch(() => {});
  let module: ProjectModule;
  // What the definitions work out from texts as they load, as this code worked it out before (kept-facts.ts).
  if (bundled) loadKeptFacts(projectRoot, bundled.sourcesKey);
  try {
    module = bundled
      ? await bundled.load()
      : ((await importModule(pathToFileURL(absolute).href)) as ProjectModule);
  } catch (error) {
    throw new ProjectLoadError(loadFailure(error, toProjectPath(absolute), await checking), error);
  }
  const typeErrors = await checking;
  const project = module.project;
  if (typeof project !== "object" || project === null) {
    throw new ProjectError(
      `--project ${modulePath} does not export \`project\``,
      "export the ProjectDefinition as `export const project = ...`, as src/project.ts does.",
    );
  }
  return loadedProject(project, { file: toProjectPath(absolute), line: 1 }, typeErrors);
}

/** A --project that cannot serve: the CLI prints it as it is, without a stack, and exits 2. */
export class ProjectError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** A project module that could not be evaluated: the CLI prints the diagnostics, without a stack, and exits 1. */
export class ProjectLoadError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    /** What the module threw, whose stack O11Y_DEBUG=1 prints. */
    readonly thrown: unknown,
  ) {
    super(diagnostics.map((d) => `${formatLocation(d.source)} ${d.message}`).join("\n"));
  }
}

/**
 * What went wrong while the project module was evaluated, at its line: each syntax error (esbuild's, as tsx
 * and the bundle read the sources, unless the type check already said it), else the exception at the
 * innermost frame in the project's own sources. The type check's findings come too, as they are usually why.
 */
export function loadFailure(error: unknown, projectModule: string, typeErrors: Diagnostic[]): Diagnostic[] {
  const own = syntaxErrors(error) ?? [exception(error, projectModule)];
  // Said by the type check already, at the same line: its message is the compiler's own.
  const known = new Set(
    typeErrors.filter((d) => d.severity === "error").map((d) => `${d.source.file}:${d.source.line}`),
  );
  const syntaxKnown = typeErrors.some((d) => d.check === "typescript/syntax");
  return [
    ...typeErrors,
    ...own.filter(
      (d) =>
        !known.has(`${d.source.file}:${d.source.line}`) && !(syntaxKnown && d.check === "typescript/syntax"),
    ),
  ];
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

/**
 * esbuild's errors (tsx transforms each module with it), one diagnostic each; undefined for any other error.
 * esbuild's own failures list them; tsx's TransformError has only the message, one `file:line:column: ERROR: text` a line.
 */
function syntaxErrors(error: unknown): Diagnostic[] | undefined {
  let errors = (error as { errors?: unknown } | null)?.errors as EsbuildMessage[] | undefined;
  if (!Array.isArray(errors) || !errors.every((e) => typeof e?.text === "string")) {
    const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    if (name !== "TransformError" || typeof message !== "string") return undefined;
    errors = message.split("\n").flatMap((line) => {
      const match = /^(.+?):(\d+):(\d+): ERROR: (.*)$/.exec(line);
      return match
        ? [
            {
              text: match[4]!,
              location: { file: match[1]!, line: Number(match[2]), column: Number(match[3]) },
            },
          ]
        : [];
    });
  }
  if (errors.length === 0) return undefined;
  return errors.map((e) => ({
    check: "typescript/syntax",
    severity: "error",
    subject: "syntax",
    source: e.location
      ? {
          file: toProjectPath(path.resolve(projectRoot, e.location.file)),
          line: e.location.line,
          column: e.location.column + 1,
        }
      : { file: "<unknown>", line: 0 },
    message: e.text,
    fix: "correct the TypeScript at this position.",
  }));
}

/** An import of a file or package that is not there, at the import. */
function missingModule(error: unknown): Diagnostic | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" || typeof message !== "string") return undefined;
  const match = /Cannot find (module|package) '([^']+)' imported from (.+)$/.exec(message.split("\n")[0]!);
  if (!match) return undefined;
  const importer = match[3]!.startsWith("file://") ? fileURLToPath(match[3]!) : match[3]!;
  const wanted = match[1] === "module" ? path.basename(match[2]!) : match[2]!;
  let line = 1;
  try {
    const index = readFileSync(importer, "utf8")
      .split("\n")
      .findIndex((text) => /\b(import|export)\b|\bfrom\b/.test(text) && text.includes(wanted));
    if (index >= 0) line = index + 1;
  } catch {
    // The importer's first line, then.
  }
  const file = toProjectPath(importer);
  return {
    check: "definition/exception",
    severity: "error",
    subject: `module ${file}`,
    source: { file, line },
    message: `imports ${match[1] === "module" ? toProjectPath(match[2]!) : match[2]}, which does not exist`,
    fix:
      match[1] === "module"
        ? "correct the path in the import (it is relative to this file, with its .ts extension)."
        : "install the package (npm install --save-exact), or correct its name.",
  };
}

const stackFrame = /\(?((?:file:\/\/)?\/[^()]+?):(\d+)(?::(\d+))?\)?$/;

/** An exception thrown while the project was evaluated, at the innermost frame in the project's own sources. */
function exception(error: unknown, projectModule: string): Diagnostic {
  const missing = missingModule(error);
  if (missing) return missing;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : `the value ${String(error)}`;
  const source = innermostProjectFrame(error instanceof Error ? error.stack : undefined) ?? {
    file: projectModule,
    line: 1,
  };
  return {
    check: "definition/exception",
    severity: "error",
    subject: `module ${source.file}`,
    source,
    message: `threw ${what.split("\n")[0]} while the project's definitions were evaluated`,
    fix: "correct the code at this line (O11Y_DEBUG=1 prints the whole stack).",
  };
}

const engine = path.join(projectRoot, "src", "engine") + path.sep;
const cli = path.join(projectRoot, "src", "cli") + path.sep;
const binDir = path.join(projectRoot, "bin") + path.sep;
const cacheDir = path.join(projectRoot, ".o11y-cache") + path.sep;
const nodeModules = `${path.sep}node_modules${path.sep}`;

/** The first frame of a stack in a file of the project that is content (not the engine, the CLI or a package). */
export function innermostProjectFrame(stack: string | undefined): SourceLocation | undefined {
  for (const line of (stack ?? "").split("\n")) {
    const match = stackFrame.exec(line.trim());
    if (!match) continue;
    const position = scriptPosition(
      match[1]!,
      Number(match[2]),
      match[3] === undefined ? undefined : Number(match[3]),
    );
    const file = position.file.startsWith("file://") ? fileURLToPath(position.file) : position.file;
    if (
      !file.startsWith(projectRoot + path.sep) ||
      file.startsWith(engine) ||
      file.startsWith(cli) ||
      file.includes(nodeModules)
    )
      continue;
    // A frame in the bundle itself is not a source: its source map did not say where it came from.
    if (file.startsWith(cacheDir) || file.startsWith(binDir) || !existsSync(file)) continue;
    const location: SourceLocation = { file: toProjectPath(file), line: position.line };
    if (position.column !== undefined) location.column = position.column;
    return location;
  }
  return undefined;
}
