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
  objective: 99,
  objectiveReason:
    "The runbook pages on more than 5% of 5xx responses for 5 minutes and tolerates anything less for ever: 2% of " +
    "errors all day never pages. 99% over 28 days (6.7 hours of full outage) keeps that line: the slow page fires at " +
    "5.6% of errors sustained for 6 hours, just above the runbook's 5%, and a fast burn of 13.4% for an hour pages " +
    "however it is spread; 2% all day now opens a ticket (0.93x over 3 days). 99.9% would page on the 0.5% of 5xx that " +
    "the end-to-end suite serves as healthy (a 5x burn).",
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
  description: "requests answered within 1 s",
  objective: 99,
  objectiveReason:
    "The runbook's latency line is 500 ms for the p95 of database queries; an API request runs several of them, and " +
    "the slowest healthy route (/api/graphql) answers 10% of its requests in 500 ms to 1 s. One second is the next " +
    "bucket bound, and 99% of requests within it pages when 13.4% of requests are slower for an hour, or 5.6% for " +
    "six hours: the runbook's 5% sustained.",
  sli: latency({ histogram: phoenix.httpRequestDuration, le: 1, matchers: app }),
  alerting: {
    name: "ApiLatency",
    team: "platform",
    page: { severity: "critical", runbook: "API Latency Error Budget Burn (page)" },
    ticket: { severity: "medium", runbook: "API Latency Error Budget Burn (ticket)" },
  },
});
