/**
 * A rule group or rule field that an output's rule engine does not support, or silently ignores: each output
 * of `settings.outputs` names who evaluates its rules (the operator's Prometheus or Thanos Ruler, vmalert,
 * Mimir's ruler) and that engine's version. The check reads the groups as every output writes them
 * (renderedGroup), so it sees exactly the fields that would be deployed.
 */
import type { Model, RuleGroupModel } from "../../../model.ts";
import { renderedGroup } from "../../../render/prometheus.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** An engine that evaluates an output's rules: `name` as messages say it, and its version. */
export interface RuleEngine {
  kind: "prometheus" | "thanos" | "vmalert" | "mimir";
  version?: string;
  /** The output it belongs to, and where its setting is written. */
  output: string;
  setting: string;
}

/** Why an engine cannot be given the field (refused or ignored), or undefined when it can. */
type Support = (engine: RuleEngine) => string | undefined;

const compareVersions = (a: string, b: string) => {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};
const before = (engine: RuleEngine, version: string) =>
  engine.version !== undefined && compareVersions(engine.version, version) < 0;
const named = (engine: RuleEngine) =>
  `${{ prometheus: "Prometheus", thanos: "Thanos Ruler", vmalert: "vmalert", mimir: "Mimir's ruler" }[engine.kind]}${engine.version ? ` ${engine.version}` : ""}`;

/** What each engine does with each field beyond name, interval and rules (facts from their docs and vmalert -dryRun). */
const groupFields: Record<string, Support> = {
  labels: (e) =>
    e.kind === "prometheus" && before(e, "3.0.0")
      ? "refuses it (group labels need Prometheus 3.0 or later)"
      : e.kind === "thanos"
        ? "ignores it: its rules would be stored without these labels"
        : undefined,
  query_offset: (e) =>
    e.kind === "prometheus" && before(e, "2.53.0")
      ? "refuses it (query_offset needs Prometheus 2.53 or later)"
      : e.kind === "thanos"
        ? "ignores it: its rules would be evaluated without the offset"
        : e.kind === "vmalert"
          ? "refuses it (unknown field in group)"
          : undefined,
  limit: (e) =>
    e.kind === "prometheus" && before(e, "2.31.0")
      ? "refuses it (limit needs Prometheus 2.31 or later)"
      : e.kind === "thanos" && before(e, "0.24.0")
        ? "refuses it (limit needs Thanos 0.24 or later)"
        : undefined,
  partial_response_strategy: (e) => (e.kind === "thanos" ? undefined : "refuses it (a Thanos field)"),
};
const ruleFields: Record<string, Support> = {
  keep_firing_for: (e) =>
    e.kind === "prometheus" && before(e, "2.42.0")
      ? "refuses it (keep_firing_for needs Prometheus 2.42 or later)"
      : e.kind === "vmalert" && before(e, "1.91.0")
        ? "refuses it (unknown field in rule)"
        : undefined,
};
/** What every engine reads in a group. */
const everyEngine = new Set(["name", "interval", "rules"]);

/** The engines the enabled outputs run. */
export function ruleEngines(model: Model): RuleEngine[] {
  const outputs = model.settings.outputs ?? {};
  const engines: RuleEngine[] = [];
  if (outputs.kubernetes)
    engines.push({
      kind: outputs.kubernetes.ruler,
      version: outputs.kubernetes.rulerVersion,
      output: "kubernetes",
      setting: "outputs.kubernetes.ruler and rulerVersion",
    });
  if (outputs.mimir) engines.push({ kind: "mimir", output: "mimir", setting: "outputs.mimir" });
  if (outputs.victoriaMetrics)
    engines.push({
      kind: "vmalert",
      version: outputs.victoriaMetrics.vmalertVersion,
      output: "victoriaMetrics",
      setting: "outputs.victoriaMetrics.vmalertVersion",
    });
  return engines;
}

/** A group as the outputs write it, and where its definitions are. */
export interface GroupToJudge {
  group: { name: string; rules: Array<Record<string, unknown>> } & Record<string, unknown>;
  subject: string;
  source: Finding["source"];
  /** Each rule's definition, in order. */
  owners: Array<{ subject: string; source: Finding["source"] }>;
}

/** The findings for groups as written, under these engines. */
export function judgeGroups(groups: GroupToJudge[], engines: RuleEngine[]): Finding[] {
  const findings: Finding[] = [];
  const report = (
    subject: string,
    where: Finding["source"],
    field: string,
    engine: RuleEngine,
    why: string,
  ) =>
    findings.push({
      subject,
      source: where,
      message: `${field}: the ${engine.output} output's ${named(engine)} ${why}`,
      fix: `drop ${field} from the definition, or change ${engine.setting} in src/config.ts (or remove that output) if it runs an engine that supports it.`,
    });
  for (const { group, subject, source, owners } of groups) {
    for (const field of Object.keys(group).filter((f) => !everyEngine.has(f))) {
      for (const engine of engines) {
        const why = groupFields[field]?.(engine);
        if (why) report(subject, source, `group field ${field}`, engine, why);
      }
    }
    group.rules.forEach((rule, index) => {
      const owner = owners[index] ?? { subject, source };
      for (const field of Object.keys(rule)) {
        for (const engine of engines) {
          const why = ruleFields[field]?.(engine);
          if (why) report(owner.subject, owner.source, `rule field ${field}`, engine, why);
        }
      }
    });
  }
  return findings;
}

const toJudge = (model: Model, group: RuleGroupModel): GroupToJudge => {
  const rendered = renderedGroup(model, group);
  return {
    group: rendered.group,
    subject: `rule group ${group.name}`,
    source: { file: group.file, line: group.line ?? 1 },
    owners: rendered.owners,
  };
};

export const ruleFeatures: ModelCheck = {
  id: "targets/rule-features",
  kind: "correctness",
  scope: "model",
  severity: "error",
  summary: "A rule group or rule field that an enabled output's rule engine refuses or ignores.",
  check(model) {
    const engines = ruleEngines(model);
    if (engines.length === 0) return [];
    return judgeGroups(
      model.ruleGroups.map((group) => toJudge(model, group)),
      engines,
    );
  },
};
