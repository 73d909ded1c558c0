import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ProjectDefinition } from "../engine/define/project.ts";
import { projectRoot } from "../engine/source.ts";

type ProjectModule = { project?: ProjectDefinition };

/** The project module bundled with the CLI (bin/o11y.js's cached bundle), if the CLI runs from that bundle. */
let bundled: { file: string; load: () => Promise<ProjectModule> } | undefined;

/**
 * Called by the cached bundle's entry: `modulePath` is inside the bundle, and `load` evaluates it there (the
 * bundle cannot import TypeScript files from outside itself). bin/o11y.js starts the bundle only when the
 * command asks for this very module; any other goes through tsx.
 */
export function provideBundledProject(modulePath: string, load: () => Promise<ProjectModule>): void {
  bundled = { file: path.resolve(projectRoot, modulePath), load };
}

export async function loadProject(modulePath: string): Promise<ProjectDefinition> {
  const absolute = path.resolve(projectRoot, modulePath);
  let module: ProjectModule;
  if (bundled) {
    if (absolute !== bundled.file) throw new Error(`internal error: the cached bundle holds ${path.relative(projectRoot, bundled.file)}, not ${modulePath}; run with O11Y_CACHE=off`);
    module = await bundled.load();
  } else {
    if (!existsSync(absolute) || !statSync(absolute).isFile()) {
      throw new ProjectError(`--project ${modulePath}: there is no such file`, "pass the TypeScript module that exports `project` (default src/project.ts).");
    }
    module = (await import(pathToFileURL(absolute).href)) as ProjectModule;
  }
  if (!module.project) throw new ProjectError(`--project ${modulePath} does not export \`project\``, "export the ProjectDefinition as `export const project = ...`, as src/project.ts does.");
  return module.project;
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
