import type { Diagnostic } from "../diagnostics.ts";
import { sortDiagnostics } from "../diagnostics.ts";
import { parseDurationMs } from "../duration.ts";
import type { MetricModel, Model } from "../model.ts";
import { parsePromQL, positionOf, type ParsedExpression } from "../promql/parse.ts";
import type { Check, CheckContext, ExpressionSite, Finding } from "./check.ts";
import { allChecks } from "./checks/index.ts";
import { expressionSites } from "./sites.ts";
import { applySuppressions } from "./suppression.ts";

const knownCheckIds: ReadonlySet<string> = new Set(allChecks.map((c) => c.id));

export function checkContext(model: Model): CheckContext {
  const seriesIndex = new Map<string, MetricModel>();
  for (const metric of model.metrics) for (const series of metric.series) seriesIndex.set(series, metric);
  const recordingRules = new Map(model.recordingRules.map((r) => [r.record, r]));
  return { model, seriesIndex, recordingRules, scrapeIntervalMs: parseDurationMs(model.settings.scrapeInterval) };
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

function expressionDiagnostics(sites: ExpressionSite[], ctx: CheckContext, checks: Check[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const expressionChecks = checks.filter((c) => c.scope === "expression");
  for (const site of sites) {
    const expr = parsePromQL(site.expr, { grafana: site.kind !== "expression" });
    for (const check of expressionChecks) {
      if (expr.errorAt !== undefined && check.needsValidSyntax !== false) continue;
      for (const finding of check.check(expr, site, ctx)) {
        out.push(toDiagnostic(check, { source: site.source, ...finding }, site.subject, { expr }));
      }
    }
  }
  return out;
}

/** Every check over the whole model; all problems at once, in a stable order. */
export function checkModel(model: Model, checks: Check[] = allChecks): Diagnostic[] {
  const ctx = checkContext(model);
  const sites = expressionSites(model);
  const out = expressionDiagnostics(sites, ctx, checks);
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
