import { covenant } from "../catalog/index.ts";
import { recordingRule, ruleGroup } from "../engine/define/alerting.ts";

const app = 'job="global-sovereign", instance="app-1:4000"';

/** The fund's fall against one hour earlier, as a fraction: 0.1 means it lost 10%. Negative when it grew. */
export const fundDropRatio = recordingRule({
  record: "job:global_sovereign_covenant_fund_total:drop_ratio1h",
  expr: `1 - (max by (job) (${covenant.fund}) / max by (job) (${covenant.fund} offset 1h))`,
  tests: [
    {
      name: "compares with the value an hour earlier",
      input: [{ series: `${covenant.fund}{${app}}`, values: "1000x60 750x30" }],
      at: "70m",
      expect: [{ labels: { job: "global-sovereign" }, value: 0.25 }],
    },
  ],
});

/** Share of project creation attempts that failed, per region. */
export const regionFailureRatio = recordingRule({
  record: "job_region:global_sovereign_project_creations:failure_ratio_rate10m",
  expr:
    `sum by (job, region) (rate(${covenant.projectCreations}{outcome="failure"}[10m]))\n/\n` +
    `sum by (job, region) (rate(${covenant.projectCreations}[10m]))`,
  tests: [
    {
      name: "divides failures by all attempts in each region",
      input: [
        { series: `${covenant.projectCreations}{${app}, region="eu", outcome="failure"}`, values: "0+1x20" },
        { series: `${covenant.projectCreations}{${app}, region="eu", outcome="success"}`, values: "0+3x20" },
        { series: `${covenant.projectCreations}{${app}, region="us", outcome="success"}`, values: "0+5x20" },
        { series: `${covenant.projectCreations}{${app}, region="us", outcome="failure"}`, values: "0x20" },
      ],
      at: "15m",
      expect: [
        { labels: { job: "global-sovereign", region: "eu" }, value: 0.25 },
        { labels: { job: "global-sovereign", region: "us" }, value: 0 },
      ],
    },
  ],
});

export const covenantRules = ruleGroup("covenant-recording", [fundDropRatio, regionFailureRatio]);
