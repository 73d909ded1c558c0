import { defaultRouting, type ProjectDefinition } from "../define/project.ts";
import type { Model, MetricModel } from "../model.ts";
import { generatedHeader } from "../render/artifact.ts";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseRunbook } from "../runbook.ts";
import { projectRoot } from "../source.ts";
import { compileDashboard } from "./dashboard.ts";
import { compileAlert, compileGroup, compileRecordingRule } from "./rules.ts";
import { expandSlo } from "./slo.ts";

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
  // SLOs become rule groups like the hand-written ones, after them, so every check, renderer and test covers them.
  const slos = (project.slos ?? []).map((slo) => expandSlo(slo, project.sloPeriod ?? "28d"));
  const alertGroups = [...project.alertGroups, ...slos.flatMap((s) => s.alertGroups)];
  const recordingRuleGroups = [...project.recordingRuleGroups, ...slos.flatMap((s) => s.recordingRuleGroups)];
  return {
    settings,
    metrics,
    dashboards,
    alerts: alertGroups.flatMap((g) => g.rules.map((a) => compileAlert(a, g.name, settings, thresholdNames))),
    recordingRules: recordingRuleGroups.flatMap((g) => g.rules.map((r) => compileRecordingRule(r, g.name))),
    ruleGroups: [
      ...recordingRuleGroups.map((g) => compileGroup(g, "recording", settings)),
      ...alertGroups.map((g) => compileGroup(g, "alerts", settings)),
    ].map((g) => {
      const tests = slos.find((s) => s.tests.has(g.name))?.tests.get(g.name);
      return tests ? { ...g, tests } : g;
    }),
    slos: slos.map((s) => s.model),
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
