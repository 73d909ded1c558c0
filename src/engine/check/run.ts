import type { Diagnostic } from "../diagnostics.ts";
import { sortDiagnostics } from "../diagnostics.ts";
import { parseDurationMs } from "../duration.ts";
import type { MetricModel, Model } from "../model.ts";
import { parseKept, positionOf, selectors, type ParsedExpression } from "../promql/parse.ts";
import type { Check, CheckContext, ExpressionFact, ExpressionSite, Finding, LiveSeries } from "./check.ts";
import { allChecks, artifactChecks } from "./checks/index.ts";
import { foreignTypes, type TypeSource } from "./foreign-types.ts";
import type { RuleFile } from "./rule-file.ts";
import { expressionSites } from "./sites.ts";
import { applySuppressions, debtSites } from "./suppression.ts";

const knownCheckIds: ReadonlySet<string> = new Set(allChecks.map((c) => c.id));

/** What a run keeps of one expression: its parse, and the metric names of its selectors and its facts once asked for. */
interface Parsed {
  expr?: ParsedExpression;
  metricNames?: ReadonlyArray<string | undefined>;
  facts?: Map<ExpressionFact<unknown>, unknown>;
}

/**
 * A run over rule files from elsewhere. The catalog still types the series it declares (a metric's type is the same
 * wherever it is scraped), but its labels are ours: they apply only with `catalogLabels`. Other series are typed by
 * a live Prometheus (`types`) or inferred from the files (foreign-types.ts).
 */
export interface ForeignOptions {
  catalogLabels: boolean;
  /** The scrape interval the files' Prometheus uses, when known; default the project's. */
  scrapeInterval?: string;
  types?: TypeSource;
  live?: LiveSeries;
}

/** The context of one check run over `model`: see CheckContext. */
export function checkContext(model: Model, foreign?: ForeignOptions): CheckContext {
  return runContext(model, foreign);
}

/** checkContext, and how the expression pass of checkModel lets go of a parse. */
interface RunContext extends CheckContext {
  /**
   * Drops the tree of an expression that no check will read again, keeping its metric names and the `facts` the
   * later checks will ask of it (worked out now): any but a recording rule's, which seriesLabels reads whenever a
   * later expression uses the series it records.
   */
  release(text: string, options: { grafana: boolean }, facts: ReadonlyArray<ExpressionFact<unknown>>): void;
}

function runContext(model: Model, foreign?: ForeignOptions): RunContext {
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
    scrapeIntervalMs: parseDurationMs(foreign?.scrapeInterval ?? model.settings.scrapeInterval),
    parse(text, options) {
      const found = entry(text, options);
      return (found.expr ??= parseKept(text, { grafana: options.grafana }));
    },
    metricNames(text, options) {
      const found = entry(text, options);
      return (found.metricNames ??= selectors(found.expr ?? ctx.parse(text, options)).map((s) => s.metric));
    },
    sites: () => (sites ??= expressionSites(model)),
    fact<T>(text: string, options: { grafana: boolean }, fact: ExpressionFact<T>): T {
      const found = entry(text, options);
      const facts = (found.facts ??= new Map());
      if (facts.has(fact)) return facts.get(fact) as T;
      const value = fact.of(found.expr ?? ctx.parse(text, options), ctx);
      facts.set(fact, value);
      return value;
    },
    release(text, options, facts) {
      if (!options.grafana && ruleExpressions.has(text)) return;
      const found = (options.grafana ? grafana : plain).get(text);
      if (!found?.expr) return;
      found.metricNames ??= selectors(found.expr).map((s) => s.metric);
      for (const fact of facts) ctx.fact(text, options, fact);
      found.expr = undefined;
    },
  };
  if (foreign) {
    ctx.catalogLabels = foreign.catalogLabels;
    if (foreign.live) ctx.live = foreign.live;
    const written = () => [...model.alerts, ...model.recordingRules];
    ctx.inferType = foreignTypes(written, (text) => ctx.parse(text, { grafana: false }), foreign.types);
  }
  return ctx;
}

function toDiagnostic(
  check: Check,
  finding: Finding,
  subject: string,
  site?: { expr: ParsedExpression },
): Diagnostic {
  const diagnostic: Diagnostic = {
    check: check.id,
    severity: finding.severity ?? check.severity,
    subject: finding.subject ?? subject,
    source: finding.source ?? { file: "<unknown>", line: 0 },
    message: finding.message,
  };
  if (finding.fix) diagnostic.fix = finding.fix;
  if (finding.at && site) diagnostic.position = positionOf(site.expr.text, finding.at.from);
  return diagnostic;
}

/** Runs expression checks over explicit sites (used by `check --expr` and rule-file checks too). */
export function checkExpressions(
  sites: ExpressionSite[],
  ctx: CheckContext,
  checks: Check[] = allChecks,
): Diagnostic[] {
  return applySuppressions(expressionDiagnostics(sites, ctx, checks), sites, knownCheckIds);
}

/** The expression checks over `sites`; with `release`, each parse is let go after the last site of its text. */
function expressionDiagnostics(
  sites: ExpressionSite[],
  ctx: CheckContext,
  checks: Check[],
  release?: RunContext["release"],
  checked: (site: ExpressionSite) => boolean = () => true,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const expressionChecks = checks.filter((c) => c.scope === "expression");
  // What the later checks ask of a dashboard's expression, worked out before its tree is let go.
  const facts = checks.flatMap((c) => (c.scope === "expression" ? [] : (c.facts ?? [])));
  // How many sites of each text and mode are still to come.
  const remaining = { grafana: new Map<string, number>(), plain: new Map<string, number>() };
  const counts = (site: ExpressionSite) => (site.kind === "expression" ? remaining.plain : remaining.grafana);
  if (release) for (const site of sites) counts(site).set(site.expr, (counts(site).get(site.expr) ?? 0) + 1);
  for (const site of sites) {
    const options = { grafana: site.kind !== "expression" };
    const expr = ctx.parse(site.expr, options);
    // A site left unchecked is still parsed and let go here, with the facts the later checks ask of it.
    for (const check of checked(site) ? expressionChecks : []) {
      if (expr.errorAt !== undefined && check.needsValidSyntax !== false) continue;
      for (const finding of check.check(expr, site, ctx)) {
        // Where the offending character was written, when the site knows (a dashboard query's template).
        const source = (finding.at && site.locate?.(finding.at.from)) || site.source;
        out.push(toDiagnostic(check, { source, ...finding }, site.subject, { expr }));
      }
    }
    // Rule expressions stay parsed: the alert and rule checks that follow read them again.
    if (release && site.kind !== "expression") {
      const left = counts(site).get(site.expr)! - 1;
      counts(site).set(site.expr, left);
      if (left === 0) release(site.expr, options, facts);
    }
  }
  return out;
}

/**
 * Every check over the whole model; all problems at once, in a stable order. With `expressionsOf`, the expression
 * checks run on those sites only (an expression check speaks of its own site alone); the other checks run whole.
 */
export function checkModel(
  model: Model,
  checks: Check[] = allChecks,
  foreign?: ForeignOptions,
  expressionsOf?: (site: ExpressionSite) => boolean,
): Diagnostic[] {
  const ctx = runContext(model, foreign);
  const sites = ctx.sites();
  // Thousands of queries, each parsed once: a tree is let go once the checks of its last site are done, rather
  // than piling up for the whole run (the model checks read only metric names of them, which are kept).
  const out = expressionDiagnostics(sites, ctx, checks, ctx.release, expressionsOf);
  for (const check of checks) {
    if (check.scope === "dashboard") {
      for (const dashboard of model.dashboards) {
        for (const finding of check.check(dashboard, ctx)) {
          out.push(
            toDiagnostic(check, { source: dashboard.source, ...finding }, `dashboard ${dashboard.uid}`),
          );
        }
      }
    } else if (check.scope === "model") {
      for (const finding of check.check(model, ctx)) out.push(toDiagnostic(check, finding, "project"));
    }
  }
  return sortDiagnostics(applySuppressions(out, [...sites, ...debtSites(model)], knownCheckIds));
}

/**
 * What runs on a rule file from elsewhere unless its configuration says otherwise: every correctness check that can
 * read a rule file (not those of what only our TypeScript definitions carry).
 */
export const foreignChecks: Check[] = artifactChecks.filter((check) => check.kind === "correctness");

/** A rule file from elsewhere, read, with the checks and assumptions that apply to it (config.ts works them out). */
export interface ForeignFile {
  file: string;
  ruleFile: RuleFile;
  checks: Check[];
  /** Files with the same key have the same checks and options, and are checked in one run. */
  key: string;
  options: ForeignOptions;
}

/**
 * Rule files from elsewhere, as Prometheus loads them: together, so a recording rule in one is known to the alerts of
 * another. Each file gets its own checks; the project's catalog types what it declares, and the project's recording
 * rules are known, but only each file's own findings are reported.
 */
export function checkRuleFiles(base: Model, files: ForeignFile[]): Diagnostic[] {
  const theirs = files.flatMap((f) => f.ruleFile.recordingRules);
  // The project's recording rules are known to the files, except where the files record the same name themselves
  // (a copy of our build, say): then theirs is the one they mean, and not a second one.
  const recorded = new Set(theirs.map((r) => r.record));
  const recordingRules = [...base.recordingRules.filter((r) => !recorded.has(r.record)), ...theirs];
  const runs = new Map<string, ForeignFile[]>();
  for (const file of files) runs.set(file.key, [...(runs.get(file.key) ?? []), file]);
  return [...runs.values()].flatMap((run) => {
    const names = new Set(run.map((f) => f.file));
    const model: Model = {
      ...base,
      dashboards: [],
      alerts: run.flatMap((f) => f.ruleFile.alerts),
      recordingRules,
      ruleGroups: run.flatMap((f) => f.ruleFile.groups),
    };
    return checkModel(model, run[0]!.checks, run[0]!.options).filter((d) => names.has(d.source.file));
  });
}
