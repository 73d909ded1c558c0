import { formatDuration, parseDurationMs } from "../../../duration.ts";
import type { ExpressionCheck, Finding } from "../../check.ts";
import { findVariables, grafanaBuiltinVariables } from "../../../promql/grafana-variables.ts";
import { nodesNamed, rangeArgument } from "../../../promql/parse.ts";

/** Functions whose range must hold several samples to mean anything. */
const rangeFunctions = new Set([
  "rate",
  "irate",
  "increase",
  "deriv",
  "delta",
  "idelta",
  "resets",
  "changes",
  "predict_linear",
]);
/** Rates, whose dashboard window must follow the zoom level; `delta()` over a fixed hour is a deliberate window. */
const rateFunctions = new Set(["rate", "irate", "increase"]);
const minimumSamples = 4;

/**
 * A range vector over a rate-like function must span enough scrapes. In dashboards it must be
 * `$__rate_interval`, which Grafana keeps at least four scrape intervals whatever the zoom level.
 */
export const rateWindow: ExpressionCheck = {
  id: "promql/rate-window",
  kind: "correctness",
  severity: "error",
  summary: "A rate window shorter than four scrape intervals, or not `$__rate_interval` in a dashboard.",
  scope: "expression",
  check(expr, site, ctx) {
    const findings: Finding[] = [];
    for (const call of nodesNamed(expr, "FunctionCall")) {
      const name = call.getChild("FunctionIdentifier");
      if (!name || !rangeFunctions.has(expr.text.slice(name.from, name.to))) continue;
      const argument = rangeArgument(call);
      const matrix = argument?.name === "MatrixSelector" ? argument : undefined;
      const range = matrix?.getChild("DurationExpr") ?? matrix?.lastChild;
      if (!matrix || !range) continue;
      const written = expr.text.slice(range.from, range.to);
      const fn = expr.text.slice(name.from, name.to);
      if (site.kind === "dashboard-query" && (rateFunctions.has(fn) || written.startsWith("$"))) {
        // increase() over the dashboard's whole range is a deliberate total, not a rate window.
        const allowed =
          written === "$__rate_interval" ||
          written === "${__rate_interval}" ||
          (fn === "increase" && (written === "$__range" || written === "${__range}"));
        const variable = findVariables(written).find((use) => use.from === 0 && use.to === written.length);
        // A misspelt Grafana variable ($__rate_intervall) is no window at all: dashboard/undefined-variable says so.
        if (variable?.name.startsWith("__") && !grafanaBuiltinVariables.has(variable.name)) continue;
        if (!allowed) {
          findings.push({
            message: variable
              ? `${fn}() over [${written}] in a dashboard: a window the variable sets, not one Grafana sizes to the zoom level and keeps above four scrapes`
              : `${fn}() over [${written}] in a dashboard: a fixed window is too short when zoomed out and too coarse when zoomed in`,
            fix: "use [$__rate_interval], which Grafana sizes to the zoom level and to at least four scrapes.",
            at: { from: range.from, to: range.to },
          });
        }
        continue;
      }
      const ms = parseDurationMs(written);
      const minimum = minimumSamples * ctx.scrapeIntervalMs;
      if (Number.isFinite(ms) && ms < minimum) {
        findings.push({
          message: `${fn}() over [${written}] spans fewer than ${minimumSamples} scrapes of ${formatDuration(ctx.scrapeIntervalMs)}, so one missed scrape leaves it empty`,
          fix: `use a window of at least ${formatDuration(minimum)}.`,
          at: { from: range.from, to: range.to },
        });
      }
    }
    return findings;
  },
};
