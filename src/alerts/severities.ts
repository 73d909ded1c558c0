/**
 * The runbook's severity table, and how each level is delivered: who is told, how fast, and how often
 * again while the alert is still firing. Secrets live in files mounted into Alertmanager (see README).
 */
import { severityPolicy, type SeverityPolicy } from "../engine/define/alerting.ts";

const secrets = "/etc/alertmanager/secrets";

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
