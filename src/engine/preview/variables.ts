/**
 * Grafana's template variables in a panel query, substituted as Grafana's Prometheus data source does before it
 * calls the API: each variable at the dashboard's default (its `current` value), and the built-in ones from
 * the panel's time range and the data source's scrape interval.
 *
 * - A selected value of a multi-value or All-able variable is regex-escaped, several are joined as `(a|b)`:
 *   such a variable is read by a `=~` matcher. A single-value variable is its value as it is.
 * - All is the variable's `allValue` (`.*` on our dashboards); without one, every value its query returns
 *   (`label_values(...)`, asked of the server), or `.*` when there is no server to ask.
 * - `$__interval` and `$__rate_interval` as time-range.ts computes them; `$__range` (and `_s`, `_ms`) is the
 *   range; `$__from` and `$__to` its ends in epoch milliseconds.
 */
import { findVariables } from "../promql/grafana-variables.ts";
import { promDuration, type Intervals, type TimeRange } from "./time-range.ts";

export interface TemplateVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { value?: string | string[]; text?: string | string[] };
  options?: Array<{ value?: string }>;
}

/** A variable's possible values, as its query yields them; undefined when they cannot be known. */
export type OptionsOf = (
  variable: TemplateVariable,
  values: Record<string, string>,
) => Promise<string[] | undefined>;

/** A query whose variables cannot all be substituted: the panel shows why instead of data. */
export class UnknownVariable extends Error {}

/** Grafana's escape of a selected value inside a `=~` matcher. */
const regexEscape = (value: string) =>
  value.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]'+?.()|]/g, "\\\\$&");

const queryText = (variable: TemplateVariable) =>
  typeof variable.query === "string" ? variable.query : (variable.query?.query ?? "");

/** A custom variable's values: `a, b, c`, or `label : value` pairs. */
function customOptions(variable: TemplateVariable): string[] {
  const listed = (variable.options ?? [])
    .map((o) => o.value)
    .filter((v): v is string => typeof v === "string");
  if (listed.length) return listed.filter((v) => v !== "$__all");
  return queryText(variable)
    .split(/(?<!\\),/)
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => (/\s:\s/.test(item) ? item.split(/\s:\s/)[1]!.trim() : item));
}

/**
 * Every variable of the dashboard at its default, in the order Grafana resolves them (each may read the ones
 * before it). `optionsOf` asks the server for a query variable's values, when they are needed.
 */
export async function variableValues(
  variables: TemplateVariable[],
  optionsOf?: OptionsOf,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const variable of variables) {
    if (variable.type === "adhoc") continue;
    const raw = variable.current?.value;
    const selected = (Array.isArray(raw) ? raw : raw === undefined || raw === "" ? [] : [raw]).map(String);
    if (variable.type === "datasource") {
      values[variable.name] = selected[0] ?? "default";
      continue;
    }
    const options = async () =>
      variable.type === "custom"
        ? customOptions(variable)
        : variable.type === "query" && optionsOf
          ? await optionsOf(variable, values)
          : undefined;
    const all = selected.includes("$__all") || (selected.length === 0 && variable.includeAll === true);
    if (all) {
      if (typeof variable.allValue === "string" && variable.allValue !== "") {
        values[variable.name] = variable.allValue;
        continue;
      }
      const every = await options();
      values[variable.name] =
        every === undefined || every.length === 0 ? ".*" : `(${every.map(regexEscape).join("|")})`;
      continue;
    }
    const chosen = selected.length ? selected : ((await options())?.slice(0, 1) ?? []);
    if (!variable.multi && !variable.includeAll) values[variable.name] = chosen[0] ?? "";
    else
      values[variable.name] =
        chosen.length === 1 ? regexEscape(chosen[0]!) : `(${chosen.map(regexEscape).join("|")})`;
  }
  return values;
}

/** `label_values(label)` or `label_values(selector, label)`: the label, and the selector with its variables substituted. */
export function labelValuesQuery(
  variable: TemplateVariable,
  values: Record<string, string>,
): { label: string; match?: string } | undefined {
  const query = /^\s*label_values\(\s*(?:(.*\S)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(
    queryText(variable),
  );
  if (!query) return undefined;
  if (query[1] === undefined) return { label: query[2]! };
  try {
    return { label: query[2]!, match: substitute(query[1], values) };
  } catch {
    return { label: query[2]! };
  }
}

/** The built-in variables of a panel's query over `range`. */
export function builtinValues(range: TimeRange, intervals: Intervals): Record<string, string> {
  const rangeMs = Math.round((range.to - range.from) * 1000);
  return {
    __interval: promDuration(intervals.intervalMs),
    __interval_ms: String(intervals.intervalMs),
    __rate_interval: promDuration(intervals.rateIntervalMs),
    __rate_interval_ms: String(intervals.rateIntervalMs),
    __range: promDuration(rangeMs),
    __range_s: String(Math.round(rangeMs / 1000)),
    __range_ms: String(rangeMs),
    __from: String(Math.round(range.from * 1000)),
    __to: String(Math.round(range.to * 1000)),
  };
}

/** `expr` with every `$name`, `${name}` and `[[name]]` replaced; a variable with no value throws UnknownVariable. */
export function substitute(expr: string, values: Record<string, string>): string {
  let out = "";
  let last = 0;
  for (const use of findVariables(expr)) {
    const value = values[use.name];
    if (value === undefined) throw new UnknownVariable(`$${use.name} is not a variable of this dashboard`);
    out += expr.slice(last, use.from) + value;
    last = use.to;
  }
  return out + expr.slice(last);
}
