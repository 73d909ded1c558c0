import type { ReceiverChannel, SeverityPolicy } from "../define/alerting.ts";
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

function receiver(policy: SeverityPolicy) {
  const merged: Record<string, unknown> = { name: policy.receiver };
  for (const channel of policy.channels) {
    for (const [key, value] of Object.entries(channelConfig(channel))) {
      merged[key] = [...((merged[key] as unknown[]) ?? []), ...value];
    }
  }
  return merged;
}

/** Routes each severity to the receiver the runbook's response time calls for. */
export function renderAlertmanager(model: Model): Artifact {
  const policies = model.severities;
  const fallback = policies[0];
  const receivers = [...new Map(policies.map((p) => [p.receiver, receiver(p)])).values()];
  return yamlArtifact(
    {
      path: "alertmanager/alertmanager.yml",
      schema: "alertmanager-config",
      subject: "alertmanager.yml",
      source: { file: "src/alerts/severities.ts", line: 1 },
    },
    {
      route: {
        // An alert without a known severity is a bug in the rules: page rather than lose it.
        receiver: fallback?.receiver ?? "default",
        group_by: ["alertname", "job", "severity"],
        group_wait: fallback?.groupWait,
        group_interval: fallback?.groupInterval,
        repeat_interval: fallback?.repeatInterval,
        routes: policies.map((p) => ({
          receiver: p.receiver,
          matchers: [`severity="${p.severity}"`],
          group_wait: p.groupWait,
          group_interval: p.groupInterval,
          repeat_interval: p.repeatInterval,
        })),
      },
      receivers,
    },
    "src/alerts/severities.ts",
  );
}
