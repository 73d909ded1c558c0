/**
 * build/mimir/: the rule groups as one namespace file of Grafana Mimir's ruler (and Grafana Cloud's, which is
 * Mimir), in the format `mimirtool rules load`, `sync` and `diff` read: `namespace` and `groups`, no other field.
 */
import type { MimirOutput } from "../define/outputs.ts";
import { outputFolders } from "../define/outputs.ts";
import type { Model } from "../model.ts";
import { yamlArtifact, type Artifact } from "./artifact.ts";
import { renderedGroup } from "./prometheus.ts";

export const mimirRulesPath = `${outputFolders.mimir}/rules.yaml`;

export function renderMimir(model: Model, output: MimirOutput): Artifact[] {
  const groups = model.ruleGroups.map((group) => renderedGroup(model, group));
  if (groups.length === 0) return [];
  return [
    yamlArtifact(
      {
        path: mimirRulesPath,
        schema: model.ruleGroups.some((g) => g.imported) ? "mimir-rules-imported" : "mimir-rules",
        subject: `Mimir namespace ${output.namespace}`,
        source: { file: "src/config.ts", line: 1 },
        locations: groups.flatMap((g, index) =>
          g.owners.map(({ subject, source }, rule) => ({
            pointer: `/groups/${index}/rules/${rule}`,
            subject,
            source,
          })),
        ),
      },
      { namespace: output.namespace, groups: groups.map((g) => g.group) },
      "src/config.ts",
    ),
  ];
}
