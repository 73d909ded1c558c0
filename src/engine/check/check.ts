import type { Diagnostic, Severity } from "../diagnostics.ts";
import type { DashboardModel, Model } from "../model.ts";
import type { ParsedExpression } from "../promql/parse.ts";
import type { Semantics } from "../promql/semantics.ts";
import { formatDuration } from "../duration.ts";
import type { SourceLocation } from "../source.ts";

/** The file an expression given on the command line (`o11y check --expr`) is said to be in. */
export const exprFlagFile = "--expr";

/** Where a PromQL expression was written and what it belongs to. */
export interface ExpressionSite {
  expr: string;
  /** Human name of the owner, e.g. `dashboard gs-phoenix-metrics › panel 101 "Request rate" › query A`. */
  subject: string;
  source: SourceLocation;
  /** Dashboard queries may use Grafana variables and must follow dashboard conventions. */
  kind: "dashboard-query" | "dashboard-variable" | "expression";
  dashboard?: DashboardModel;
  /** Where the character at `offset` of `expr` was written, when that is known (a dashboard query's template). */
  locate?: (offset: number) => SourceLocation | undefined;
}

/**
 * What every check of one run shares. It is made for one model (checkContext) and read-only from then on; the
 * parses and lists it keeps are worked out once per run, whichever check asks first.
 */
export interface CheckContext extends Semantics {
  model: Model;
  scrapeIntervalMs: number;
  /**
   * parsePromQL, once per distinct text and mode in a run: identical text parses identically, so every site and
   * check that reads an expression shares one parse (and what parse.ts derives from it). Treat it as read-only.
   * checkModel lets go of a tree once the checks of the last site with its text are done (recording rules' are
   * kept): a later check should ask for metricNames, which stay, rather than parse it again.
   */
  parse(text: string, options: { grafana: boolean }): ParsedExpression;
  /** The metric name of each vector selector of the expression, in order (selectors(parse(...)).metric). */
  metricNames(text: string, options: { grafana: boolean }): ReadonlyArray<string | undefined>;
  /** expressionSites(model), listed once per run; treat it as read-only. */
  sites(): ExpressionSite[];
  /**
   * `fact.of` the expression, once per text and mode in a run, and kept after its tree is let go: checkModel works
   * out the facts its dashboard and model checks declare (`facts`) while each tree is still there, so those checks,
   * which run after the expression pass, need not parse every query again.
   */
  fact<T>(text: string, options: { grafana: boolean }, fact: ExpressionFact<T>): T;
  /** With `o11y check --prometheus`: what that server holds (metric-source.ts). The checks that need it run only then. */
  live?: LiveSeries;
}

/** What a live Prometheus holds, fetched before the run (checks are synchronous). */
export interface LiveSeries {
  /** The server, for messages. */
  url: string;
  /** Every metric name stored there, over its whole retention. */
  names: ReadonlySet<string>;
  /** Whether any series matches this selector there now; undefined where it was not asked. */
  matches(selector: string): boolean | undefined;
}

/** A problem a check found; the runner fills in the check id, severity, subject and source. */
export interface Finding {
  message: string;
  fix?: string;
  subject?: string;
  source?: SourceLocation;
  /** Offsets inside the expression, for expression checks. */
  at?: { from: number; to: number };
  /** Lower than the check's own, where this finding is less sure (a check's page says when). */
  severity?: "warning";
}

/**
 * What a check holds a rule file to. `correctness`: a defect in any rule file, whoever wrote it (a query that returns
 * nothing or a wrong number, a rule Prometheus refuses); it runs on everything. `house`: this project's own convention
 * (its catalog, runbook, severities, names, annotations); it runs on our definitions, and on rule files from elsewhere
 * only where a team's configuration turns it on (docs/checks/README.md, "Two kinds of check").
 */
export type CheckKind = "correctness" | "house";

interface CheckBase {
  /** `group/name`, the same as the doc's path under docs/checks/. */
  id: string;
  /** Required, so that a new check cannot be merged without saying which kind it is. */
  kind: CheckKind;
  severity: Severity;
  /** One line: what the check catches. */
  summary: string;
}

export interface ExpressionCheck extends CheckBase {
  scope: "expression";
  /** Whether a syntax error stops this check (most need a sound tree). */
  needsValidSyntax?: boolean;
  check(expr: ParsedExpression, site: ExpressionSite, ctx: CheckContext): Finding[];
}

/** Something a dashboard or model check works out of one expression (see CheckContext.fact). */
export interface ExpressionFact<T> {
  of(expr: ParsedExpression, ctx: CheckContext): T;
}

export interface DashboardCheck extends CheckBase {
  scope: "dashboard";
  /** What it asks ctx.fact of the dashboards' expressions (grafana mode), worked out before their trees are let go. */
  facts?: ReadonlyArray<ExpressionFact<unknown>>;
  check(dashboard: DashboardModel, ctx: CheckContext): Finding[];
}

export interface ModelCheck extends CheckBase {
  scope: "model";
  /** As DashboardCheck's. */
  facts?: ReadonlyArray<ExpressionFact<unknown>>;
  check(model: Model, ctx: CheckContext): Finding[];
}

export type Check = ExpressionCheck | DashboardCheck | ModelCheck;

export type { Diagnostic };

/**
 * Whether the run is over rule files from elsewhere (`o11y check rules.yaml`): their fixes must not point at this
 * project's TypeScript (src/catalog/, src/alerts/, ...), which their authors do not have.
 */
export function fromElsewhere(ctx: CheckContext): boolean {
  return ctx.catalogLabels !== undefined;
}

/**
 * The window a fix suggests for a rate: `$__rate_interval` in a dashboard query, where Grafana fills it in; in an
 * alert, a recording rule or `o11y check --expr`, a duration Prometheus reads, four scrapes at least and 5m as usual.
 */
export function suggestedRateWindow(site: ExpressionSite, ctx: CheckContext): string {
  if (site.kind !== "expression") return "$__rate_interval";
  return formatDuration(Math.max(4 * ctx.scrapeIntervalMs, 5 * 60_000));
}

export function panelSubject(dashboard: DashboardModel, panel: { id: number; title: string }): string {
  return `dashboard ${dashboard.uid} › panel ${panel.id} "${panel.title}"`;
}
