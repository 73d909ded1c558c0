/**
 * Rule files and expressions from elsewhere through the engine of `o11y check`, in process: whatever the
 * text, no exception escapes, each case ends in bounded time and memory, and every diagnostic points at a
 * line of the file (or of the definition) it is about.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { artifactChecks } from "../../src/engine/check/checks/index.ts";
import { modelForRuleFile, readRuleFile } from "../../src/engine/check/rule-file.ts";
import { checkContext, checkExpressions, checkModel } from "../../src/engine/check/run.ts";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { formatDiagnostic, type Diagnostic } from "../../src/engine/diagnostics.ts";
import type { Model } from "../../src/engine/model.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { measured, mutatedExpression, ruleFileText } from "./arbitraries.ts";
import { diagnosticProblem } from "./compile-case.ts";
import { buildProject, validSpec } from "./project-spec.ts";

let shop: Model | undefined;
/** The catalog and recording rules that foreign rules are checked against: our small project's. */
export const shopModel = (): Model => (shop ??= compileModel(buildProject(validSpec())));

/** Every `expr` of the rule files under test/fixtures, and every query of the small project: the seeds of mutation. */
function expressionPool(): string[] {
  const fromFixtures = ["legacy-rules.yaml", "prometheus3-rules.yaml"].flatMap((name) => {
    const document = parseYaml(readFileSync(path.join(projectRoot, "test/fixtures", name), "utf8")) as {
      groups: Array<{ rules: Array<{ expr: string }> }>;
    };
    return document.groups.flatMap((g) => g.rules.map((r) => r.expr));
  });
  const spec = validSpec();
  const fromShop = [
    ...spec.recordingRules.map((r) => r.expr as string),
    ...spec.dashboards.flatMap((d) =>
      d.rows.flatMap((r: { panels: Array<{ queries: Array<{ expr: string }> }> }) =>
        r.panels.flatMap((p) => p.queries.map((q) => q.expr)),
      ),
    ),
  ];
  // The rest of PromQL's grammar, so mutations reach it.
  const grammar = [
    'sum by (job) (rate(shop_requests_total{status=~"5..", method!="GET"}[5m] offset 1h)) / on (job) group_left sum by (job) (rate(shop_requests_total[5m]))',
    "max_over_time(rate(shop_requests_total[1m])[30m:1m]) @ end()",
    'label_replace(shop_queue_depth, "q", "$1", "queue", "(.*)") > bool 10',
    "topk(3, sum by (route) (rate(shop_request_duration_seconds_count[5m]))) unless absent(up)",
    'histogram_quantile(0.99, sum by (le) (rate(shop_request_duration_seconds_bucket{le!="+Inf"}[5m]))) > 0.5',
    "-shop_queue_depth ^ 2 % 3 and up == 1 or vector(0)",
    'count_values("v", shop_queue_depth) # a comment\n+ 1',
    "quantile_over_time(0.9, shop_queue_depth[1h:]) >= 1e3",
    '{__name__=~"shop_.*", job="shop"}',
    'sum(increase(shop_requests_total{job=~"$job", instance=~"$instance"}[$__rate_interval])) by (status)',
  ];
  return [...fromFixtures, ...fromShop, ...grammar];
}

let pool: string[] | undefined;
// A case that fails on time is slow to shrink: forty steps find a smaller one, then the report comes.
export const expressions = (): fc.Arbitrary<string> =>
  fc.limitShrink(mutatedExpression((pool ??= expressionPool())), 40);
export const ruleFiles = (): fc.Arbitrary<string> =>
  fc.limitShrink(ruleFileText(mutatedExpression((pool ??= expressionPool()))), 40);

/** Time and memory a case of `size` characters may take: generous for a shared 2-core machine, yet far below a blow-up. */
export const limits = (size: number) => ({ ms: 1000 + size / 20, heapMb: 150 + (size * 200) / 2 ** 20 });

const file = "fuzz/rules.yaml";

function located(d: Diagnostic, lines: number): string | undefined {
  const problem = diagnosticProblem(d);
  if (problem) return `diagnostic without a location or text (${problem}): ${formatDiagnostic(d)}`;
  if (d.source.file === file && d.source.line > lines + 1)
    return `diagnostic at line ${d.source.line} of a ${lines}-line file: ${formatDiagnostic(d)}`;
  if (d.source.file === "--expr" && d.source.line !== 1)
    return `--expr diagnostic at line ${d.source.line}: ${formatDiagnostic(d)}`;
  return undefined;
}

function bounded(what: string, size: number, run: () => Diagnostic[]): Diagnostic[] {
  let result;
  try {
    result = measured(run);
  } catch (error) {
    throw new Error(
      `${what} threw: ${error instanceof Error ? (error.stack ?? error.message).split("\n").slice(0, 4).join("\n") : String(error)}`,
    );
  }
  const limit = limits(size);
  if (result.ms > limit.ms)
    throw new Error(
      `${what} took ${Math.round(result.ms)} ms for ${size} characters (limit ${Math.round(limit.ms)} ms)`,
    );
  if (result.heapGrowthMb > limit.heapMb)
    throw new Error(
      `${what} grew the heap by ${Math.round(result.heapGrowthMb)} MB for ${size} characters (limit ${Math.round(limit.heapMb)} MB)`,
    );
  return result.value;
}

/** `o11y check <file>` on `text`, as checkCommand does it (tools off). */
export function ruleFileCase(text: string): void {
  const model = shopModel();
  const diagnostics = bounded("checking the rule file", text.length, () => {
    const ruleFile = readRuleFile(file, text, model.settings.evaluationInterval);
    if (ruleFile.diagnostics.length) return ruleFile.diagnostics;
    // Unfiltered: a diagnostic that lost its location would be dropped by the CLI's filter, a false "fine".
    return checkModel(modelForRuleFile(model, ruleFile), artifactChecks);
  });
  const lines = text.split("\n").length;
  for (const d of diagnostics) {
    const problem = located(d, lines);
    if (problem) throw new Error(problem);
  }
}

/** `o11y check --expr` on `expr`, as a rule expression and as a panel query. */
export function expressionCase(expr: string): void {
  const context = checkContext(shopModel());
  for (const kind of ["expression", "dashboard-query"] as const) {
    const diagnostics = bounded(`checking the ${kind}`, expr.length, () =>
      checkExpressions([{ expr, subject: "expression", source: { file: "--expr", line: 1 }, kind }], context),
    );
    for (const d of diagnostics) {
      const problem = located(d, 1);
      if (problem) throw new Error(problem);
    }
  }
}
