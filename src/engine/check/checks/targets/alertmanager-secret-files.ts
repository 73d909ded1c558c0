/**
 * On Kubernetes, Alertmanager reads a receiver's credential (PagerDuty routing key, Slack webhook URL) only from
 * where the Prometheus Operator mounts it: each Secret named in `alertmanagerSpec.secrets` is a folder
 * `/etc/alertmanager/secrets/<secret>/`, one file per key. Any other path exists in no pod: the configuration
 * loads, and every notification of that receiver fails when it is sent.
 */
import { severityPolicySource, type ReceiverChannel } from "../../../define/alerting.ts";
import type { Finding, ModelCheck } from "../../check.ts";

const mountRoot = "/etc/alertmanager/secrets";
/** A Secret's name (a DNS-1123 subdomain) and one of its keys. */
const secretName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const secretKey = /^[-._a-zA-Z0-9]+$/;

/** Why the operator cannot mount a file at `path`, or undefined when it can. */
export function unmountable(path: string): string | undefined {
  if (!path.startsWith(`${mountRoot}/`)) return `it is not under ${mountRoot}/`;
  const parts = path.slice(mountRoot.length + 1).split("/");
  if (parts.length !== 2) return `it is not ${mountRoot}/<secret>/<key>`;
  const [name, key] = parts as [string, string];
  if (name.length > 253 || !secretName.test(name)) return `"${name}" is not a Secret name`;
  if (key.length > 253 || !secretKey.test(key) || key === "." || key === "..")
    return `"${key}" is not a Secret key`;
  return undefined;
}

const fileOf = (channel: ReceiverChannel) =>
  channel.kind === "pagerduty"
    ? { field: "routingKeyFile", path: channel.routingKeyFile }
    : { field: "webhookUrlFile", path: channel.webhookUrlFile };

export const alertmanagerSecretFiles: ModelCheck = {
  id: "targets/alertmanager-secret-files",
  kind: "correctness",
  scope: "model",
  severity: "error",
  summary:
    "With the Kubernetes output, a receiver's credential file that the Prometheus Operator cannot mount: its notifications would fail.",
  check(model) {
    if (!model.settings.outputs?.kubernetes) return [];
    const receivers = [
      ...model.severities.map((policy) => ({
        receiver: policy.receiver,
        channels: policy.channels,
        subject: `severity ${policy.severity}`,
        source: severityPolicySource(policy) ?? { file: "src/alerts/severities.ts", line: 1 },
      })),
      {
        receiver: model.routing.unrouted.receiver,
        channels: model.routing.unrouted.channels,
        subject: "alert routing",
        source: model.routing.source,
      },
    ];
    return receivers.flatMap(({ receiver, channels, subject, source }) =>
      channels.flatMap((channel): Finding[] => {
        const { field, path } = fileOf(channel);
        const why = unmountable(path);
        if (!why) return [];
        return [
          {
            subject,
            source,
            message: `receiver ${receiver}: ${field} "${path}" is a file the Prometheus Operator never mounts (${why}), so on Kubernetes its ${channel.kind} notifications fail`,
            fix: `write it as ${mountRoot}/<secret>/<key> (for example ${mountRoot}/alertmanager-receivers/${path.split("/").pop() || "credential"}) and list the Secret in alertmanagerSpec.secrets.`,
          },
        ];
      }),
    );
  },
};
