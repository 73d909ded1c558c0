/**
 * build/victoriametrics/: vmalert's rule files (the rule groups, as the Prometheus renderer writes them) and
 * vmagent's scrape configuration (Prometheus's scrape jobs, without the fields vmagent refuses).
 */
import { posix } from "node:path";
import type { VictoriaMetricsOutput } from "../define/outputs.ts";
import { outputFolders } from "../define/outputs.ts";
import type { Model, RuleGroupModel } from "../model.ts";
import { yamlArtifact, type Artifact } from "./artifact.ts";
import { renderedGroup, ruleFilePath, rulesDir, scrapeConfigs } from "./prometheus.ts";

export const victoriaMetricsDir = outputFolders.victoriaMetrics;
export const vmalertRulesDir = `${victoriaMetricsDir}/rules`;
export const vmagentConfigPath = `${victoriaMetricsDir}/vmagent.yml`;

export const vmalertRulePath = (group: Pick<RuleGroupModel, "name" | "kind">) =>
  `${vmalertRulesDir}/${posix.relative(rulesDir, ruleFilePath(group))}`;

export function renderVictoriaMetrics(model: Model, _output: VictoriaMetricsOutput): Artifact[] {
  const rules = model.ruleGroups.map((group) => {
    const rendered = renderedGroup(model, group);
    return yamlArtifact(
      {
        path: vmalertRulePath(group),
        schema: group.imported ? "vmalert-rules-imported" : "vmalert-rules",
        subject: `rule group ${group.name}`,
        source: { file: group.file, line: group.line ?? 1 },
        locations: rendered.owners.map(({ subject, source }, index) => ({
          pointer: `/groups/0/rules/${index}`,
          subject,
          source,
        })),
      },
      { groups: [rendered.group] },
      group.file,
    );
  });
  const scrape = yamlArtifact(
    {
      path: vmagentConfigPath,
      schema: "vmagent-config",
      subject: "vmagent.yml",
      source: { file: "src/config.ts", line: 1 },
    },
    { global: { scrape_interval: model.settings.scrapeInterval }, scrape_configs: scrapeConfigs(model) },
    "src/config.ts",
  );
  return [...rules, scrape];
}
