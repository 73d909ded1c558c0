/**
 * Grafana's side of a panel query: template variables at the dashboard's defaults, and the built-in
 * interval variables, substituted the way Grafana's Prometheus datasource does before it calls the API.
 */
import type { DashboardModel } from "../../src/engine/model.ts";
import { findVariables } from "../../src/engine/promql/grafana-variables.ts";

/** A panel's time range, in unix seconds, and its width in data points (Grafana's maxDataPoints). */
export interface TimeRange {
  from: number;
  to: number;
  maxDataPoints?: number;
}

export interface TemplateVariable {
  name: string;
  type: string;
  query?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
}

export function templateVariables(dashboard: DashboardModel): TemplateVariable[] {
  const templating = dashboard.json.templating as { list?: TemplateVariable[] } | undefined;
  return templating?.list ?? [];
}

/** Grafana's prometheusSpecialRegexEscape: a selected value inside a `=~` matcher. */
const regexEscape = (value: string) =>
  value.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]'+?.()|]/g, "\\\\$&");

/** What `$name` becomes for a variable at its current value: the All value, or the selected values as a regex. */
export function variableValue(variable: TemplateVariable): string {
  const raw = variable.current?.value ?? [];
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.includes("$__all")) return variable.allValue ?? `(${values.map(regexEscape).join("|")})`;
  if (!variable.multi && !variable.includeAll) return values[0] ?? "";
  const escaped = values.map(regexEscape);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join("|")})`;
}

/** $__interval and $__rate_interval as Grafana computes them (interval floored at the datasource's scrape interval). */
export function intervals(range: TimeRange, scrapeSeconds: number) {
  const intervalMs = Math.max(
    scrapeSeconds * 1000,
    Math.round(((range.to - range.from) * 1000) / (range.maxDataPoints ?? 1000)),
  );
  const rateIntervalMs = Math.max(4 * scrapeSeconds * 1000, intervalMs + scrapeSeconds * 1000);
  return { intervalMs, rateIntervalMs };
}

const ms = (value: number) => (value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`);

/** The expression Grafana sends: every `$var`, `${var}` and `[[var]]` replaced; an unknown variable throws. */
export function interpolate(
  expr: string,
  values: Record<string, string>,
  range: TimeRange,
  scrapeSeconds: number,
): string {
  const { intervalMs, rateIntervalMs } = intervals(range, scrapeSeconds);
  const rangeMs = Math.round((range.to - range.from) * 1000);
  const builtins: Record<string, string> = {
    __interval: ms(intervalMs),
    __interval_ms: String(intervalMs),
    __rate_interval: ms(rateIntervalMs),
    __range: ms(rangeMs),
    __range_s: String(Math.round(rangeMs / 1000)),
    __range_ms: String(rangeMs),
  };
  let out = "";
  let last = 0;
  for (const use of findVariables(expr)) {
    const value = builtins[use.name] ?? values[use.name];
    if (value === undefined) throw new Error(`undefined variable $${use.name} in ${expr}`);
    out += expr.slice(last, use.from) + value;
    last = use.to;
  }
  return out + expr.slice(last);
}
