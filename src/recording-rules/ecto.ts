import { ecto } from "../catalog/index.ts";
import { recordingRule, ruleGroup } from "../engine/define/alerting.ts";

const bucket = (le: string, perMinute: number) => ({
  series: `${ecto.queryDuration.bucket}{job="global-sovereign", instance="app-1:4000", repo="GlobalSovereign.Repo", source="projects_phase4", command="select", le="${le}"}`,
  values: `0+${perMinute}x15`,
});

export const queryTimeBuckets = recordingRule({
  record: "job:ecto_query_duration_seconds_bucket:rate5m",
  expr: `sum by (job, le) (rate(${ecto.queryDuration.bucket}[5m]))`,
  tests: [
    {
      name: "keeps le and sums sources",
      input: [bucket("0.5", 120), bucket("+Inf", 180)],
      at: "10m",
      expect: [
        { labels: { job: "global-sovereign", le: "+Inf" }, value: 3 },
        { labels: { job: "global-sovereign", le: "0.5" }, value: 2 },
      ],
    },
  ],
});

export const queryTimeP95 = recordingRule({
  record: "job:ecto_query_duration_seconds:p95_rate5m",
  expr: `histogram_quantile(0.95, ${queryTimeBuckets})`,
  tests: [
    {
      name: "interpolates inside the bucket holding the 95th percentile",
      input: [bucket("0.25", 1080), bucket("0.5", 1200), bucket("1", 1200), bucket("+Inf", 1200)],
      at: "10m",
      // 18 of 20 queries per second finish within 0.25 s; rank 19 lies halfway through (0.25, 0.5].
      expect: [{ labels: { job: "global-sovereign" }, value: 0.375 }],
    },
  ],
});

export const ectoRules = ruleGroup("ecto-recording", [queryTimeBuckets, queryTimeP95]);
