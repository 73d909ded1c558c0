import { covenantRules } from "./covenant.ts";
import { ectoRules } from "./ecto.ts";
import { inputRules } from "./inputs.ts";
import { natsRules } from "./nats.ts";
import { phoenixRules } from "./phoenix.ts";

/** Every recording rule group; each becomes build/prometheus/rules/recording/<group>.yaml. */
export const recordingRuleGroups = [phoenixRules, ectoRules, natsRules, covenantRules, inputRules];
