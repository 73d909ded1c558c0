/**
 * The runbook's severity table, and how each level is delivered: who is told, how fast, and how often
 * again while the alert is still firing. Secrets live in files mounted into Alertmanager (see README).
 */
import { alertRouting, severityPolicy, type SeverityPolicy } from "../engine/define/alerting.ts";

// One Secret, mounted the way the Prometheus Operator mounts alertmanagerSpec.secrets (a folder per Secret), which
// also suits Alertmanager run from files: see README, "Loading it into Prometheus and Alertmanager".
const secrets = "/etc/alertmanager/secrets/alertmanager-receivers";

export const severityPolicies: SeverityPolicy[] = [
  severityPolicy({
    severity: "critical",
    responseTime: "Immediate",
    notifyWithin: "1m",
    action: "Page on-call, investigate immediately, rollback if needed",
    receiver: "oncall-page",
    channels: [
      { kind: "pagerduty", routingKeyFile: `${secrets}/pagerduty-routing-key` },
      { kind: "slack", channel: "#on-call", webhookUrlFile: `${secrets}/slack-webhook-url` },
    ],
    groupWait: "10s",
    groupInterval: "1m",
    repeatInterval: "30m",
  }),
  severityPolicy({
    severity: "high",
    responseTime: "< 15 min",
    notifyWithin: "15m",
    action: "Restart consumer, inspect logs, scale if needed",
    receiver: "oncall-urgent",
    channels: [
      { kind: "pagerduty", routingKeyFile: `${secrets}/pagerduty-routing-key` },
      { kind: "slack", channel: "#on-call", webhookUrlFile: `${secrets}/slack-webhook-url` },
    ],
    groupWait: "1m",
    groupInterval: "5m",
    repeatInterval: "1h",
  }),
  severityPolicy({
    severity: "medium",
    responseTime: "< 1 hour",
    notifyWithin: "1h",
    action: "Triage, log issue, notify team",
    receiver: "team-triage",
    channels: [
      { kind: "slack", channel: "#global-sovereign-alerts", webhookUrlFile: `${secrets}/slack-webhook-url` },
    ],
    groupWait: "5m",
    groupInterval: "15m",
    repeatInterval: "4h",
  }),
  severityPolicy({
    severity: "low",
    responseTime: "< 4 hours",
    notifyWithin: "4h",
    action: "Restart PromEx, check logs",
    receiver: "team-backlog",
    channels: [
      { kind: "slack", channel: "#global-sovereign-alerts", webhookUrlFile: `${secrets}/slack-webhook-url` },
    ],
    groupWait: "15m",
    groupInterval: "1h",
    repeatInterval: "12h",
  }),
];

/**
 * Every alert reaches its severity's route (the build proves it), so the root receiver only gets alerts from
 * elsewhere (a rule file added by hand, another Prometheus): they are posted to the team channel, where they are
 * seen, and page no one, since nothing says they deserve it.
 */
export const routing = alertRouting({
  unrouted: {
    receiver: "unrouted",
    channels: [
      { kind: "slack", channel: "#global-sovereign-alerts", webhookUrlFile: `${secrets}/slack-webhook-url` },
    ],
    groupWait: "5m",
    groupInterval: "15m",
    repeatInterval: "4h",
  },
  // When the API is down, on-call hears of that, not of each of its symptoms in the same service and job. An SLO's
  // alerts carry no job (their SLI sums over the service) but its sloth_id, which the others lack: an SLO's page holds
  // back that SLO's tickets (on-call already works the burn they report), never another SLO's alerts or a threshold
  // alert, and no threshold alert holds back an SLO's. Without sloth_id, Alertmanager would count the absent job as
  // equal and let any SLO's page silence every lower alert of its service without a job (slo/inhibition says so).
  inhibit: { severities: ["critical", "high"], equal: ["service", "job", "sloth_id"] },
});
