/**
 * `o11y check` on real rule files from public projects (test/fixtures/foreign/SOURCES.md), as a new user runs it.
 * By default only correctness checks run on them: every finding below is a defect of the file, said plainly, with why
 * in a comment; a file without one must pass. House rules come back where a team's configuration turns them on.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { runCli } from "../helpers/cli.ts";
import { lineOf } from "../helpers/project.ts";

const dir = "test/fixtures/foreign";
const fixtures = readdirSync(path.join(projectRoot, dir))
  .filter((name) => name.endsWith(".yaml") && !name.endsWith(".o11y.yaml"))
  .sort()
  .map((name) => `${dir}/${name}`);
const text = (file: string) => readFileSync(path.join(projectRoot, file), "utf8");
const at = (file: string, marker: string) => `${file}:${lineOf(text(file), marker)}`;

interface Run {
  code: number | null;
  diagnostics: Diagnostic[];
  stderr: string;
}

function check(args: string[]): Run {
  const result = runCli(["check", "--format", "json", ...args]);
  return {
    code: result.code,
    diagnostics: (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics,
    stderr: result.stderr,
  };
}
const where = (d: Diagnostic) => `${d.source.file}:${d.source.line} ${d.check} ${d.subject}`;

const edac = `${dir}/awesome-node-exporter.yaml`;

/** Every finding the default check reports on the fixtures, each a real defect. */
const defects = () => [
  // HostEdacUncorrectableErrorsDetected compares node_edac_uncorrectable_errors_total itself with 0: the count since
  // node_exporter started. The alert fires from the first error until node_exporter next restarts, and then clears
  // though nothing was repaired (its sibling HostEdacCorrectableErrorsDetected uses increase(), as it should).
  `${at(edac, "expr: '(node_edac_uncorrectable_errors_total > 0)'")} promql/counter-without-rate alert HostEdacUncorrectableErrorsDetected`,
];

describe("o11y check on rule files from public projects", () => {
  let all: Run;
  beforeAll(() => {
    all = check(fixtures);
  });

  it("keeps the sizes and kinds of files the issue names", () => {
    const rules = (file: string, kind: "alert" | "record") =>
      text(file)
        .split("\n")
        .filter((line) => new RegExp(`^\\s*-?\\s*${kind}:`).test(line)).length;
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    expect(rules(`${dir}/kubernetes-mixin-rules.yaml`, "record")).toBeGreaterThan(50);
    expect(rules(`${dir}/kube-prometheus-node-exporter.yaml`, "alert")).toBeGreaterThan(20);
    expect(rules(`${dir}/kafka-mixin-alerts.yaml`, "alert")).toBeGreaterThan(10);
    expect(rules(`${dir}/awesome-node-exporter.yaml`, "alert")).toBeGreaterThan(30);
  });

  it("reports only the real defects, each where it is, said plainly", () => {
    expect(all.diagnostics.map(where), all.stderr).toEqual(defects());
    const [finding] = all.diagnostics;
    expect(finding!.message).toBe(
      "counter node_edac_uncorrectable_errors_total (type inferred from the name: _total is a counter's suffix) is used as a raw value: it is a total since the process started and resets on every restart",
    );
    expect(all.code).toBe(1);
  });

  it("exits 0 on the files that are correct, checked together", () => {
    const correct = check(fixtures.filter((file) => file !== edac));
    expect(correct.diagnostics.map(where)).toEqual([]);
    expect(correct.code).toBe(0);
  });

  it.each(fixtures.filter((file) => file !== edac))("exits 0 on %s alone", (file) => {
    const alone = check([file]);
    expect(alone.diagnostics.map(where)).toEqual([]);
    expect(alone.code).toBe(0);
  });
});

describe("house rules turned on by a team's configuration", () => {
  let run: Run;
  beforeAll(() => {
    run = check(["--config", `${dir}/house.o11y.yaml`, ...fixtures]);
  });
  const found = (file: string, check: string) =>
    run.diagnostics.filter((d) => d.source.file === `${dir}/${file}` && d.check === check);

  it("reports what the team requires on the files it requires it of", () => {
    // kube-prometheus defines NodeFilesystemSpaceFillingUp twice (a warning and a critical tier): the team wants one name per alert.
    expect(found("kube-prometheus-node-exporter.yaml", "alerts/unique-name").map((d) => d.subject)).toContain(
      "alert NodeFilesystemSpaceFillingUp",
    );
    // Its naming pattern wants three parts.
    expect(found("kubernetes-mixin-rules.yaml", "rules/name").map((d) => d.message)).toContain(
      '"apiserver_request:availability30d" does not match [a-z_]+:[a-z0-9_]+:[a-z0-9_]+',
    );
    // info is not one of its levels for the mixins...
    expect(found("kube-prometheus-node-exporter.yaml", "alerts/severity").map((d) => d.message)).toEqual([
      'severity "info" is not one of the configured levels',
    ]);
    // ...and the Kafka mixin links no runbook.
    expect(found("kafka-mixin-alerts.yaml", "alerts/annotations").map((d) => d.message)).toContain(
      "the alert has no runbook_url annotation",
    );
    expect(run.code).toBe(1);
  });

  it("turns them off again per path, with the later entry's parameters", () => {
    for (const file of fixtures.filter((f) => f.includes("/awesome-"))) {
      const own = run.diagnostics.filter((d) => d.source.file === file);
      expect(own.filter((d) => d.check === "alerts/annotations")).toEqual([]);
      // info is allowed there.
      expect(own.filter((d) => d.check === "alerts/severity")).toEqual([]);
    }
    // A correctness check turned off for one file.
    expect(
      run.diagnostics.filter((d) => d.source.file === edac && d.check === "promql/counter-without-rate"),
    ).toEqual([]);
  });

  it("runs none of our own house rules the team did not ask for", () => {
    const asked = new Set([
      "alerts/severity",
      "alerts/labels",
      "alerts/annotations",
      "alerts/unique-name",
      "rules/name",
    ]);
    expect(run.diagnostics.filter((d) => !asked.has(d.check)).map(where)).toEqual([]);
  });
});
