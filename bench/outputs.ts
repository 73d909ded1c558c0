/**
 * Time per output (settings.outputs): for the real project, what each output adds to a build in-process (render,
 * schema validation, its invariant), and vmalert's -dryRun over the VictoriaMetrics rule files, which the gate
 * runs beside promtool and amtool (its wall time overlaps theirs).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { emit } from "../src/engine/emit/emit.ts";
import { compile } from "../src/engine/pipeline.ts";
import { renderAlertmanager } from "../src/engine/render/alertmanager.ts";
import { schemaKind } from "../src/engine/render/artifact.ts";
import { renderGrafana } from "../src/engine/render/grafana.ts";
import { renderOutputs, type OutputName } from "../src/engine/render/outputs.ts";
import { renderPrometheus } from "../src/engine/render/prometheus.ts";
import { checkOutputInvariants } from "../src/engine/validate/output-invariants.ts";
import { validateArtifacts } from "../src/engine/validate/schemas.ts";
import { project } from "../src/project.ts";

export interface OutputBenchRow {
  output: OutputName;
  files: number;
  bytes: number;
  /** Median of render + validate + invariant, in-process. */
  ms: number;
}

export interface OutputBenchResult {
  rows: OutputBenchRow[];
  /** vmalert -dryRun over build/victoriametrics/rules, median wall time; undefined without vmalert. */
  vmalertMs?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function measureOutputs(runs: number): OutputBenchResult {
  const { model, artifacts } = compile(project);
  const base = [...renderGrafana(model), ...renderPrometheus(model), renderAlertmanager(model)];
  const names = renderOutputs(model, base).map((o) => o.output);
  const rows = names.map((output): OutputBenchRow => {
    const only = {
      ...model,
      settings: { ...model.settings, outputs: { [output]: model.settings.outputs![output] } },
    };
    const times: number[] = [];
    let files = 0;
    let bytes = 0;
    for (let i = 0; i < runs + 1; i++) {
      const start = performance.now();
      const rendered = renderOutputs(only, base).flatMap((o) => o.artifacts);
      validateArtifacts(rendered);
      checkOutputInvariants(only, [...base, ...rendered]);
      if (i > 0) times.push(performance.now() - start);
      files = rendered.length;
      bytes = rendered.reduce((sum, a) => sum + Buffer.byteLength(a.content), 0);
    }
    return { output, files, bytes, ms: median(times) };
  });

  const which = spawnSync("sh", ["-c", "command -v vmalert"], { encoding: "utf8" });
  if (which.status !== 0) return { rows };
  const dir = mkdtempSync(path.join(tmpdir(), "o11y-bench-vm-"));
  try {
    emit(path.join(dir, "build"), artifacts);
    const rules = artifacts
      .filter((a) => schemaKind(a.schema) === "vmalert-rules")
      .map((a) => `-rule=${a.path}`);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      spawnSync(which.stdout.trim(), ["-dryRun", ...rules], { cwd: path.join(dir, "build") });
      times.push(performance.now() - start);
    }
    return { rows, vmalertMs: median(times) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
