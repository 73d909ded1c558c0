import type { Diagnostic } from "../diagnostics.ts";
import { sortDiagnostics } from "../diagnostics.ts";
import { parseDurationMs } from "../duration.ts";
import type { MetricModel, Model } from "../model.ts";
import { parsePromQL, positionOf, selectors, type ParsedExpression } from "../promql/parse.ts";
import type { Check, CheckContext, ExpressionSite, Finding } from "./check.ts";
import { allChecks } from "./checks/index.ts";
import { expressionSites } from "./sites.ts";
import { applySuppressions } from "./suppression.ts";

const knownCheckIds: ReadonlySet<string> = new Set(allChecks.map((c) => c.id));

/** What a run keeps of one expression: its parse, and the metric names of its selectors once asked for. */
interface Parsed {
  expr?: ParsedExpression;
  metricNames?: ReadonlyArray<string | undefined>;
}

/** The context of one check run over `model`: see CheckContext. */
export function checkContext(model: Model): CheckContext {
  return runContext(model);
}

/** checkContext, and how the expression pass of checkModel lets go of a parse. */
interface RunContext extends CheckContext {
  /**
   * Drops the tree of an expression that no check will read again, keeping its metric names: any but a
   * recording rule's, which seriesLabels reads whenever a later expression uses the series it records.
   */
  release(text: string, options: { grafana: boolean }): void;
}

function runContext(model: Model): RunContext {
  const seriesIndex = new Map<string, MetricModel>();
  for (const metric of model.metrics) for (const series of metric.series) seriesIndex.set(series, metric);
  const recordingRules = new Map(model.recordingRules.map((r) => [r.record, r]));
  const ruleExpressions = new Set(model.recordingRules.map((r) => r.expr));
  // One entry per distinct text and mode: a dashboard query and an alert with the same text parse differently.
  const grafana = new Map<string, Parsed>();
  const plain = new Map<string, Parsed>();
  const entry = (text: string, options: { grafana: boolean }) => {
    const cache = options.grafana ? grafana : plain;
    let found = cache.get(text);
    if (!found) cache.set(text, (found = {}));
    return found;
  };
  let sites: ExpressionSite[] | undefined;
  const ctx: RunContext = {
    model,
    seriesIndex,
    recordingRules,
    scrapeIntervalMs: parseDurationMs(model.settings.scrapeInterval),
    parse(text, options) {
      const found = entry(text, options);
      return (found.expr ??= parsePromQL(text, { grafana: options.grafana }));
    },
    metricNames(text, options) {
      const found = entry(text, options);
      return (found.metricNames ??= selectors(found.expr ?? ctx.parse(text, options)).map((s) => s.metric));
    },
    sites: () => (sites ??= expressionSites(model)),
    release(text, options) {
      if (!options.grafana && ruleExpressions.has(text)) return;
      const found = (options.grafana ? grafana : plain).get(text);
      if (!found?.expr) return;
      found.metricNames ??= selectors(found.expr).map((s) => s.metric);
      found.expr = undefined;
    },
  };
  return ctx;
}

function toDiagnostic(check: Check, finding: Finding, subject: string, site?: { expr: ParsedExpression }): Diagnostic {
  const diagnostic: Diagnostic = {
    check: check.id,
    severity: check.severity,
    subject: finding.subject ?? subject,
    source: finding.source ?? { file: "<unknown>", line: 0 },
    message: finding.message,
  };
  if (finding.fix) diagnostic.fix = finding.fix;
  if (finding.at && site) diagnostic.position = positionOf(site.expr.text, finding.at.from);
  return diagnostic;
}

/** Runs expression checks over explicit sites (used by `check --expr` and rule-file checks too). */
export function checkExpressions(sites: ExpressionSite[], ctx: CheckContext, checks: Check[] = allChecks): Diagnostic[] {
  return applySuppressions(expressionDiagnostics(sites, ctx, checks), sites, knownCheckIds);
}

/** The expression checks over `sites`; with `release`, each parse is let go after the last site of its text. */
function expressionDiagnostics(sites: ExpressionSite[], ctx: CheckContext, checks: Check[], release?: RunContext["release"]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const expressionChecks = checks.filter((c) => c.scope === "expression");
  // How many sites of each text and mode are still to come.
  const remaining = { grafana: new Map<string, number>(), plain: new Map<string, number>() };
  const counts = (site: ExpressionSite) => (site.kind === "expression" ? remaining.plain : remaining.grafana);
  if (release) for (const site of sites) counts(site).set(site.expr, (counts(site).get(site.expr) ?? 0) + 1);
  for (const site of sites) {
    const options = { grafana: site.kind !== "expression" };
    const expr = ctx.parse(site.expr, options);
    for (const check of expressionChecks) {
      if (expr.errorAt !== undefined && check.needsValidSyntax !== false) continue;
      for (const finding of check.check(expr, site, ctx)) {
        out.push(toDiagnostic(check, { source: site.source, ...finding }, site.subject, { expr }));
      }
    }
    // Rule expressions stay parsed: the alert and rule checks that follow read them again.
    if (release && site.kind !== "expression") {
      const left = counts(site).get(site.expr)! - 1;
      counts(site).set(site.expr, left);
      if (left === 0) release(site.expr, options);
    }
  }
  return out;
}

/** Every check over the whole model; all problems at once, in a stable order. */
export function checkModel(model: Model, checks: Check[] = allChecks): Diagnostic[] {
  const ctx = runContext(model);
  const sites = ctx.sites();
  // Thousands of queries, each parsed once: a tree is let go once the checks of its last site are done, rather
  // than piling up for the whole run (the model checks read only metric names of them, which are kept).
  const out = expressionDiagnostics(sites, ctx, checks, ctx.release);
  for (const check of checks) {
    if (check.scope === "dashboard") {
      for (const dashboard of model.dashboards) {
        for (const finding of check.check(dashboard, ctx)) {
          out.push(toDiagnostic(check, { source: dashboard.source, ...finding }, `dashboard ${dashboard.uid}`));
        }
      }
    } else if (check.scope === "model") {
      for (const finding of check.check(model, ctx)) out.push(toDiagnostic(check, finding, "project"));
    }
  }
  return sortDiagnostics(applySuppressions(out, sites, knownCheckIds));
}
