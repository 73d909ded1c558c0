/**
 * Which firing alerts hold back which, worked out from the generated alertmanager.yml as Alertmanager reads its
 * inhibit_rules (src/engine/diff/routing.ts reads them): a rule whose source matchers match one alert and whose target
 * matchers match the other, and the `equal` labels agree, a label both alerts lack counting as equal. The end-to-end
 * tests compare it with what the real Alertmanager says.
 */
import { parse } from "yaml";
import { readRoutingConfig, matchesAll, type RoutingConfig } from "../../src/engine/diff/routing.ts";
import type { AlertModel } from "../../src/engine/model.ts";

/** The labels an alert fires with: its rule's, and those of its expression that its first firing test expects. */
export function firingLabels(alert: AlertModel): Record<string, string> {
  const expected = alert.tests.flatMap((t) => t.expect).find((e) => e.state === "firing")?.labels ?? {};
  return { alertname: alert.name, ...alert.labels, ...expected };
}

export const inhibitionOf = (alertmanagerYaml: string): RoutingConfig =>
  readRoutingConfig(parse(alertmanagerYaml));

/** The alerts of `firing` that hold `target` back while they fire, by name. */
export function heldBackBy(target: AlertModel, firing: AlertModel[], config: RoutingConfig): string[] {
  const theirs = firingLabels(target);
  const lookup = (labels: Record<string, string>) => (name: string) => labels[name] ?? "";
  return firing
    .filter((source) => source.name !== target.name)
    .filter((source) => {
      const ours = firingLabels(source);
      return config.inhibitRules.some(
        (rule) =>
          matchesAll(rule.source, lookup(ours)) === true &&
          matchesAll(rule.target, lookup(theirs)) === true &&
          rule.equal.every((label) => (ours[label] ?? "") === (theirs[label] ?? "")),
      );
    })
    .map((source) => source.name)
    .sort();
}
