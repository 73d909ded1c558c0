import { watchedAlertGroups } from "./groups.ts";
import { inputAlerts } from "./inputs.ts";

/**
 * Every alert group; each becomes build/prometheus/rules/alerts/<group>.yaml with tests in build/prometheus/tests/.
 * Add a new group to src/alerts/groups.ts, whose alerts' inputs the input alert watches.
 */
export const alertGroups = [...watchedAlertGroups, inputAlerts];
