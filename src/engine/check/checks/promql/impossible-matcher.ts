import type { ExpressionCheck, Finding } from "../../check.ts";
import { selectors, type SelectorInfo } from "../../../promql/parse.ts";

type Matcher = SelectorInfo["matchers"][number];

/**
 * A Prometheus regex as a JavaScript one, anchored as Prometheus anchors it; undefined where the two may read it
 * differently (RE2 flags like `(?i)`, POSIX classes like `[[:alpha:]]`) or JavaScript cannot read it.
 */
function anchored(pattern: string): RegExp | undefined {
  if (/\(\?[a-zA-Z]|\[\[:|\\[AzpPQE]/.test(pattern)) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, "s");
  } catch {
    return undefined;
  }
}

const show = (m: Pick<Matcher, "label" | "op" | "value">) => `${m.label}${m.op}${JSON.stringify(m.value)}`;

/** Why `other` cannot hold of a series whose label `equal.label` is `equal.value`; undefined if it can. */
function contradiction(equal: Matcher, other: Matcher): string | undefined {
  const v = equal.value;
  if (other.op === "=" && other.value !== v) return "no series has both values";
  if (other.op === "!=" && other.value === v) return "one excludes what the other requires";
  if (other.op === "=~" || other.op === "!~") {
    const re = anchored(other.value);
    if (!re) return undefined;
    if (other.op === "=~" && !re.test(v))
      return `"${v}" does not match the regex, which Prometheus anchors at both ends`;
    if (other.op === "!~" && re.test(v)) return `"${v}" matches the regex it must not match`;
  }
  return undefined;
}

/**
 * Matchers that no series can satisfy together make a selector that matches nothing, on any server: an alert that never
 * fires, a ratio that is always empty. Often a copy-paste (`code="5xx", code="2xx"`) or an anchor written into a regex.
 */
export const impossibleMatcher: ExpressionCheck = {
  id: "promql/impossible-matcher",
  kind: "correctness",
  severity: "error",
  summary:
    'Label matchers that no series can satisfy together: x="a" with x="b", with x!="a", or with a regex "a" does not match.',
  scope: "expression",
  check(expr, site) {
    const findings: Finding[] = [];
    for (const selector of selectors(expr)) {
      const matchers = [...selector.matchers];
      // The name before the braces is a __name__ matcher too.
      if (selector.metric !== undefined && selector.metricNode?.name === "Identifier") {
        matchers.unshift({ label: "__name__", op: "=", value: selector.metric, node: selector.metricNode });
      }
      // Grafana variables expand at query time: their values are not known here.
      const usable =
        site.kind === "expression" ? matchers : matchers.filter((m) => !/\$(\{|\w)|\[\[/.test(m.value));
      const byLabel = new Map<string, Matcher[]>();
      for (const m of usable) byLabel.set(m.label, [...(byLabel.get(m.label) ?? []), m]);
      for (const [label, same] of byLabel) {
        const equal = same.find((m) => m.op === "=");
        if (!equal || same.length < 2) continue;
        for (const other of same) {
          if (other === equal) continue;
          const why = contradiction(equal, other);
          if (!why) continue;
          findings.push({
            message: `${show(equal)} and ${show(other)}: ${why}, so this selector matches no series`,
            fix:
              label === "__name__"
                ? "keep one metric name."
                : `keep the matcher on ${label} you meant, or use ${label}=~"a|b" for either value.`,
            at: { from: other.node.from, to: other.node.to },
          });
          break;
        }
      }
    }
    return findings;
  },
};
