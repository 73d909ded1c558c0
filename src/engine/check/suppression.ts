/**
 * Silencing a check on one definition, with a reason, inside the PromQL it concerns:
 *
 *   # o11y-disable promql/regexp: the exporter emits anchored values we do not control
 *
 * It works the same in TypeScript definitions, dashboard queries and foreign rule files. A suppression
 * covers its own expression and the panel, alert or rule that owns it. A reason is mandatory.
 */
import type { Diagnostic } from "../diagnostics.ts";
import type { Model } from "../model.ts";
import { commentRanges } from "../promql/grafana-variables.ts";
import type { ExpressionSite } from "./check.ts";
import { panelSubject } from "./check.ts";

const directive = /^#\s*o11y-disable\s+([a-z]+\/[a-z0-9-]+)(.*)$/;

export interface Suppression {
  check: string;
  /** Empty when the directive gives none (or forgets the colon before it). */
  reason: string;
}

/** Directives in the expression's comments; text inside string literals is not a comment. */
export function suppressionsIn(expr: string): Suppression[] {
  return commentRanges(expr).flatMap(([from, to]) => {
    const match = directive.exec(expr.slice(from, to));
    if (!match) return [];
    const rest = match[2]!.trim();
    return [{ check: match[1]!, reason: rest.startsWith(":") ? rest.slice(1).trim() : "" }];
  });
}

/** The definition a site belongs to: a query's panel, or the alert or rule itself. */
function owner(subject: string): string {
  return subject.replace(/ › query [A-Z]+$/, "");
}

/** Marks suppressed diagnostics, and reports suppressions without a reason or of an unknown check. */
export function applySuppressions(
  diagnostics: Diagnostic[],
  sites: ExpressionSite[],
  knownChecks: ReadonlySet<string>,
): Diagnostic[] {
  const out = [...diagnostics];
  // `out` by check and subject, made when the first suppression needs it and kept up to date after.
  let index: Map<string, Map<string, Diagnostic[]>> | undefined;
  const indexed = (diagnostic: Diagnostic) => {
    let subjects = index!.get(diagnostic.check);
    if (!subjects) index!.set(diagnostic.check, (subjects = new Map()));
    const list = subjects.get(diagnostic.subject);
    if (list) list.push(diagnostic);
    else subjects.set(diagnostic.subject, [diagnostic]);
  };
  const report = (diagnostic: Diagnostic) => {
    out.push(diagnostic);
    if (index) indexed(diagnostic);
  };
  for (const site of sites) {
    // No `#`, no comment, so no directive.
    if (!site.expr.includes("#")) continue;
    for (const suppression of suppressionsIn(site.expr)) {
      if (!knownChecks.has(suppression.check)) {
        report({
          check: "check/suppression",
          severity: "error",
          subject: site.subject,
          source: site.source,
          message: `o11y-disable names ${suppression.check}, which is not a check`,
          fix: "use a check id from docs/checks/README.md.",
        });
        continue;
      }
      if (!suppression.reason) {
        report({
          check: "check/suppression",
          severity: "error",
          subject: site.subject,
          source: site.source,
          message: `o11y-disable ${suppression.check} has no reason (write it after a colon)`,
          fix: `say why, for the next reader: # o11y-disable ${suppression.check}: <reason>`,
        });
        continue;
      }
      if (!index) {
        index = new Map();
        for (const diagnostic of out) indexed(diagnostic);
      }
      const subjects = index.get(suppression.check);
      if (!subjects) continue;
      // The site itself, and the definition that owns it (for a query, its panel).
      const owned = owner(site.subject);
      for (const subject of owned === site.subject ? [owned] : [site.subject, owned]) {
        for (const diagnostic of subjects.get(subject) ?? []) diagnostic.suppressed = suppression.reason;
      }
    }
  }
  return out;
}

/**
 * The migration debt that `o11y import` wrote on dashboards, panels, variables, alerts and recording rules, as the
 * directives they stand for: a panel's covers the panel and each of its queries, as a directive in each query would;
 * a rule's covers the rule, as a directive in its expression would.
 */
export function debtSites(model: Model): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const add = (
    debt: { check: string; reason: string }[] | undefined,
    subjects: string[],
    source: ExpressionSite["source"],
  ) => {
    for (const { check, reason } of debt ?? []) {
      const expr = `# o11y-disable ${check}: ${reason.replace(/\s+/g, " ")}`;
      for (const subject of subjects) sites.push({ expr, subject, source, kind: "expression" });
    }
  };
  for (const dashboard of model.dashboards) {
    add(dashboard.debt, [`dashboard ${dashboard.uid}`], dashboard.source);
    for (const variable of dashboard.variables) {
      add(variable.debt, [`dashboard ${dashboard.uid} › variable $${variable.name}`], variable.source);
    }
    for (const panel of [...dashboard.rows, ...dashboard.panels]) {
      const subject = panelSubject(dashboard, panel);
      add(panel.debt, [subject, ...panel.targets.map((t) => `${subject} › query ${t.refId}`)], panel.source);
    }
  }
  for (const alert of model.alerts) add(alert.debt, [`alert ${alert.name}`], alert.source);
  for (const rule of model.recordingRules) add(rule.debt, [`recording rule ${rule.record}`], rule.source);
  return sites;
}
