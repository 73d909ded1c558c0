import { customUnitPrefixes, grafanaUnitIds, unitCategory } from "../../../grafana/units.ts";
import { closest } from "../../../text.ts";
import type { DashboardCheck, Finding } from "../../check.ts";
import { panelSubject } from "../../check.ts";

/** What people write for a unit, and Grafana's id for it. */
const spelledOut: Record<string, string> = {
  seconds: "s",
  second: "s",
  sec: "s",
  secs: "s",
  milliseconds: "ms",
  millisecond: "ms",
  microseconds: "µs",
  us: "µs",
  nanoseconds: "ns",
  minutes: "m",
  min: "m",
  hours: "h",
  days: "d",
  byte: "bytes",
  b: "bytes",
  B: "bytes",
  "%": "percent",
  percentage: "percent",
  ratio: "percentunit",
  fraction: "percentunit",
  count: "short",
  number: "none",
  boolean: "bool",
  "req/s": "reqps",
  "requests/s": "reqps",
  "ops/s": "ops",
  "bytes/s": "Bps",
  "B/s": "Bps",
  "msg/s": "mps",
  usd: "currencyUSD",
  $: "currencyUSD",
};

function suggestion(unit: string): string | undefined {
  return spelledOut[unit] ?? spelledOut[unit.toLowerCase()] ?? closest(unit, grafanaUnitIds);
}

/**
 * A panel without a unit shows bare numbers: is 0.3 seconds, a ratio, or requests per second? And a unit Grafana
 * does not know is no better: Grafana prints the number with the id stuck after it, unscaled.
 */
export const panelUnit: DashboardCheck = {
  id: "dashboard/panel-unit",
  kind: "house",
  severity: "error",
  summary: "A panel without a unit, or with one Grafana does not know.",
  scope: "dashboard",
  check(dashboard) {
    return dashboard.panels.flatMap((panel): Finding[] => {
      const subject = panelSubject(dashboard, panel);
      if (!panel.unit)
        return [
          {
            subject,
            source: panel.source,
            message: "the panel has no unit, so its values are shown as bare numbers",
            fix: 'set `unit:` to a Grafana unit id, e.g. "s", "bytes", "percentunit", "reqps" or "short" for plain counts.',
          },
        ];
      if (unitCategory(panel.unit) !== undefined) return [];
      const better = suggestion(panel.unit);
      return [
        {
          subject,
          source: panel.source,
          message: `unit "${panel.unit}" is not a Grafana unit id, so Grafana shows the number unscaled with "${panel.unit}" after it`,
          fix: `${better ? `did you mean "${better}"? ` : ""}Use an id from Grafana's unit picker (src/engine/grafana/units.ts lists them), or a custom unit with a prefix: ${customUnitPrefixes.map((p) => `"${p}:..."`).join(", ")}.`,
        },
      ];
    });
  },
};
