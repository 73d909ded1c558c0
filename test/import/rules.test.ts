/**
 * `o11y import rules` on every real rule file of test/fixtures/import/rules/ (see SOURCES.md there), into one copy of
 * the project; then `o11y build` there, with its type check, promtool, amtool and vmalert, must be green, the
 * generated files must pass prettier --check with the project's configuration, and the built rule files must hold
 * every rule of each source as it was: alerts with the same name, expression, `for`, `keep_firing_for`, labels and
 * annotations, recording rules with the same series, expression and labels. A difference is allowed only where the
 * import's report names it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectRoot } from "../../src/engine/source.ts";
import { o11yIn, projectCopies } from "../helpers/copy.ts";
import { readTree } from "../helpers/cli.ts";

type Rule = {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
type Group = { name: string; rules?: Rule[] };

const fixtures = path.join(projectRoot, "test/fixtures/import/rules");
const files = readdirSync(fixtures)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
/** Fixtures whose groups share a name with an earlier fixture's: imported under a prefix. */
const prefixes: Record<string, string> = { "kube-prometheus-node-exporter-prometheusrule.yaml": "kube-" };

const dir = projectCopies("o11y-import-rules-")();
cpSync(path.join(projectRoot, ".prettierrc.json"), path.join(dir, ".prettierrc.json"));
const before = readTree(path.join(dir, "src"));
const reports = new Map<string, string>();
let build: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  for (const file of files) {
    const prefix = prefixes[file] ? ["--prefix", prefixes[file]!] : [];
    const result = o11yIn(dir, ["import", "rules", ...prefix, path.join(fixtures, file)]);
    expect(result.stderr, file).toBe("");
    expect(result.code, file).toBe(0);
    reports.set(file, result.stdout);
  }
  const result = spawnSync(process.execPath, [path.join(dir, "bin/o11y.js"), "build"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", O11Y_DEBUG: "" },
    maxBuffer: 512 * 1024 * 1024,
  });
  build = { code: result.status, stdout: result.stdout, stderr: result.stderr };
}, 1_200_000);

/** A source file's groups: a rule file's, or a PrometheusRule's spec.groups. */
function sourceGroups(file: string): Group[] {
  const document = parse(readFileSync(path.join(fixtures, file), "utf8")) as {
    groups?: Group[];
    spec?: { groups?: Group[] };
  };
  return document.groups ?? document.spec?.groups ?? [];
}

/** Every group the copy's build wrote that the project's own build does not have: the imported ones. */
function importedGroups(): Group[] {
  const own = new Set(
    [...readTree(path.join(projectRoot, "build/prometheus/rules")).values()].flatMap((text) =>
      (parse(text) as { groups: Group[] }).groups.map((g) => g.name),
    ),
  );
  return [...readTree(path.join(dir, "build/prometheus/rules")).values()]
    .flatMap((text) => (parse(text) as { groups: Group[] }).groups)
    .filter((g) => !own.has(g.name));
}

const sameLabels = (a: Record<string, string> = {}, b: Record<string, string> = {}) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** The report's threshold rewrites of an alert: `from` is written `to` in its expression. */
function thresholdRewrites(report: string, alert: string): Array<[string, string]> {
  return report
    .split("\n")
    .filter((line) => line.startsWith(`  alert ${alert} (line `))
    .flatMap((line) => {
      const match = /: `([^`]+)` is written `([^`]+)` in its expression/.exec(line);
      return match ? [[match[1]!, match[2]!] as [string, string]] : [];
    });
}

describe("o11y import rules, on real rule files", () => {
  it("builds green in the copy (type check, checks, schemas, promtool, amtool, vmalert), the imported debt suppressed", () => {
    expect(
      build.stderr.split("\n").filter((l) => / error /.test(l) && !l.includes("suppressed error")),
    ).toEqual([]);
    expect(build.code, build.stderr.slice(-3000)).toBe(0);
    expect(build.stdout + build.stderr).toMatch(/built \d+ files into build\//);
  });

  it("writes files that pass prettier --check with the project's configuration", async () => {
    const after = readTree(path.join(dir, "src"));
    const written = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect(written).toEqual(
      expect.arrayContaining(["alerts/thresholds.ts", "alerts/index.ts", "recording-rules/index.ts"]),
    );
    const unformatted: string[] = [];
    for (const file of written) {
      const filepath = path.join(dir, "src", file);
      const options = (await prettier.resolveConfig(filepath)) ?? {};
      expect(options.printWidth, "the copy's own .prettierrc.json").toBe(110);
      if (!(await prettier.check(after.get(file)!, { ...options, filepath }))) unformatted.push(file);
    }
    expect(unformatted).toEqual([]);
  });

  it("holds every imported rule once, and no other", () => {
    const built = importedGroups().flatMap((g) => g.rules ?? []);
    const source = files.flatMap((f) => sourceGroups(f).flatMap((g) => g.rules ?? []));
    expect(built.length).toBe(source.length);
  });

  describe.each(files)("%s round-trips", (file) => {
    const groups = sourceGroups(file);
    const report = () => reports.get(file)!;
    /** The built rules, each taken by the first source rule it matches. */
    const pool = () =>
      importedGroups().flatMap((g) => (g.rules ?? []).map((rule) => ({ rule, group: g.name })));

    it("same alerts: name, expression, for, keep_firing_for, labels, annotations", () => {
      const available = pool();
      for (const rule of groups.flatMap((g) => g.rules ?? []).filter((r) => r.alert !== undefined)) {
        const at = available.findIndex(
          (b) => b.rule.alert === rule.alert && sameLabels(b.rule.labels, rule.labels),
        );
        expect(at, `alert ${rule.alert}`).toBeGreaterThanOrEqual(0);
        const built = available.splice(at, 1)[0]!.rule;
        let expr = rule.expr;
        for (const [from, to] of thresholdRewrites(report(), rule.alert!)) expr = expr.replaceAll(from, to);
        expect(built.expr, `alert ${rule.alert}`).toBe(expr);
        expect(built.for, `alert ${rule.alert}`).toBe(rule.for ?? "0s");
        if (rule.for === undefined) expect(report()).toContain(`alert ${rule.alert} (line`);
        expect(built.keep_firing_for, `alert ${rule.alert}`).toBe(rule.keep_firing_for);
        expect(built.annotations ?? {}, `alert ${rule.alert}`).toEqual(rule.annotations ?? {});
      }
    });

    it("same recording rules: series, expression, labels", () => {
      const available = pool();
      for (const rule of groups.flatMap((g) => g.rules ?? []).filter((r) => r.record !== undefined)) {
        const at = available.findIndex(
          (b) => b.rule.record === rule.record && sameLabels(b.rule.labels, rule.labels),
        );
        expect(at, `recording rule ${rule.record}`).toBeGreaterThanOrEqual(0);
        const built = available.splice(at, 1)[0]!.rule;
        expect(built.expr, `recording rule ${rule.record}`).toBe(rule.expr);
      }
    });

    it("each group under its name, or a name the report gives", () => {
      const built = importedGroups();
      for (const group of groups.filter((g) => g.rules?.length)) {
        const first = group.rules![0]!;
        const holder = built.find((b) =>
          (b.rules ?? []).some(
            (r) => (r.alert ?? r.record) === (first.alert ?? first.record) && r.expr !== undefined,
          ),
        );
        expect(holder, `group ${group.name}`).toBeDefined();
        if (holder!.name !== `global-sovereign-${group.name}`)
          expect(report(), `group ${group.name}`).toContain(
            `group ${group.name}: is named ${holder!.name} in build/`,
          );
      }
    });
  });

  it("interpolates the recording rules the alerts read, as hand-written definitions do", () => {
    const after = readTree(path.join(dir, "src"));
    // kube-prometheus's node-exporter recording rules read each other (instance:node_num_cpu:sum, ...).
    const rules = after.get("recording-rules/kube-node-exporter-rules.ts")!;
    expect(rules).toMatch(/export const instanceNodeNumCpuSum = importedRecordingRule\(/);
    expect(rules).toContain("${instanceNodeNumCpuSum}");
    // Every threshold is named in thresholds.ts and interpolated where it was written.
    const alerts = after.get("alerts/etcd.ts")!;
    expect(alerts).toContain("${thresholds.etcdNoLeader}");
    expect(after.get("alerts/thresholds.ts")).toMatch(/etcdNoLeader: equalTo\(0, "bool"\)/);
  });
});
