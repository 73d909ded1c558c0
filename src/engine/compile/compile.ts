import type { ProjectDefinition } from "../define/project.ts";
import type { Model, MetricModel } from "../model.ts";
import { generatedHeader } from "../render/artifact.ts";
import { compileDashboard } from "./dashboard.ts";

/** Definitions -> plain model. Nothing here judges the content; the checks do that next. */
export function compileModel(project: ProjectDefinition): Model {
  const metrics: MetricModel[] = project.metrics.map((m) => {
    const metric: MetricModel = {
      name: m.name,
      type: m.type,
      unit: m.unit,
      help: m.help,
      labels: { ...m.labels },
      origin: { ...m.origin },
      monotonic: m.monotonic ?? false,
      series: [...m.series],
      source: m.source,
    };
    if (m.buckets) metric.buckets = [...m.buckets];
    if (m.notes) metric.notes = m.notes;
    return metric;
  });
  const dashboards = project.dashboards.map((builder) => compileDashboard(builder, (source) => generatedHeader(source.file)));
  return { settings: project.settings, metrics, dashboards };
}
