import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ProjectSettings } from "../model.ts";
import type { MetricDefinition } from "./catalog.ts";

/** What content code hands to the engine: its settings and every definition. */
export interface ProjectDefinition {
  settings: ProjectSettings;
  metrics: MetricDefinition[];
  dashboards: DashboardBuilder[];
}
