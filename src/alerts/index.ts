import { beamAlerts } from "./beam.ts";
import { covenantAlerts } from "./covenant.ts";
import { ectoAlerts } from "./ecto.ts";
import { inputAlerts } from "./inputs.ts";
import { natsAlerts } from "./nats.ts";
import { phoenixAlerts } from "./phoenix.ts";
import { scrapeAlerts } from "./scrape.ts";

/** Every alert group; each becomes build/prometheus/rules/alerts/<group>.yaml with tests in build/prometheus/tests/. */
export const alertGroups = [
  phoenixAlerts,
  ectoAlerts,
  natsAlerts,
  covenantAlerts,
  beamAlerts,
  scrapeAlerts,
  inputAlerts,
];
