import { describe, expect, it } from "vitest";
import {
  alertmanagerSecretFiles,
  unmountable,
} from "../../../src/engine/check/checks/targets/alertmanager-secret-files.ts";
import {
  keepPolicySource,
  type ReceiverChannel,
  type SeverityPolicy,
} from "../../../src/engine/define/alerting.ts";
import type { Model } from "../../../src/engine/model.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const policySource = { file: "src/fixture/severities.ts", line: 12 };
const routingSource = { file: "src/fixture/routing.ts", line: 30 };
const kubernetes = base.settings.outputs!.kubernetes!;

const pagerduty = (routingKeyFile: string): ReceiverChannel => ({ kind: "pagerduty", routingKeyFile });
const slack = (webhookUrlFile: string): ReceiverChannel => ({
  kind: "slack",
  channel: "#ops",
  webhookUrlFile,
});
const mounted = "/etc/alertmanager/secrets/receivers";

/** A fixture model: one severity policy and an unrouted receiver with these channels, Kubernetes output on or off. */
function fixture(
  channels: ReceiverChannel[],
  unrouted: ReceiverChannel[] = [],
  withKubernetes = true,
): Model {
  const policy: SeverityPolicy = {
    severity: "critical",
    responseTime: "Immediate",
    notifyWithin: "1m",
    action: "Page",
    receiver: "page",
    channels,
    groupWait: "10s",
    groupInterval: "1m",
    repeatInterval: "30m",
  };
  return {
    ...base,
    settings: { ...base.settings, outputs: withKubernetes ? { kubernetes } : {} },
    severities: [keepPolicySource(policy, policySource)],
    routing: {
      ...base.routing,
      source: routingSource,
      unrouted: { ...base.routing.unrouted, receiver: "nobody", channels: unrouted },
    },
  };
}

const bad: BadModel[] = [
  {
    name: "a routing key file straight under the mount root (a Secret is a folder there)",
    model: () => fixture([pagerduty("/etc/alertmanager/secrets/pagerduty-routing-key")]),
    subject: "severity critical",
    source: policySource,
    messageIs:
      'receiver page: routingKeyFile "/etc/alertmanager/secrets/pagerduty-routing-key" is a file the Prometheus Operator never mounts (it is not /etc/alertmanager/secrets/<secret>/<key>), so on Kubernetes its pagerduty notifications fail',
    fix: "write it as /etc/alertmanager/secrets/<secret>/<key> (for example /etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key) and list the Secret in alertmanagerSpec.secrets.",
  },
  {
    name: "a webhook file elsewhere on disk",
    model: () => fixture([slack("/run/secrets/slack-url")]),
    message:
      'webhookUrlFile "/run/secrets/slack-url" is a file the Prometheus Operator never mounts (it is not under /etc/alertmanager/secrets/)',
  },
  {
    name: "an unrouted receiver's file, reported at alertRouting",
    model: () => fixture([], [slack("/etc/alertmanager/secrets/Receivers/url")]),
    subject: "alert routing",
    source: routingSource,
    message:
      'receiver nobody: webhookUrlFile "/etc/alertmanager/secrets/Receivers/url" is a file the Prometheus Operator never mounts ("Receivers" is not a Secret name)',
  },
];

const good: GoodModel[] = [
  {
    name: "files in one mounted Secret",
    model: () => fixture([pagerduty(`${mounted}/key`), slack(`${mounted}/url`)]),
  },
  {
    name: "files in two Secrets",
    model: () => fixture([pagerduty("/etc/alertmanager/secrets/pd/key")], [slack(`${mounted}/url`)]),
  },
  {
    name: "any path while the Kubernetes output is off (Alertmanager from files reads it where it is mounted)",
    model: () => fixture([pagerduty("/run/secrets/pagerduty")], [], false),
  },
  { name: "the real project", model: () => base },
];

describeModelCheck("targets/alertmanager-secret-files", alertmanagerSecretFiles, {
  severity: "error",
  match: "exactly",
  bad,
  good,
});

describe("unmountable", () => {
  it.each([
    ["/etc/alertmanager/secrets/receivers/pagerduty-routing-key", undefined],
    ["/etc/alertmanager/secrets/my.secret/Key_1.txt", undefined],
    ["/etc/alertmanager/secrets/key", "it is not /etc/alertmanager/secrets/<secret>/<key>"],
    ["/etc/alertmanager/secrets/a/b/c", "it is not /etc/alertmanager/secrets/<secret>/<key>"],
    ["/etc/alertmanager/secretsx/a/b", "it is not under /etc/alertmanager/secrets/"],
    ["/etc/alertmanager/secrets/-a/key", '"-a" is not a Secret name'],
    ["/etc/alertmanager/secrets/a/..", '".." is not a Secret key'],
    ["/etc/alertmanager/secrets/a/with space", '"with space" is not a Secret key'],
    [`/etc/alertmanager/secrets/${"a".repeat(254)}/key`, `"${"a".repeat(254)}" is not a Secret name`],
  ])("%s", (path, why) => {
    expect(unmountable(path)).toBe(why);
  });
});
