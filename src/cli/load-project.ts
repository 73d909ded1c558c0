import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ProjectDefinition } from "../engine/define/project.ts";
import { projectRoot } from "../engine/source.ts";

export async function loadProject(modulePath: string): Promise<ProjectDefinition> {
  const absolute = path.resolve(projectRoot, modulePath);
  const module = (await import(pathToFileURL(absolute).href)) as { project?: ProjectDefinition };
  if (!module.project) throw new Error(`${modulePath} does not export \`project\``);
  return module.project;
}
