import type { Check } from "../check.ts";
import { alertAnnotations } from "./alerts/annotations.ts";
import { alertComparison } from "./alerts/comparison.ts";
import { alertDashboardLink } from "./alerts/dashboard-link.ts";
import { alertFor } from "./alerts/for.ts";
import { alertRoute } from "./alerts/route.ts";
import { alertRouting } from "./alerts/routing.ts";
import { alertRunbook } from "./alerts/runbook.ts";
import { alertRunbookThreshold } from "./alerts/runbook-threshold.ts";
import { alertLabels } from "./alerts/labels.ts";
import { alertSeverity } from "./alerts/severity.ts";
import { staleThresholdText } from "./alerts/stale-threshold-text.ts";
import { alertTemplate } from "./alerts/template.ts";
import { alertTests } from "./alerts/tests.ts";
import { alertTrafficGuard } from "./alerts/traffic-guard.ts";
import { alertThreshold } from "./alerts/threshold.ts";
import { uniqueAlertName } from "./alerts/unique-name.ts";
import { unreviewed } from "./catalog/unreviewed.ts";
import { pathCollision } from "./names/path-collision.ts";
import { pathSafeName } from "./names/path-safe-name.ts";
import { credentials } from "./settings/credentials.ts";
import { alertmanagerSecretFiles } from "./targets/alertmanager-secret-files.ts";
import { kubernetesResource } from "./targets/kubernetes-resource.ts";
import { ruleFeatures } from "./targets/rule-features.ts";
import { ruleDependency } from "./rules/dependency.ts";
import { ruleEvaluationOrder } from "./rules/evaluation-order.ts";
import { ruleName } from "./rules/name.ts";
import { ruleTests } from "./rules/tests.ts";
import { uniqueRuleName } from "./rules/unique-name.ts";
import { datasourceVariable } from "./dashboard/datasource-variable.ts";
import { gridLayout } from "./dashboard/grid-layout.ts";
import { jobInstanceMatchers } from "./dashboard/job-instance-matchers.ts";
import { links } from "./dashboard/links.ts";
import { panelDescription } from "./dashboard/panel-description.ts";
import { panelUnit } from "./dashboard/panel-unit.ts";
import { unitFit } from "./dashboard/unit-fit.ts";
import { grafanaVersion } from "./dashboard/grafana-version.ts";
import { undefinedVariable } from "./dashboard/undefined-variable.ts";
import { uniquePanelId } from "./dashboard/unique-panel-id.ts";
import { uniqueUid } from "./dashboard/unique-uid.ts";
import { aggregateThenRate } from "./promql/aggregate-then-rate.ts";
import { counterWithoutRate } from "./promql/counter-without-rate.ts";
import { histogramQuantile } from "./promql/histogram-quantile.ts";
import { impossibleMatcher } from "./promql/impossible-matcher.ts";
import { nestingDepth } from "./promql/nesting-depth.ts";
import { rateOnCounter } from "./promql/rate-on-counter.ts";
import { rateWindow } from "./promql/rate-window.ts";
import { regexp } from "./promql/regexp.ts";
import { series } from "./promql/series.ts";
import { unknownLabel } from "./promql/unknown-label.ts";
import { vectorMatching } from "./promql/vector-matching.ts";
import { syntax } from "./promql/syntax.ts";
import { unknownMetric } from "./promql/unknown-metric.ts";
import { sloBounded } from "./slo/bounded.ts";
import { sloErrorSubset } from "./slo/error-subset.ts";
import { sloInhibition } from "./slo/inhibition.ts";
import { sloLatencyBucket } from "./slo/latency-bucket.ts";
import { sloObjective } from "./slo/objective.ts";
import { sloWindow } from "./slo/window.ts";

/** Every check, by id. Each lives in its own file with a doc under docs/checks/<id>.md. */
export const allChecks: Check[] = [
  syntax,
  nestingDepth,
  unknownMetric,
  unknownLabel,
  impossibleMatcher,
  rateOnCounter,
  counterWithoutRate,
  histogramQuantile,
  rateWindow,
  aggregateThenRate,
  vectorMatching,
  regexp,
  series,
  uniqueUid,
  uniquePanelId,
  panelUnit,
  unitFit,
  grafanaVersion,
  panelDescription,
  undefinedVariable,
  gridLayout,
  datasourceVariable,
  jobInstanceMatchers,
  links,
  unreviewed,
  uniqueAlertName,
  alertSeverity,
  alertComparison,
  alertThreshold,
  alertFor,
  alertAnnotations,
  alertTemplate,
  alertLabels,
  alertRunbook,
  alertRunbookThreshold,
  staleThresholdText,
  alertDashboardLink,
  alertTests,
  alertRouting,
  alertRoute,
  alertTrafficGuard,
  ruleName,
  uniqueRuleName,
  ruleDependency,
  ruleEvaluationOrder,
  ruleTests,
  sloObjective,
  sloWindow,
  sloErrorSubset,
  sloBounded,
  sloLatencyBucket,
  sloInhibition,
  pathSafeName,
  pathCollision,
  credentials,
  ruleFeatures,
  kubernetesResource,
  alertmanagerSecretFiles,
];

/**
 * Checks of what only our TypeScript definitions carry (declared thresholds, tests beside each alert,
 * links to our runbook and dashboards, names that become our files). A built or foreign rule file cannot
 * meet them, so `o11y check <file>` and `o11y diff` run the others.
 */
const definitionOnly = new Set([
  "alerts/dashboard-link",
  "alerts/runbook",
  "alerts/runbook-threshold",
  "alerts/stale-threshold-text",
  "alerts/tests",
  "alerts/threshold",
  "rules/tests",
  "slo/objective",
  "slo/window",
  "slo/error-subset",
  "slo/bounded",
  "slo/latency-bucket",
  "slo/inhibition",
  "names/path-safe-name",
  "names/path-collision",
]);
export const artifactChecks: Check[] = allChecks.filter((check) => !definitionOnly.has(check.id));
