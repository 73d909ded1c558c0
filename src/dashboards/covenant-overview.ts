import { covenant } from "../catalog/index.ts";
import { query, row, sel, stat, timeseries, say } from "../engine/define/dashboard-kit.ts";
import { thresholds } from "../alerts/thresholds.ts";
import { regionFailureRatio } from "../recording-rules/covenant.ts";
import { serviceDashboard } from "./common.ts";

const creations = covenant.projectCreations;

export const covenantOverview = serviceDashboard({
  uid: "gs-covenant-overview",
  title: "Covenant Overview",
  description:
    "Business metrics of the covenant: countries, projects, the covenant fund and project creation.",
  tags: ["business", "covenant"],
  anchorMetric: covenant.countries.name,
})
  .withRow(row(100, "Now"))
  .withPanel(
    stat({
      id: 101,
      title: "Countries",
      description: "Countries in the covenant, with the trend over the time range.",
      unit: "short",
      queries: [query(`max(${covenant.countries}{${sel}})`, "countries")],
    }),
  )
  .withPanel(
    stat({
      id: 102,
      title: "Projects",
      description: "Projects across all countries, with the trend over the time range.",
      unit: "short",
      queries: [query(`max(${covenant.projects}{${sel}})`, "projects")],
    }),
  )
  .withPanel(
    stat({
      id: 103,
      title: "Covenant fund",
      description: "Sum of member countries' GDP, in US dollars.",
      unit: "currencyUSD",
      queries: [query(`max(${covenant.fund}{${sel}})`, "fund")],
    }),
  )
  .withPanel(
    stat({
      id: 104,
      title: "Projects created per hour",
      description: "Successful project creations per hour, all regions, at the current rate.",
      unit: "short",
      queries: [
        query(`sum(rate(${creations}{${sel}, outcome="success"}[$__rate_interval])) * 3600`, "per hour"),
      ],
    }),
  )
  .withRow(row(200, "Trends"))
  .withPanel(
    timeseries({
      id: 201,
      title: "Covenant fund",
      description: say`Covenant fund over time. A sharp fall (over ${thresholds.covenantFundDropRatio} within an hour) is the fund-drop alert's signal.`,
      unit: "currencyUSD",
      queries: [query(`max(${covenant.fund}{${sel}})`, "fund")],
    }),
  )
  .withPanel(
    timeseries({
      id: 202,
      title: "Covenant fund drop over 1 hour",
      description:
        "How much of the fund was lost against one hour earlier; negative means it grew. The red line is the CovenantFundDrop alert's threshold.",
      unit: "percentunit",
      queries: [
        query(
          `1 - max(${covenant.fund}{${sel}}) / max(${covenant.fund}{${sel}} offset 1h)`,
          "drop vs 1h ago",
        ),
      ],
      thresholds: [thresholds.covenantFundDropRatio],
    }),
  )
  .withPanel(
    timeseries({
      id: 203,
      title: "Countries and projects",
      description: "Countries and projects in the system over time.",
      unit: "short",
      queries: [
        query(`max(${covenant.countries}{${sel}})`, "countries"),
        query(`max(${covenant.projects}{${sel}})`, "projects"),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 204,
      title: "Net project change per hour",
      description:
        "Projects added minus projects deleted over the last hour (delta of the project count, which is a gauge).",
      unit: "short",
      queries: [query(`delta(${covenant.projects}{${sel}}[1h])`, "net change")],
    }),
  )
  .withRow(row(300, "Project creation"))
  .withPanel(
    timeseries({
      id: 301,
      title: "Project creation rate by region",
      description: "Successful project creations per hour in each region.",
      unit: "short",
      stack: true,
      queries: [
        query(
          `sum by (region) (rate(${creations}{${sel}, outcome="success"}[$__rate_interval])) * 3600`,
          "{{region}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 302,
      title: "Project creation failure ratio by region",
      description:
        "Share of creation attempts that failed over 10 minutes, per region: the recorded series the alert reads. Above the red line, a region counts as failing.",
      unit: "percentunit",
      min: 0,
      queries: [query(`max by (region) (${regionFailureRatio}{job=~"$job"})`, "{{region}}")],
      thresholds: [thresholds.projectCreationRegionFailureRatio],
    }),
  )
  .withPanel(
    timeseries({
      id: 303,
      title: "Regions failing project creation",
      description: say`Regions where more than ${thresholds.projectCreationRegionFailureRatio} of creation attempts fail. At the red line (${thresholds.projectCreationFailingRegions} regions) ProjectCreationFailingInRegions fires.`,
      unit: "short",
      min: 0,
      // count() of no failing region is empty, not 0.
      queries: [
        query(
          `count(${regionFailureRatio}{job=~"$job"} ${thresholds.projectCreationRegionFailureRatio})\nor vector(0)`,
          "failing regions",
        ),
      ],
      thresholds: [thresholds.projectCreationFailingRegions],
    }),
  );
