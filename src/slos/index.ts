import { phoenix } from "../catalog/index.ts";
import { settings } from "../config.ts";
import { sloDashboard } from "../engine/define/slo-dashboard.ts";
import { apiAvailability, apiLatency } from "./api.ts";

/**
 * Every SLO; each becomes recording rules (build/prometheus/rules/recording/slo-*.yaml), burn-rate alerts and their
 * tests, and a row of the SLO dashboard. No NATS SLO: prometheus-nats-exporter reports the consumers' state (pending,
 * ack pending, redelivered) as gauges, not events with an outcome, so no honest good/total ratio can be read from it.
 */
export const slos = [apiAvailability, apiLatency];

export const sloOverview = sloDashboard({
  uid: "gs-slos",
  title: "Service Level Objectives",
  description:
    "Generated from src/slos/: per SLO, the SLI against its objective, the error budget left over the period, and " +
    "the burn rate each alert watches, with its factor drawn as a dashed line.",
  tags: ["global-sovereign", "slo"],
  anchorMetric: `${phoenix.httpRequests}`,
  defaultDatasourceUid: settings.datasource.uid,
  defaultJob: settings.jobs.app,
  defaultPeriod: settings.sloPeriod,
  slos,
});
