import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { project as realProject } from "../../src/project.ts";
import type { ProjectDefinition } from "../../src/engine/define/project.ts";
import { compile } from "../../src/engine/pipeline.ts";

/** The real project with its dashboards replaced, for bad-input tests. */
export function projectWith(dashboards: DashboardBuilder[]): ProjectDefinition {
  return { ...realProject, dashboards };
}

export function compileWith(dashboards: DashboardBuilder[]) {
  return compile(projectWith(dashboards));
}

/** The line in this test file where `marker` appears, to assert that errors point at the definition. */
export function lineOf(source: string, marker: string): number {
  const index = source.split("\n").findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`marker ${marker} not found`);
  return index + 1;
}
