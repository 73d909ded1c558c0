import type { Finding, ModelCheck } from "../../check.ts";
import { sloSubject } from "../../slo-sli.ts";

/** A latency SLI reads the bucket `le` of its histogram: a bound the catalog does not declare has no series. */
export const sloLatencyBucket: ModelCheck = {
  id: "slo/latency-bucket",
  kind: "house",
  severity: "error",
  summary: "A latency SLO whose bound is not a bucket of its histogram in the catalog.",
  scope: "model",
  check(model) {
    return (model.slos ?? []).flatMap((slo): Finding[] => {
      if (slo.sli.kind !== "latency") return [];
      const { buckets, le, histogram } = slo.sli;
      if (buckets.includes(le)) return [];
      return [
        {
          subject: sloSubject(slo),
          source: slo.source,
          message: `${histogram} has no bucket le="${le}" in the catalog (buckets: ${buckets.join(", ") || "none declared"}): the SLI reads a series that does not exist, so it is empty and no alert can fire`,
          fix: `use one of its buckets${buckets.length ? ` (${buckets.filter((b) => b > 0).join(", ")})` : ""}, or add the bucket to the histogram (and to the application's instrumentation).`,
        },
      ];
    });
  },
};
