/**
 * Every alert threshold, in one place, with its unit. Alerts interpolate these into their PromQL and
 * dashboards draw them on the linked panel, so a PR changing a threshold is a one-line diff here.
 */
import { above, atLeast, below } from "../engine/define/alerting.ts";

export const thresholds = {
  /** Runbook: "API returns 5xx > 5% for 5 min". */
  phoenix5xxRatio: above(0.05, "ratio"),
  /**
   * The least requests in the 5xx ratio's 5-minute window for the ratio to mean anything: at the 5% line that is 5
   * failed requests, never one unlucky request out of one at 3 a.m.
   */
  phoenixMinRequests: atLeast(100, "count"),
  /** Runbook: "NATS stream lag > 1000 msgs". */
  natsPendingMessages: above(1000, "count"),
  /** Runbook: "Project creation fails in 3+ regions". */
  projectCreationFailingRegions: atLeast(3, "count"),
  /** A region counts as failing when more than this share of its creation attempts fail. */
  projectCreationRegionFailureRatio: above(0.1, "ratio"),
  /** The least creation attempts in a region's 10-minute window for its failure ratio to count: 2 failures at the 10% line. */
  projectCreationMinAttemptsPerRegion: atLeast(20, "count"),
  /** Runbook: "Metrics endpoint down": the last scrape failed. */
  metricsEndpointUp: below(1, "bool"),
  /** A metric the alerts read is present in its scrape job (1), or the job is scraped and exports none of it (0). */
  alertInputPresent: below(1, "bool"),
  /** Runbook: "p95 query time > 500ms for 5 minutes". */
  ectoQueryP95Seconds: above(0.5, "seconds"),
  /** Runbook: "Covenant fund delta > 10% in 1 hour" (a fall). */
  covenantFundDropRatio: above(0.1, "ratio"),
  /** Runbook: "Memory usage: > 80% for 10 min", of the instance's memory limit. */
  beamMemoryUsageRatio: above(0.8, "ratio"),
};
