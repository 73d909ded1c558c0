import type { ExpressionCheck, Finding } from "../../check.ts";
import { nodesNamed, rangeArgument } from "../../../promql/parse.ts";
import { seriesType, typeNote } from "../../../promql/semantics.ts";

const counterFunctions = new Set(["rate", "irate", "increase", "resets"]);
const counterLike = new Set(["counter", "bucket", "monotonic-gauge"]);

/**
 * rate() and friends assume a counter: any fall is read as a restart and the whole previous value is
 * added back. Over a gauge that goes down, that invents spikes. The catalog knows which is which.
 */
export const rateOnCounter: ExpressionCheck = {
  id: "promql/rate-on-counter",
  kind: "correctness",
  severity: "error",
  summary: "rate(), irate(), increase() or resets() over a series that is not a counter.",
  scope: "expression",
  check(expr, _site, ctx) {
    const findings: Finding[] = [];
    for (const call of nodesNamed(expr, "FunctionCall")) {
      const identifier = call.getChild("FunctionIdentifier")!;
      const fn = expr.text.slice(identifier.from, identifier.to);
      if (!counterFunctions.has(fn)) continue;
      // rate(x[5m] offset 1h) and rate(x[5m:1m]) read x just the same.
      const argument = rangeArgument(call);
      const selector = argument?.getChild("VectorSelector");
      const name = selector?.getChild("Identifier");
      if (!selector || !name) continue;
      const metric = expr.text.slice(name.from, name.to);
      const type = seriesType(metric, ctx);
      const { kind } = type;
      if (
        kind === "unknown" ||
        kind === "recorded" ||
        kind === "recorded-bucket-rate" ||
        counterLike.has(kind)
      )
        continue;
      const gaugeFix = type.because
        ? "use delta() or deriv() for a gauge's change; if it really is a counter, say so with `# o11y-disable promql/rate-on-counter: <why>` on the rule."
        : "use delta() or deriv() for a gauge's change, or declare the metric monotonic in src/catalog/ if it only grows between restarts.";
      findings.push({
        message: `${fn}() over ${kind} ${metric}${typeNote(type)}: ${fn}() reads every fall of the value as a counter reset, so it invents spikes`,
        fix: kind === "gauge" ? gaugeFix : "query the summary's _sum or _count counters instead.",
        at: { from: name.from, to: name.to },
      });
    }
    return findings;
  },
};
