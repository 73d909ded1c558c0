import { severities } from "../../../define/alerting.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** The label every alert of one SLO carries, and no other alert: Sloth's identity of the SLO. */
const sloLabel = "sloth_id";

const rank = (severity: string) => (severities as readonly string[]).indexOf(severity);

/**
 * An SLO's alerts carry no job (the SLI sums over the service) and Alertmanager counts a label both alerts lack as
 * equal: unless inhibition also compares sloth_id, one SLO's page holds back the alerts of every other SLO of its
 * service, and every lower alert of the service without a job.
 */
export const sloInhibition: ModelCheck = {
  id: "slo/inhibition",
  kind: "correctness",
  severity: "error",
  summary: "Inhibition that does not compare sloth_id: one SLO's page would hold back another SLO's alerts.",
  scope: "model",
  check(model) {
    const slos = model.slos ?? [];
    const { inhibit, source } = model.routing;
    if (slos.length === 0 || inhibit.severities.length === 0 || inhibit.equal.includes(sloLabel)) return [];
    const alertsOf = (id: string) => {
      const names = new Set(slos.find((s) => s.id === id)?.alerts ?? []);
      return model.alerts.filter((a) => names.has(a.name));
    };
    const inhibiting = (severity: string) => (inhibit.severities as readonly string[]).includes(severity);
    // The first pair of two SLOs of one service in which an alert of one would hold back an alert of the other.
    const pairs = slos.flatMap((a) =>
      slos
        .filter((b) => b.id !== a.id && b.service === a.service)
        .flatMap((b) =>
          alertsOf(a.id).flatMap((source) =>
            alertsOf(b.id)
              .filter(
                (target) => inhibiting(source.severity) && rank(source.severity) < rank(target.severity),
              )
              .map((target) => ({ source, target, a, b })),
          ),
        ),
    );
    const page = slos
      .flatMap((slo) => alertsOf(slo.id).map((alert) => ({ slo, alert })))
      .find(({ alert }) => inhibiting(alert.severity));
    const example = pairs[0]
      ? `while ${pairs[0].source.name} (${pairs[0].a.id}) fires, it holds back ${pairs[0].target.name} (${pairs[0].b.id})`
      : page
        ? `while ${page.alert.name} (${page.slo.id}) fires, it holds back every lower-severity alert of service ${page.slo.service} that has no job label`
        : `a ${inhibit.severities.join(" or ")} alert of service ${slos[0]!.service} without a job label holds back the alerts of ${slos[0]!.id}`;
    const finding: Finding = {
      subject: "alert routing",
      source,
      message:
        `inhibit.equal [${inhibit.equal.join(", ")}] does not compare ${sloLabel}, and an SLO's alerts carry no job: ` +
        `Alertmanager counts a label both alerts lack as equal, so ${example}`,
      fix: `add "${sloLabel}" to inhibit.equal in alertRouting(...): an SLO's page then holds back its own tickets only, and alerts without ${sloLabel} are compared as before.`,
    };
    return [finding];
  },
};
