/**
 * The SLO dashboard, generated from the SLO definitions: one row per SLO with the SLI against its objective, the budget
 * left over the period, and one panel per burn-rate alert that draws the alert's factor. The alerts link to those panels.
 */
import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import {
  burnAlertName,
  burnFactor,
  burnPanelOffset,
  burnRateAlerts,
  errorBudget,
  sliRecord,
  sloSelector,
  usableObjective,
} from "../compile/slo.ts";
import { callerLocation, markAsHelper } from "../source.ts";
import { dashboard, query, row, stat, timeseries, type DashboardSpec } from "./dashboard-kit.ts";
import { remember } from "./registry.ts";
import { placeSlo, type SloDefinition, type SloPeriod } from "./slo.ts";

markAsHelper(import.meta.url);

/** Rows are 100, 200, ...: the SLO's place in the list gives its row, and its panels follow (101, 102, ...). */
const rowId = (index: number) => (index + 1) * 100;

export interface SloDashboardSpec extends DashboardSpec {
  /** The period of every SLO that sets none: the project's `sloPeriod`. */
  defaultPeriod: SloPeriod;
  slos: SloDefinition[];
}

export function sloDashboard(spec: SloDashboardSpec): DashboardBuilder {
  const source = callerLocation();
  const builder = dashboard(spec);
  remember(builder.build(), source);
  const slos = Array.isArray(spec.slos) ? spec.slos : [];
  slos.forEach((slo, index) => {
    if (typeof slo !== "object" || slo === null) return;
    const id = rowId(index);
    const period = slo.period ?? spec.defaultPeriod;
    const objective = usableObjective(slo.objective);
    const budget = errorBudget(objective);
    const ids = sloSelector(slo);
    const at = <T extends { build(): object }>(panel: T) => {
      remember(panel.build(), slo.source);
      return panel;
    };
    placeSlo(slo, builder, id);
    builder.withRow(at(row(id, `${slo.title}: ${objective}% over ${period}`)));
    builder.withPanel(
      at(
        timeseries({
          id: id + 1,
          title: `${slo.title}: SLI against the objective`,
          description:
            `The share of good events (${slo.description}) over the last 5 minutes, hour and ${period}, against the ` +
            `objective of ${objective}%. Below the objective line the budget is being spent.`,
          unit: "percentunit",
          width: 12,
          queries: [
            query(`1 - ${sliRecord("5m")}{${ids}}`, "SLI over 5m"),
            query(`1 - ${sliRecord("1h")}{${ids}}`, "SLI over 1h"),
            query(`1 - ${sliRecord(period)}{${ids}}`, `SLI over ${period}`),
            query(`slo:objective:ratio{${ids}}`, "objective"),
          ],
          thresholds: [{ value: objective / 100, op: "<" }],
        }),
      ),
    );
    builder.withPanel(
      at(
        stat({
          id: id + 2,
          title: `${slo.title}: error budget remaining over ${period}`,
          description:
            `The share of the ${period} error budget (${Number((budget * 100).toPrecision(10))}% of events may fail) not yet spent. ` +
            "At 0% the objective is missed for the period; below 0% it is missed by that much.",
          unit: "percentunit",
          width: 12,
          queries: [query(`slo:period_error_budget_remaining:ratio{${ids}}`, "remaining")],
          thresholds: [{ value: 0, op: "<" }],
        }),
      ),
    );
    for (const alert of burnRateAlerts) {
      const factor = burnFactor(alert.budgetShare, period, alert.long);
      const burn = (window: string) =>
        query(`${sliRecord(window)}{${ids}} / ${budget}`, `burn rate over ${window}`);
      builder.withPanel(
        at(
          timeseries({
            id: id + burnPanelOffset(alert),
            title: `${slo.title}: burn rate over ${alert.long} and ${alert.short} (${alert.severity} at ${factor}x)`,
            description:
              `How many times faster than sustainable the error budget burns (1 spends it exactly over ${period}). ` +
              `${burnAlertName(slo.alerting?.name ?? "", alert)} (${alert.severity}) fires while both lines are above ` +
              `the dashed ${factor}x line: ${Math.round(alert.budgetShare * 100)}% of the budget spent within ${alert.long}.`,
            unit: "short",
            width: 12,
            queries: [burn(alert.long), burn(alert.short)],
            thresholds: [{ value: factor, op: ">" }],
          }),
        ),
      );
    }
  });
  return builder;
}
