import { counter, gauge } from "../engine/define/catalog.ts";

/**
 * Business metrics. The three `*_total` values are counts read from the database by a PromEx polling
 * plugin, so they are gauges despite their suffix: they fall when a project or a country is deleted.
 * `rate()` over them (the runbook's "project creation rate") is wrong twice: rate assumes any fall is a
 * counter reset, and a count of rows is not a count of events. Trends use `delta()`; the creation rate
 * needs the counter below, which the application must add.
 */
const polled = {
  kind: "promex" as const,
  detail: "GlobalSovereign.PromEx covenant polling plugin (database counts)",
  status: "exported" as const,
};

export const countries = gauge({
  name: "global_sovereign_covenant_countries_total",
  help: "Countries in the covenant.",
  unit: "short",
  labels: {},
  origin: polled,
  notes: "A gauge despite `_total`: a row count polled from countries_phase4.",
});

export const projects = gauge({
  name: "global_sovereign_covenant_projects_total",
  help: "Projects across all countries.",
  unit: "short",
  labels: {},
  origin: polled,
  notes:
    "A gauge despite `_total`: a row count polled from projects_phase4 that falls on deletion. The runbook's " +
    "`rate(global_sovereign_covenant_projects_total[1h])` treats every deletion as a counter reset and reports a " +
    "burst of creations; use `delta()` for the net change, and global_sovereign_project_creations_total for the creation rate.",
});

export const fund = gauge({
  name: "global_sovereign_covenant_fund_total",
  help: "Covenant fund: the sum of member countries' GDP, in US dollars.",
  unit: "currencyUSD",
  labels: {},
  origin: polled,
  notes: "A gauge: GDP updates move it both ways. Its fall over an hour is what the fund-drop alert watches.",
});

export const projectCreations = counter({
  name: "global_sovereign_project_creations_total",
  help: "Project creation attempts, by region and outcome.",
  unit: "short",
  labels: {
    region: "Region the project was created in.",
    outcome: "success or failure.",
  },
  origin: {
    kind: "telemetry",
    detail: "a counter incremented in the create_project resolver, tagged with region and outcome",
    status: "required",
  },
  notes:
    'Needed for the project creation rate and for the runbook\'s "project creation fails in 3+ regions" trigger; ' +
    "nothing counts creations as events today.",
});
