import { watchedAlertGroups } from "../alerts/groups.ts";
import { prometheus } from "../catalog/index.ts";
import { recordingRule, ruleGroup, type SeriesInput } from "../engine/define/alerting.ts";
import { alertInputs, inputPresence, type AlertInput } from "../engine/define/inputs.ts";
import { sourceRuleGroups } from "./groups.ts";
import { alertInputPresentRecord } from "./input-names.ts";

/** Every metric the alerts read, with its job, worked out from their definitions; Prometheus's own `up` exists whenever the job has targets. */
export const alertInputList: AlertInput[] = alertInputs(watchedAlertGroups, sourceRuleGroups, (metric) =>
  Object.values(prometheus).some((m) => m.name === metric),
);

/**
 * Every job scraped, and every input exported but `missing`, one sample a minute for `minutes`; a `down` job's
 * scrapes fail (up 0) and it exports nothing.
 */
export function inputsScraped(
  missing: AlertInput | undefined,
  minutes: number,
  down?: string,
): SeriesInput[] {
  const jobs = [...new Set(alertInputList.map((i) => i.job))];
  return [
    ...jobs.map((job) => ({
      series: `${prometheus.up}{job="${job}", instance="${job}:1"}`,
      values: `${job === down ? 0 : 1}x${minutes}`,
    })),
    ...alertInputList
      .filter((i) => i !== missing && i.job !== down)
      .map((i) => ({ series: `${i.metric}{job="${i.job}", instance="${i.job}:1"}`, values: `1x${minutes}` })),
  ];
}

const [first] = alertInputList;

export const alertInputPresent = recordingRule({
  record: alertInputPresentRecord,
  expr: inputPresence(alertInputList),
  tests: [
    {
      name: `is 0 for ${first?.metric} while its job is scraped without it, 1 for the others`,
      input: inputsScraped(first, 10),
      at: "5m",
      expect: alertInputList.map((i) => ({
        labels: { job: i.job, metric: i.metric },
        value: i === first ? 0 : 1,
      })),
    },
    {
      name: `is nothing for ${first?.job} while its scrapes fail (that is the scrape alert's to say)`,
      input: inputsScraped(undefined, 10, first?.job),
      at: "5m",
      expect: alertInputList
        .filter((i) => i.job !== first?.job)
        .map((i) => ({ labels: { job: i.job, metric: i.metric }, value: 1 })),
    },
  ],
});

export const inputRules = ruleGroup("input-recording", [alertInputPresent]);
