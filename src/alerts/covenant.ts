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
  expr: `count by (job) (${regionFailureRatio} ${thresholds.projectCreationRegionFailureRatio}) ${thresholds.projectCreationFailingRegions}`,
  threshold: thresholds.projectCreationFailingRegions,
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
      expect: [{ at: "14m", state: "silent" }],
    },
    {
      name: "three regions fail 9.5% of attempts, under the per-region line",
      input: [...attempts("eu", 19, 181), ...attempts("us", 19, 181), ...attempts("apac", 19, 181)],
      value: 0,
      expect: [{ at: "14m", state: "silent" }],
    },
  ],
});

export const covenantAlerts = ruleGroup("covenant-alerts", [
  covenantFundDrop,
  projectCreationFailingInRegions,
]);
