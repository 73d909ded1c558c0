/**
 * Time-compressed profile for the end-to-end suite: every duration in rule expressions, in `for`, in
 * panel queries (`offset 1h`, `[1h]`) and in Alertmanager's route timers is divided by 60 (5m -> 5s,
 * 1h -> 1m); scrape, evaluation and rule group intervals are 1s. The engine renders the rule files and
 * prometheus.yml from a transformed model; promtool tests (test/alerts/) cover the real durations.
 */
import { parse, stringify } from "yaml";
import { formatDuration, parseDurationMs } from "../../src/engine/duration.ts";
import type { Model } from "../../src/engine/model.ts";
import { findVariables } from "../../src/engine/promql/grafana-variables.ts";
import { nodesNamed, parsePromQL } from "../../src/engine/promql/parse.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";

export const compression = 60;
export const scrapeIntervalSeconds = 1;
const interval = `${scrapeIntervalSeconds}s`;

export function compressDuration(text: string): string {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDurationMs(text);
  if (!Number.isFinite(ms)) throw new Error(`not a duration: ${text}`);
  return formatDuration(Math.max(1, Math.round(ms / compression)));
}

/** Every duration literal in a PromQL expression compressed; Grafana variables ($__rate_interval) are left alone. */
export function compressExpr(expr: string): string {
  const parsed = parsePromQL(expr, { grafana: true });
  if (parsed.errorAt !== undefined)
    throw new Error(`cannot parse ${JSON.stringify(expr)} at offset ${parsed.errorAt}`);
  const variables = findVariables(expr);
  let out = "";
  let last = 0;
  for (const node of nodesNamed(parsed, "NumberDurationLiteralInDurationContext")) {
    if (variables.some((v) => v.from < node.to && node.from < v.to)) continue;
    out += expr.slice(last, node.from) + compressDuration(expr.slice(node.from, node.to));
    last = node.to;
  }
  return out + expr.slice(last);
}

export interface Wiring {
  /** Scrape job -> host:port of the exporter endpoint it scrapes. */
  scrapeTargets: Record<string, string[]>;
  alertmanager: string;
}

/** The model with compressed rules and the test wiring; everything else as compiled. */
export function compressedModel(model: Model, wiring: Wiring): Model {
  return {
    ...model,
    settings: {
      ...model.settings,
      scrapeInterval: interval,
      evaluationInterval: interval,
      scrapeTargets: wiring.scrapeTargets,
      alertmanagers: [wiring.alertmanager],
    },
    alerts: model.alerts.map((a) => ({ ...a, expr: compressExpr(a.expr), for: compressDuration(a.for) })),
    recordingRules: model.recordingRules.map((r) => ({ ...r, expr: compressExpr(r.expr) })),
    ruleGroups: model.ruleGroups.map((g) => ({ ...g, interval })),
  };
}

/** prometheus.yml and the rule files, rendered by the engine from the compressed model (paths under prometheus/). */
export function prometheusFiles(model: Model, wiring: Wiring): Artifact[] {
  return renderPrometheus(compressedModel(model, wiring)).filter(
    (a) => a.path === "prometheus/prometheus.yml" || a.path.startsWith("prometheus/rules/"),
  );
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

/**
 * The generated alertmanager.yml with its route timers compressed, and every receiver's channels
 * (PagerDuty, Slack with *_file secrets) replaced by a webhook to the test's sink; names are kept.
 */
export function alertmanagerTestConfig(generated: string, sinkUrl: string): string {
  const config = parse(generated) as { route: Route; receivers: Array<{ name: string }> };
  const compress = (route: Route) => {
    for (const key of ["group_wait", "group_interval", "repeat_interval"] as const) {
      if (route[key]) route[key] = compressDuration(route[key]);
    }
    route.routes?.forEach(compress);
  };
  compress(config.route);
  config.receivers = config.receivers.map(({ name }) => ({
    name,
    webhook_configs: [{ url: `${sinkUrl}/${encodeURIComponent(name)}`, send_resolved: false }],
  }));
  return stringify(config);
}
