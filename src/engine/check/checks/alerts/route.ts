import { severities } from "../../../define/alerting.ts";
import {
  readRoutingConfig,
  routeAlert,
  RoutingConfigError,
  TooManyOutcomes,
  type LabelLookup,
  type Outcome,
  type RoutingConfig,
} from "../../../diff/routing.ts";
import type { AlertModel, Model } from "../../../model.ts";
import { alertmanagerConfig } from "../../../render/alertmanager.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** The alert's labels as Alertmanager gets them: its own are known; any other may come from its expression. */
const labelsOf =
  (alert: AlertModel): LabelLookup =>
  (name) =>
    name === "alertname" ? alert.name : alert.labels[name];

function outcomes(config: RoutingConfig, alert: AlertModel): Outcome[] {
  try {
    return routeAlert(config, labelsOf(alert));
  } catch (error) {
    if (!(error instanceof TooManyOutcomes)) throw error;
    // Too many unknown labels to follow both ways: judged by its own labels, the others taken as absent.
    return routeAlert(config, (name) => labelsOf(alert)(name) ?? "");
  }
}

const quoteList = (names: string[]) => names.map((n) => `"${n}"`).join(", ");

/**
 * Paging is deserved: every runbook level has its route, every alert reaches its own severity's route (walked
 * through the generated alertmanager.yml as Alertmanager does), and the root route's receiver, which gets
 * whatever no route takes, pages no one.
 */
export const alertRoute: ModelCheck = {
  id: "alerts/route",
  kind: "house",
  severity: "error",
  summary:
    "An alert that does not reach its severity's route, a runbook level with no route, or a root receiver that pages.",
  scope: "model",
  check(model: Model) {
    const findings: Finding[] = [];
    const policiesFile = { file: model.routing.source.file, line: 1 };
    const routed = model.severities.map((p) => p.severity);
    for (const level of severities) {
      const count = routed.filter((s) => s === level).length;
      if (count === 0)
        findings.push({
          subject: `severity ${level}`,
          source: policiesFile,
          message: `the runbook's level "${level}" has no severity policy, so no route names it: an alert of that level would go to the root receiver "${model.routing.unrouted.receiver}"`,
          fix: "add its policy to src/alerts/severities.ts, with its receiver and timings.",
        });
      else if (count > 1)
        findings.push({
          subject: `severity ${level}`,
          source: policiesFile,
          message: `${count} severity policies name "${level}": Alertmanager takes the first route that matches, so the others never receive anything`,
          fix: "keep one policy per level.",
        });
    }

    let config: RoutingConfig;
    try {
      config = readRoutingConfig(alertmanagerConfig(model));
    } catch (error) {
      if (!(error instanceof RoutingConfigError)) throw error;
      return [
        ...findings,
        {
          subject: "alert routing",
          source: model.routing.source,
          message: `the routing cannot be followed: ${error.message}`,
          fix: "give every severity policy and alertRouting's unrouted receiver a receiver name.",
        },
      ];
    }

    const root = config.receivers.get(config.root.receiver);
    const paging = (root?.integrations ?? []).filter((i) => i.pages).map((i) => i.kind);
    if (paging.length)
      findings.push({
        subject: "alert routing",
        source: model.routing.source,
        message: `the root route's receiver "${config.root.receiver}" pages (${[...new Set(paging)].join(", ")}): an alert that matches no severity route would wake somebody though nothing says it deserves it`,
        fix: "give alertRouting's unrouted receiver channels that do not page (Slack), or none to drop such alerts; an alert that must page needs a severity that pages.",
      });

    for (const alert of model.alerts) {
      const policy = model.severities.find((p) => p.severity === alert.severity);
      // A level that is not the runbook's, or has no policy, is alerts/severity's to say.
      if (!policy) continue;
      const taken = new Set<string>();
      let unrouted = false;
      for (const outcome of outcomes(config, alert)) {
        if (outcome.routes.includes(config.root)) unrouted = true;
        else for (const route of outcome.routes) taken.add(route.receiver);
      }
      const subject = `alert ${alert.name}`;
      const wrong = [...taken].filter((r) => r !== policy.receiver);
      if (unrouted)
        findings.push({
          subject,
          source: alert.source,
          message: `its labels (severity="${alert.labels.severity ?? ""}") match no route${taken.size ? " in some cases" : ""}, so it goes to the root receiver "${config.root.receiver}", not to "${policy.receiver}" as severity ${alert.severity} says`,
          fix: `check the matchers of the route for severity ${alert.severity} in src/alerts/severities.ts, and that the alert's labels carry severity="${alert.severity}".`,
        });
      else if (wrong.length)
        findings.push({
          subject,
          source: alert.source,
          message: `its labels take it to ${quoteList(wrong)}, not only to "${policy.receiver}", the receiver of severity ${alert.severity}`,
          fix: "route each level once, to its own policy's receiver (src/alerts/severities.ts).",
        });
    }
    return findings;
  },
};
