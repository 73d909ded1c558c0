import { covenant } from "../catalog/index.ts";
import { covenantOverview } from "../dashboards/covenant-overview.ts";
import { alert, ruleGroup, say } from "../engine/define/alerting.ts";
import { fundDropRatio, regionFailureRatio } from "../recording-rules/covenant.ts";
import { thresholds } from "./thresholds.ts";

const app = 'job="global-sovereign", instance="app-1:4000"';
const fund = (values: string) => [{ series: `${covenant.fund}{${app}}`, values }];

export const covenantFundDrop = alert({
  name: "CovenantFundDrop",
  severity: "high",
  severityReason:
    "The runbook gives none. A fall this large is either a data error or a breach (its playbook locks admin " +
    "accounts): act within 15 minutes, but it does not stop users, so it does not page at once.",
  service: "covenant",
  team: "covenant",
  expr: `${fundDropRatio} ${thresholds.covenantFundDropRatio}`,
  threshold: thresholds.covenantFundDropRatio,
  // One bad poll of the database must not fire it.
  for: "5m",
  summary: say`The covenant fund fell by more than ${thresholds.covenantFundDropRatio} within an hour.`,
  description:
    "The covenant fund on {{ $labels.job }} is {{ $value | humanizePercentage }} lower than an hour ago.",
  runbook: "Covenant Fund Drop > 10%",
  dashboard: { dashboard: covenantOverview, panel: 202 },
  tests: [
    {
      name: "the fund falls 11% after an hour",
      input: fund("1000x60 890x40"),
      value: 0.11,
      expect: [
        { at: "63m", state: "pending", labels: { job: "global-sovereign" } },
        {
          at: "70m",
          state: "firing",
          labels: { job: "global-sovereign" },
          description: "The covenant fund on global-sovereign is 11% lower than an hour ago.",
        },
      ],
    },
    {
      name: "the fund falls 9.5% after an hour",
      input: fund("1000x60 905x40"),
      value: 0.095,
      expect: [{ at: "70m", state: "silent" }],
    },
  ],
});

const attempts = (region: string, failuresPerMinute: number, successesPerMinute: number) => [
  {
    series: `${covenant.projectCreations}{${app}, region="${region}", outcome="failure"}`,
    values: `0+${failuresPerMinute}x30`,
  },
  {
    series: `${covenant.projectCreations}{${app}, region="${region}", outcome="success"}`,
    values: `0+${successesPerMinute}x30`,
  },
];

export const projectCreationFailingInRegions = alert({
  name: "ProjectCreationFailingInRegions",
  severity: "medium",
  service: "covenant",
  team: "platform",
  // A region counts only with enough attempts for its failure ratio to mean anything.
  expr: `count by (job) (\n  ${regionFailureRatio} ${thresholds.projectCreationRegionFailureRatio}\n  and on (job, region)\n  sum by (job, region) (increase(${covenant.projectCreations}[10m])) ${thresholds.projectCreationMinAttemptsPerRegion}\n) ${thresholds.projectCreationFailingRegions}`,
  threshold: thresholds.projectCreationFailingRegions,
  trafficGuard: thresholds.projectCreationMinAttemptsPerRegion,
  // Creation attempts are sparse; 10 minutes keeps one unlucky burst from firing it.
  for: "10m",
  summary: say`Project creation fails in ${thresholds.projectCreationFailingRegions} or more regions at once.`,
  description: say`Project creation on {{ $labels.job }} fails for more than ${thresholds.projectCreationRegionFailureRatio} of attempts in {{ $value }} regions at once: look for a shared cause.`,
  runbook: "Project Creation Failing in 3+ Regions",
  dashboard: { dashboard: covenantOverview, panel: 303 },
  tests: [
    {
      name: "three regions fail 10.5% of attempts",
      input: [
        ...attempts("eu", 21, 179),
        ...attempts("us", 21, 179),
        ...attempts("apac", 21, 179),
        ...attempts("latam", 0, 200),
      ],
      value: 3,
      traffic: 2000,
      expect: [
        { at: "6m", state: "pending", labels: { job: "global-sovereign" } },
        {
          at: "14m",
          state: "firing",
          labels: { job: "global-sovereign" },
          description: say`Project creation on global-sovereign fails for more than ${thresholds.projectCreationRegionFailureRatio} of attempts in 3 regions at once: look for a shared cause.`,
        },
      ],
    },
    {
      name: "two regions fail",
      input: [...attempts("eu", 21, 179), ...attempts("us", 21, 179), ...attempts("apac", 0, 200)],
      value: 2,
      traffic: 2000,
      expect: [{ at: "14m", state: "silent" }],
    },
    {
      name: "three regions fail 9.5% of attempts, under the per-region line",
      input: [...attempts("eu", 19, 181), ...attempts("us", 19, 181), ...attempts("apac", 19, 181)],
      value: 0,
      traffic: 2000,
      expect: [{ at: "14m", state: "silent" }],
    },
    {
      name: "three regions fail half of 2 attempts a minute: 20 in 10 minutes, just enough to count",
      input: [...attempts("eu", 1, 1), ...attempts("us", 1, 1), ...attempts("apac", 1, 1)],
      value: 3,
      traffic: 20,
      expect: [
        { at: "12m", state: "pending", labels: { job: "global-sovereign" } },
        {
          at: "21m",
          state: "firing",
          labels: { job: "global-sovereign" },
          description:
            "Project creation on global-sovereign fails for more than 10% of attempts in 3 regions at once: look for a shared cause.",
        },
      ],
    },
    {
      name: "three regions fail half of 1.9 attempts a minute: 19 in 10 minutes, too few to count",
      input: [...attempts("eu", 0.95, 0.95), ...attempts("us", 0.95, 0.95), ...attempts("apac", 0.95, 0.95)],
      value: 3,
      traffic: 19,
      expect: [{ at: "21m", state: "silent" }],
    },
  ],
});

export const covenantAlerts = ruleGroup("covenant-alerts", [
  covenantFundDrop,
  projectCreationFailingInRegions,
]);
