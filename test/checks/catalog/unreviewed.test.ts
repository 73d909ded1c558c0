import { unreviewed } from "../../../src/engine/check/checks/catalog/unreviewed.ts";
import { counter, importedMetric, type MetricDefinition } from "../../../src/engine/define/catalog.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project as realProject } from "../../../src/project.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

/** The real project with these metrics added to its catalog. */
function modelWith(metrics: MetricDefinition[]): Model {
  return compile({ ...realProject, metrics: [...realProject.metrics, ...metrics] }).model;
}

const bad: BadModel[] = [
  {
    name: "a counter the import inferred from its name",
    model: () =>
      modelWith([
        importedMetric({
          name: "node_cpu_seconds_total",
          type: "counter",
          labels: ["cpu", "mode"],
          importedFrom: "node-exporter-full.json",
          inferred: "ends in _total; read with rate()",
        }),
      ]),
    subject: "metric node_cpu_seconds_total",
    messageIs:
      "imported from node-exporter-full.json as a counter (ends in _total; read with rate()), not reviewed yet: it has no help, no unit and no meaning for its labels",
    fix: "counter({ name, help, unit, labels, origin })",
    sourceFile: "test/checks/catalog/unreviewed.test.ts",
  },
  {
    name: "each of two imported entries, a histogram among them",
    model: () =>
      modelWith([
        importedMetric({
          name: "http_request_duration_seconds",
          type: "histogram",
          labels: ["route"],
          importedFrom: "rules.yaml",
          inferred: "_bucket read by histogram_quantile() with le",
        }),
        importedMetric({
          name: "queue_depth",
          type: "gauge",
          labels: [],
          importedFrom: "rules.yaml",
          inferred: "no counter or histogram suffix, not read with rate()",
        }),
      ]),
    findings: [
      { subject: "metric http_request_duration_seconds", message: "as a histogram" },
      { subject: "metric queue_depth", message: "as a gauge" },
    ],
  },
];

const good: GoodModel[] = [
  { name: "the real catalog (every entry declared by hand)", model: realModel },
  {
    name: "a reviewed entry, declared with counter()",
    model: () =>
      modelWith([
        counter({
          name: "node_cpu_seconds_total",
          help: "Seconds each CPU spent in each mode.",
          unit: "s",
          labels: { cpu: "CPU number", mode: "idle, user, ..." },
          origin: { kind: "exporter", detail: "node_exporter", status: "exported" },
        }),
      ]),
  },
];

describeModelCheck("catalog/unreviewed", unreviewed, { severity: "warning", match: "by subject", bad, good });
