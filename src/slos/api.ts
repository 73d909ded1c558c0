/**
 * The API's service level objectives. Their objectives come from the runbook's thresholds (see each
 * `objectiveReason`); the threshold alerts stay, and the SLOs' burn-rate alerts come beside them.
 */
import { phoenix } from "../catalog/index.ts";
import { settings } from "../config.ts";
import { events, latency, slo } from "../engine/define/slo.ts";

const app = `job="${settings.jobs.app}"`;
const requestSeries = (status: string) =>
  `${phoenix.httpRequests}{${app}, instance="app-1:4000", method="POST", path="/api/graphql", status="${status}"}`;

export const apiAvailability = slo({
  service: "phoenix",
  name: "api-availability",
  title: "API availability",
  description: "requests answered without a 5xx status",
  objective: 99.9,
  objectiveReason:
    "The runbook pages on more than 5% of 5xx responses for 5 minutes, and tolerates anything less for ever: 2% of " +
    "errors all day never pages. 99.9% over 28 days (about 40 minutes of full outage) makes 2% of errors for an hour " +
    "a page (13.44x of a 0.1% budget is 1.34%), while a 5-minute blip at 5% spends only 0.6% of the budget.",
  sli: events({
    errors: `sum(rate(${phoenix.httpRequests}{${app}, status=~"5.."}[{{window}}]))`,
    total: `sum(rate(${phoenix.httpRequests}{${app}}[{{window}}]))`,
    testSeries: { good: requestSeries("200"), bad: requestSeries("503") },
  }),
  alerting: {
    name: "ApiAvailability",
    team: "platform",
    page: { severity: "critical", runbook: "API Availability Error Budget Burn (page)" },
    ticket: { severity: "medium", runbook: "API Availability Error Budget Burn (ticket)" },
  },
});

export const apiLatency = slo({
  service: "phoenix",
  name: "api-latency",
  title: "API latency",
  description: "requests answered within 500 ms",
  objective: 99,
  objectiveReason:
    "The runbook's latency line is 500 ms (Ecto's p95 alert): while it holds, at most 5% of requests are slower. " +
    "Asking 99% of API requests within 500 ms over 28 days keeps the p95 well inside that line on average, and " +
    "pages when 13.4% of requests are slow for an hour or 5.6% for six hours, the runbook's 5% sustained.",
  sli: latency({ histogram: phoenix.httpRequestDuration, le: 0.5, matchers: app }),
  alerting: {
    name: "ApiLatency",
    team: "platform",
    page: { severity: "critical", runbook: "API Latency Error Budget Burn (page)" },
    ticket: { severity: "medium", runbook: "API Latency Error Budget Burn (ticket)" },
  },
});
