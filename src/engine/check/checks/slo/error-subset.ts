import type { Finding, ModelCheck } from "../../check.ts";
import { errorsOutsideTotal, selectorsOf, sloSubject, atShortestWindow } from "../../slo-sli.ts";

/**
 * An events SLI divides errors by the total: each error selector must select a subset of a total selector (the same
 * metric, every matcher of the total kept), or the ratio counts errors the total does not and means nothing.
 */
export const sloErrorSubset: ModelCheck = {
  id: "slo/error-subset",
  kind: "correctness",
  severity: "error",
  summary:
    "An SLO error query that is not a subset of its total query (another metric, or matchers the total lacks).",
  scope: "model",
  check(model, ctx) {
    return (model.slos ?? []).flatMap((slo): Finding[] => {
      if (slo.sli.kind !== "events") return [];
      const errors = selectorsOf(slo.sli.errors, ctx);
      const total = selectorsOf(slo.sli.total, ctx);
      // A query that does not parse is promql/syntax's finding, on the generated rules.
      if (!errors || !total) return [];
      const text = atShortestWindow(slo.sli.errors);
      const why = errorsOutsideTotal(errors, total, (s) => text.slice(s.node.from, s.node.to));
      if (!why) return [];
      return [
        {
          subject: sloSubject(slo),
          source: slo.source,
          message: `the error query counts events the total does not: ${why}, so the error ratio can exceed 1 or drift from the truth`,
          fix: 'write the error query as the total query with one more matcher (status=~"5.."): the same metric, and every matcher of the total.',
        },
      ];
    });
  },
};
