import { severities, type ReceiverChannel, type SeverityPolicy } from "../define/alerting.ts";
import type { Model } from "../model.ts";
import { yamlArtifact, type Artifact } from "./artifact.ts";

function channelConfig(channel: ReceiverChannel) {
  switch (channel.kind) {
    case "pagerduty":
      return { pagerduty_configs: [{ routing_key_file: channel.routingKeyFile, send_resolved: true }] };
    case "slack":
      return {
        slack_configs: [
          {
            api_url_file: channel.webhookUrlFile,
            channel: channel.channel,
            send_resolved: true,
            title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})",
            text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\nDashboard: {{ .Annotations.dashboard_url }}\n{{ end }}",
          },
        ],
      };
  }
}

function receiver(policy: Pick<SeverityPolicy, "receiver" | "channels">) {
  const merged: Record<string, unknown> = { name: policy.receiver };
  for (const channel of policy.channels) {
    for (const [key, value] of Object.entries(channelConfig(channel))) {
      merged[key] = [...((merged[key] as unknown[]) ?? []), ...value];
    }
  }
  return merged;
}

/** The most urgent first: a level holds back the levels after it. */
const byUrgency = (model: Model) => severities.filter((s) => model.severities.some((p) => p.severity === s));

/**
 * While an alert of an inhibiting level fires, the alerts of every less urgent level with the same `equal` labels
 * (service and job) are held back: when the API is down, on-call hears of that, not of each symptom.
 */
function inhibitRules(model: Model) {
  const { severities: sources, equal } = model.routing.inhibit;
  const levels = byUrgency(model);
  return levels
    .filter((level) => sources.includes(level))
    .flatMap((level) => {
      const lower = levels.slice(levels.indexOf(level) + 1);
      if (lower.length === 0) return [];
      return [
        {
          source_matchers: [`severity="${level}"`],
          target_matchers: [lower.length === 1 ? `severity="${lower[0]}"` : `severity=~"${lower.join("|")}"`],
          equal: [...equal],
        },
      ];
    });
}

/**
 * alertmanager.yml as data: each severity routed to the receiver the runbook's response time calls for, the
 * root route to the unrouted receiver (which pages no one: alerts/route), and the inhibition rules.
 */
export function alertmanagerConfig(model: Model): Record<string, unknown> {
  const policies = model.severities;
  const { unrouted } = model.routing;
  const receivers = [
    ...new Map([
      ...policies.map((p): [string, Record<string, unknown>] => [p.receiver, receiver(p)]),
      // A policy's receiver of the same name wins: alerts/route reports it when it pages.
      ...(policies.some((p) => p.receiver === unrouted.receiver)
        ? []
        : [
            [
              unrouted.receiver,
              receiver({ receiver: unrouted.receiver, channels: unrouted.channels }),
            ] as const,
          ]),
    ]).values(),
  ];
  const inhibit = inhibitRules(model);
  return {
    route: {
      receiver: unrouted.receiver,
      group_by: ["alertname", "job", "severity"],
      group_wait: unrouted.groupWait,
      group_interval: unrouted.groupInterval,
      repeat_interval: unrouted.repeatInterval,
      routes: policies.map((p) => ({
        receiver: p.receiver,
        matchers: [`severity="${p.severity}"`],
        group_wait: p.groupWait,
        group_interval: p.groupInterval,
        repeat_interval: p.repeatInterval,
      })),
    },
    ...(inhibit.length ? { inhibit_rules: inhibit } : {}),
    receivers,
  };
}

/** Routes each severity to the receiver the runbook's response time calls for. */
export function renderAlertmanager(model: Model): Artifact {
  return yamlArtifact(
    {
      path: "alertmanager/alertmanager.yml",
      schema: "alertmanager-config",
      subject: "alertmanager.yml",
      source: { file: "src/alerts/severities.ts", line: 1 },
    },
    alertmanagerConfig(model),
    "src/alerts/severities.ts",
  );
}
