import type { ModelCheck } from "../../check.ts";

/** An entry `o11y import` wrote says only what the import could infer: its meaning is still to be written. */
export const unreviewed: ModelCheck = {
  id: "catalog/unreviewed",
  kind: "house",
  severity: "warning",
  summary: "A catalog entry that `o11y import` wrote and nobody has reviewed yet.",
  scope: "model",
  check(model) {
    return model.metrics
      .filter((metric) => metric.review !== undefined)
      .map((metric) => ({
        subject: `metric ${metric.name}`,
        source: metric.source,
        message: `imported from ${metric.review!.importedFrom} as a ${metric.type} (${metric.review!.inferred}), not reviewed yet: it has no help, no unit and no meaning for its labels`,
        fix: `confirm its type, then declare it with ${metric.type}({ name, help, unit, labels, origin }) in the catalog group it belongs to, and remove it from the imported file.`,
      }));
  },
};
