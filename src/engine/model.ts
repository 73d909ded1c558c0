/**
 * The compiled model: plain data, no builders and no functions, so it can be checked, diffed, hashed
 * and rendered to any target. Every part remembers the source line it was defined on.
 */
import type {
  AlertRoutingDefinition,
  AlertTest,
  ComparisonOperator,
  RuleTest,
  SeverityPolicy,
  ThresholdUnit,
} from "./define/alerting.ts";
import type { ImportedReview, MetricType, MetricOrigin } from "./define/catalog.ts";
import type { MigrationDebt } from "./define/debt.ts";
import type { OutputSettings } from "./define/outputs.ts";
import type { SourceLocation } from "./source.ts";

export interface ProjectSettings {
  scrapeInterval: string;
  evaluationInterval: string;
  datasource: { name: string; uid: string; url: string };
  grafana: {
    baseUrl: string;
    folder: string;
    dashboardsPath: string;
    /** The oldest Grafana version the dashboards must work on, e.g. `12.2.0` (dashboard/grafana-version). */
    minimumVersion?: string;
  };
  runbookUrl: string;
  /** Scrape job name -> host:port targets. */
  scrapeTargets: Record<string, readonly string[]>;
  alertmanagers: readonly string[];
  /** The outputs besides Prometheus, Alertmanager and Grafana's files (Kubernetes, Mimir, VictoriaMetrics); absent: none. */
  outputs?: OutputSettings;
}

export interface MetricModel {
  name: string;
  type: MetricType;
  unit: string;
  help: string;
  labels: Record<string, string>;
  origin: MetricOrigin;
  monotonic: boolean;
  buckets?: number[];
  notes?: string;
  /** Series names the metric exposes (`_bucket`, `_sum`, `_count` for histograms). */
  series: string[];
  /** An entry `o11y import` wrote that nobody has reviewed yet. */
  review?: ImportedReview;
  source: SourceLocation;
}

export interface TargetModel {
  refId: string;
  expr: string;
  /** Datasource uid the query runs against, e.g. `${datasource}`. */
  datasource?: string;
  legend?: string;
  /** Where its text was written: the `query()` call, with its column where known. */
  source?: SourceLocation;
}

export interface PanelModel {
  id: number;
  type: string;
  title: string;
  description?: string;
  unit?: string;
  datasource?: string;
  /** Title of the row the panel sits under, if any. */
  row?: string;
  /** The id of the collapsed row it is folded into: it takes room only when that row opens, and pushes down what follows. */
  foldedInto?: number;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: TargetModel[];
  /** Threshold steps drawn on the panel, in its unit (the base step excluded). */
  thresholds: number[];
  /** The thresholds its definition interpolated into its queries or texts, from our definitions only. */
  statedThresholds?: ThresholdModel[];
  /** Checks an imported panel does not satisfy yet, each with its reason (`o11y import`). */
  debt?: MigrationDebt[];
  source: SourceLocation;
}

export interface VariableModel {
  name: string;
  type: string;
  /** The query text for query variables, e.g. `label_values(up{job=~"$job"}, instance)`. */
  query?: string;
  debt?: MigrationDebt[];
  source: SourceLocation;
}

export interface DashboardModel {
  uid: string;
  title: string;
  source: SourceLocation;
  /** Rows and panels, in dashboard order. */
  panels: PanelModel[];
  rows: PanelModel[];
  variables: VariableModel[];
  links: { title: string; url: string }[];
  /** The Grafana dashboard JSON, normalized: ids, refIds and datasources filled, keys sorted. */
  json: Record<string, unknown>;
  /** Made by `o11y import`: its house rules are checks with migration debt, its JSON has the imported schema. */
  imported?: boolean;
  debt?: MigrationDebt[];
}

export interface ThresholdModel {
  op: ComparisonOperator;
  value: number;
  unit: ThresholdUnit;
  source: SourceLocation;
  /** Its name in src/alerts/thresholds.ts, where the project names its thresholds. */
  name?: string;
  /** Stands in for a threshold the definition got wrong (reported as definition/invalid). */
  placeholder?: true;
}

/** A threshold of the project's, by the name it has in src/alerts/thresholds.ts. */
export interface NamedThresholdModel extends ThresholdModel {
  name: string;
}

export interface AlertModel {
  name: string;
  severity: string;
  severityReason?: string;
  expr: string;
  for: string;
  threshold: ThresholdModel;
  /** Every threshold its definition interpolated (its own first), from our definitions only. */
  thresholds?: ThresholdModel[];
  /** The least traffic for which the alert's ratio means anything (alerts/traffic-guard). */
  trafficGuard?: ThresholdModel;
  /** Final labels: severity, service, team and any extra. */
  labels: Record<string, string>;
  /** summary, description, runbook_url, dashboard_url. */
  annotations: Record<string, string>;
  runbook: { heading: string; anchor: string };
  dashboard: { uid: string; panelId: number };
  tests: AlertTest[];
  group: string;
  source: SourceLocation;
  /** How long it keeps firing once its condition is gone (`keep_firing_for`); absent: not at all. */
  keepFiringFor?: string;
  /**
   * Brought in by `o11y import rules` (importedAlert): its labels and annotations are the rule file's, its runbook,
   * dashboard and threshold only where the import could tell them (empty, and a placeholder threshold, where not),
   * and its rule file is held to the imported schema.
   */
  imported?: true;
  /** Checks it does not satisfy yet, each with its reason (`o11y import`). */
  debt?: MigrationDebt[];
}

export interface RecordingRuleModel {
  record: string;
  expr: string;
  labels: Record<string, string>;
  tests: RuleTest[];
  group: string;
  source: SourceLocation;
  /** Brought in by `o11y import rules` (importedRecordingRule). */
  imported?: true;
  debt?: MigrationDebt[];
}

export interface RuleGroupModel {
  name: string;
  kind: "alerts" | "recording";
  /** Source file of its definitions. */
  file: string;
  /** Line of its `ruleGroup(...)` call in `file`, when known (rule files read back have none). */
  line?: number;
  interval: string;
  rules: string[];
  /**
   * What its promtool tests load and how often they evaluate, when not the groups its rules read at the evaluation
   * interval (render/prometheus.ts, `scopedGroups`): an SLO's tests span days, and evaluating each 30 s would cost
   * minutes.
   */
  tests?: { ruleGroups: string[]; evaluationInterval: string };
  /** Holds rules brought in by `o11y import rules`: its files are held to the imported rules' schema. */
  imported?: true;
}

export interface RunbookSection {
  heading: string;
  anchor: string;
  line: number;
}

export interface RunbookModel {
  file: string;
  text: string;
  sections: RunbookSection[];
}

/** A service level objective, as compiled: its rules and alerts are in the model's lists like every other. */
export interface SloModel {
  /** `sloth_id`: `<service>-<name>`. */
  id: string;
  service: string;
  name: string;
  title: string;
  /** As written, a percentage. */
  objective: number;
  period: string;
  /** The error budget the rules use, as a ratio. */
  budget: number;
  sli:
    | { kind: "events"; errors: string; total: string }
    | { kind: "ratio"; errorRatio: string }
    | { kind: "latency"; histogram: string; le: number; matchers: string; buckets: number[] };
  /** Names of its generated alerts. */
  alerts: string[];
  source: SourceLocation;
}

export interface Model {
  settings: ProjectSettings;
  metrics: MetricModel[];
  dashboards: DashboardModel[];
  alerts: AlertModel[];
  recordingRules: RecordingRuleModel[];
  ruleGroups: RuleGroupModel[];
  severities: SeverityPolicy[];
  /** The root receiver and inhibition (src/alerts/severities.ts). */
  routing: AlertRoutingDefinition;
  runbook: RunbookModel;
  /** Every named threshold (absent from a model read back from built files). */
  thresholds?: NamedThresholdModel[];
  /** The SLOs the rules, alerts and dashboard panels were generated from (absent when rules are read back). */
  slos?: SloModel[];
}
