import { beamAlerts } from "./beam.ts";
import { covenantAlerts } from "./covenant.ts";
import { ectoAlerts } from "./ecto.ts";
import { natsAlerts } from "./nats.ts";
import { phoenixAlerts } from "./phoenix.ts";
import { scrapeAlerts } from "./scrape.ts";

/**
 * Every alert group of the runbook; a new file's group goes here. The metrics they read are watched
 * (src/recording-rules/inputs.ts), so an alert whose input its job does not export is not silently blind.
 */
export const watchedAlertGroups = [
  phoenixAlerts,
  ectoAlerts,
  natsAlerts,
  covenantAlerts,
  beamAlerts,
  scrapeAlerts,
];
