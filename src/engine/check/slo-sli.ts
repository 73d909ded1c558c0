/** What the slo/* checks share: an SLO's queries as the 5m rule writes them, and their selectors. */
import { windowPlaceholder } from "../define/slo.ts";
import type { SloModel } from "../model.ts";
import { selectors, type SelectorInfo } from "../promql/parse.ts";
import type { CheckContext } from "./check.ts";

export const sloSubject = (slo: SloModel) => `slo ${slo.id}`;

/** A query with its `{{window}}` written as the shortest window, so that it parses. */
export const atShortestWindow = (query: string) => query.split(windowPlaceholder).join("5m");

export function selectorsOf(query: string, ctx: CheckContext): SelectorInfo[] | undefined {
  const parsed = ctx.parse(atShortestWindow(query), { grafana: false });
  return parsed.errorAt === undefined ? selectors(parsed) : undefined;
}

const fullMatch = (pattern: string, value: string) => {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
};

/**
 * Why `narrow` may select a series `wide` does not, or undefined when every series it selects, `wide` selects too:
 * the same metric, and each of `wide`'s matchers repeated, or implied by an equality matcher.
 */
export function notWithin(narrow: SelectorInfo, wide: SelectorInfo): string | undefined {
  if (narrow.metric !== wide.metric)
    return `it reads ${narrow.metric ?? "(no metric name)"}, the total ${wide.metric ?? "(no metric name)"}`;
  for (const m of wide.matchers) {
    if (m.label === "__name__") continue;
    const same = narrow.matchers.some((n) => n.label === m.label && n.op === m.op && n.value === m.value);
    if (same) continue;
    const implied = narrow.matchers.some(
      (n) =>
        n.label === m.label &&
        n.op === "=" &&
        (m.op === "=~"
          ? fullMatch(m.value, n.value)
          : m.op === "!="
            ? n.value !== m.value
            : m.op === "!~"
              ? !fullMatch(m.value, n.value)
              : n.value === m.value),
    );
    if (!implied) return `it lacks the total's ${m.label}${m.op}"${m.value}"`;
  }
  return undefined;
}

/** Why the error selectors may count what the total does not; undefined when each lies within one of the total's. */
export function errorsOutsideTotal(
  errors: SelectorInfo[],
  total: SelectorInfo[],
  text: (s: SelectorInfo) => string,
): string | undefined {
  for (const error of errors) {
    const reasons = total.map((t) => notWithin(error, t));
    if (reasons.some((r) => r === undefined)) continue;
    return `${text(error)} is not within the total's selectors: ${reasons[0] ?? "the total selects nothing"}`;
  }
  return undefined;
}
