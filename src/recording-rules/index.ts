import { sourceRuleGroups } from "./groups.ts";
import { inputRules } from "./inputs.ts";

/**
 * Every recording rule group; each becomes build/prometheus/rules/recording/<group>.yaml. Add a new group to
 * src/recording-rules/groups.ts.
 */
export const recordingRuleGroups = [...sourceRuleGroups, inputRules];
