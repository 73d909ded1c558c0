import { covenantRules } from "./covenant.ts";
import { ectoRules } from "./ecto.ts";
import { natsRules } from "./nats.ts";
import { phoenixRules } from "./phoenix.ts";

/** Every recording rule group the alerts and dashboards read; a new file's group goes here. */
export const sourceRuleGroups = [phoenixRules, ectoRules, natsRules, covenantRules];
