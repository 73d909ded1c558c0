import { defaultRouting, type ProjectDefinition } from "../define/project.ts";
import type { Model, MetricModel } from "../model.ts";
import { generatedHeader } from "../render/artifact.ts";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseRunbook } from "../runbook.ts";
import { projectRoot } from "../source.ts";
import { compileDashboard } from "./dashboard.ts";
import { compileAlert, compileGroup, compileRecordingRule } from "./rules.ts";

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
    if (m.review) metric.review = { ...m.review };
    return metric;
  });
  const thresholdNames = new Map<object, string>(
    Object.entries(project.thresholds ?? {}).map(([name, t]) => [t, name]),
  );
  const dashboards = project.dashboards.map((builder) =>
    compileDashboard(builder, (source) => generatedHeader(source.file), thresholdNames),
  );
  const { settings } = project;
  return {
    settings,
    metrics,
    dashboards,
    alerts: project.alertGroups.flatMap((g) =>
      g.rules.map((a) => compileAlert(a, g.name, settings, thresholdNames)),
    ),
    recordingRules: project.recordingRuleGroups.flatMap((g) =>
      g.rules.map((r) => compileRecordingRule(r, g.name)),
    ),
    ruleGroups: [
      ...project.recordingRuleGroups.map((g) => compileGroup(g, "recording", settings)),
      ...project.alertGroups.map((g) => compileGroup(g, "alerts", settings)),
    ],
    severities: project.severities,
    thresholds: Object.entries(project.thresholds ?? {}).map(([name, t]) => ({
      name,
      op: t.op,
      value: t.value,
      unit: t.unit,
      source: t.source,
    })),
    routing: project.routing ?? defaultRouting({ file: "<project>", line: 0 }, project.severities),
    runbook: parseRunbook(
      project.runbook.file,
      project.runbook.text ?? readFileSync(path.join(projectRoot, project.runbook.file), "utf8"),
    ),
  };
}
