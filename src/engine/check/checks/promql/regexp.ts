import type { ExpressionCheck, Finding } from "../../check.ts";
import { selectors } from "../../../promql/parse.ts";

const metacharacters = /[.*+?()[\]{}|\\^$]/;

/** Prometheus anchors every regex itself; and a regex with nothing regular in it is an equality written slowly. */
export const regexp: ExpressionCheck = {
  id: "promql/regexp",
  kind: "house",
  severity: "warning",
  summary: "A regex matcher with redundant ^...$ anchors, or with no metacharacters (use = or !=).",
  scope: "expression",
  check(expr) {
    const findings: Finding[] = [];
    for (const selector of selectors(expr)) {
      for (const matcher of selector.matchers) {
        if (matcher.op !== "=~" && matcher.op !== "!~") continue;
        // Grafana multi-value variables expand to a regex: leave them alone.
        if (/\$(\{|\w)|\[\[/.test(matcher.value)) continue;
        const at = { from: matcher.node.from, to: matcher.node.to };
        if (
          matcher.value.startsWith("^") ||
          (matcher.value.endsWith("$") && !matcher.value.endsWith("\\$"))
        ) {
          findings.push({
            message: `${matcher.label}${matcher.op}"${matcher.value}": Prometheus already anchors regexes at both ends`,
            fix: "drop the ^ and $.",
            at,
          });
        } else if (!metacharacters.test(matcher.value)) {
          findings.push({
            message: `${matcher.label}${matcher.op}"${matcher.value}" has no regex metacharacters`,
            fix: `use ${matcher.label}${matcher.op === "=~" ? "=" : "!="}"${matcher.value}".`,
            at,
          });
        }
      }
    }
    return findings;
  },
};
