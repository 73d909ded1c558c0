import type { Model } from "../model.ts";
import type { ExpressionSite } from "./check.ts";
import { panelSubject } from "./check.ts";
import { locateInQuery } from "../query-source.ts";

/** A query variable's PromQL part: the selector of `label_values(selector, label)`, or the query_result expression. */
export function variableExpression(query: string): { expr: string; offset: number } | undefined {
  const labelValues = /^\s*label_values\(\s*(.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  if (labelValues) return { expr: labelValues[1]!, offset: query.indexOf(labelValues[1]!) };
  const queryResult = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (queryResult) return { expr: queryResult[1]!, offset: query.indexOf(queryResult[1]!) };
  return undefined;
}

/** Every PromQL expression in the model, with its owner. */
export function expressionSites(model: Model): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  for (const dashboard of model.dashboards) {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const site: ExpressionSite = {
          expr: target.expr,
          subject: `${panelSubject(dashboard, panel)} › query ${target.refId}`,
          source: panel.source,
          kind: "dashboard-query",
          dashboard,
        };
        // A finding inside the query points where its text was written, when the query() call shows it.
        const written = target.source;
        if (written) site.locate = (offset) => locateInQuery(written, target.expr, offset);
        sites.push(site);
      }
    }
    for (const variable of dashboard.variables) {
      const part = variable.query === undefined ? undefined : variableExpression(variable.query);
      if (!part) continue;
      sites.push({
        expr: part.expr,
        subject: `dashboard ${dashboard.uid} › variable $${variable.name}`,
        source: variable.source,
        kind: "dashboard-variable",
        dashboard,
      });
    }
  }
  for (const alert of model.alerts) {
    sites.push({
      expr: alert.expr,
      subject: `alert ${alert.name}`,
      source: alert.source,
      kind: "expression",
    });
  }
  for (const rule of model.recordingRules) {
    sites.push({
      expr: rule.expr,
      subject: `recording rule ${rule.record}`,
      source: rule.source,
      kind: "expression",
    });
  }
  return sites;
}
