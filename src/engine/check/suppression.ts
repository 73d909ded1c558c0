/**
 * Silencing a check on one definition, with a reason, inside the PromQL it concerns:
 *
 *   # o11y-disable promql/regexp: the exporter emits anchored values we do not control
 *
 * It works the same in TypeScript definitions, dashboard queries and foreign rule files. A suppression
 * covers its own expression and the panel, alert or rule that owns it. A reason is mandatory.
 */
import type { Diagnostic } from "../diagnostics.ts";
import { commentRanges } from "../promql/grafana-variables.ts";
import type { ExpressionSite } from "./check.ts";

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
export function applySuppressions(diagnostics: Diagnostic[], sites: ExpressionSite[], knownChecks: ReadonlySet<string>): Diagnostic[] {
  const out = [...diagnostics];
  for (const site of sites) {
    for (const suppression of suppressionsIn(site.expr)) {
      if (!knownChecks.has(suppression.check)) {
        out.push({
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
        out.push({
          check: "check/suppression",
          severity: "error",
          subject: site.subject,
          source: site.source,
          message: `o11y-disable ${suppression.check} has no reason (write it after a colon)`,
          fix: `say why, for the next reader: # o11y-disable ${suppression.check}: <reason>`,
        });
        continue;
      }
      for (const diagnostic of out) {
        if (diagnostic.check === suppression.check && (diagnostic.subject === site.subject || diagnostic.subject === owner(site.subject))) {
          diagnostic.suppressed = suppression.reason;
        }
      }
    }
  }
  return out;
}
