import { phoenixMetrics } from "../dashboards/phoenix-metrics.ts";
import { alert, ruleGroup } from "../engine/define/alerting.ts";
import { alertInputList, alertInputPresent, inputsScraped } from "../recording-rules/inputs.ts";
import { thresholds } from "./thresholds.ts";

const [first] = alertInputList;
const missing = { job: first?.job ?? "", metric: first?.metric ?? "" };

/**
 * One alert rule for every metric the alerts read (the list is worked out from their definitions): it fires per
 * job and metric, and Alertmanager groups by job, so one exporter that stops exporting notifies once.
 */
export const alertInputMissing = alert({
  name: "AlertInputMetricMissing",
  severity: "low",
  severityReason:
    "The alerts that read the metric cannot fire, which matters, but nothing is known to be broken for users: the " +
    "application or its exporter needs fixing within hours, as the runbook says of metrics problems (restart PromEx, check logs).",
  service: "promex",
  team: "platform",
  expr: `${alertInputPresent} ${thresholds.alertInputPresent}`,
  threshold: thresholds.alertInputPresent,
  // A counter with labels appears only after its first event: an hour without one from a scraped job is not a quiet spell.
  for: "1h",
  summary: "A scrape job is scraped but does not export a metric that alerts read: those alerts cannot fire.",
  description:
    "Job {{ $labels.job }} is scraped but exports no {{ $labels.metric }}: the alerts that read it are blind until it does.",
  runbook: "Alert Input Metric Missing",
  dashboard: { dashboard: phoenixMetrics, panel: 502 },
  tests: [
    {
      name: `the job is scraped without ${missing.metric}`,
      input: inputsScraped(first, 90),
      value: 0,
      expect: [
        { at: "30m", state: "pending", labels: missing },
        {
          at: "70m",
          state: "firing",
          labels: missing,
          description: `Job ${missing.job} is scraped but exports no ${missing.metric}: the alerts that read it are blind until it does.`,
        },
      ],
    },
    {
      name: "every input is exported",
      input: inputsScraped(undefined, 90),
      value: 1,
      expect: [{ at: "70m", state: "silent" }],
    },
  ],
});

export const inputAlerts = ruleGroup("input-alerts", [alertInputMissing]);
