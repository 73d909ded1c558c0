/**
 * The Prometheus, promtool and Alertmanager schemas: they accept what the renderers produce for the real
 * project, and each rejects a typical mistake with a pointer to it and advice on the fix. The artifacts are
 * rendered directly (not through compile()) so that these tests do not depend on the checks.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { compileModel } from "../../src/engine/compile/compile.ts";
import { locationAt, type Artifact } from "../../src/engine/render/artifact.ts";
import { renderAlertmanager } from "../../src/engine/render/alertmanager.ts";
import { renderPrometheus } from "../../src/engine/render/prometheus.ts";
import { validateArtifacts } from "../../src/engine/validate/schemas.ts";
import { project } from "../../src/project.ts";

const model = compileModel(project);
const artifacts = [...renderPrometheus(model), renderAlertmanager(model)];
const schemas = ["prometheus-rules", "promtool-tests", "prometheus-config", "alertmanager-config"] as const;

function find(schema: string, pathPart = ""): Artifact {
  const found = artifacts.find((a) => a.schema === schema && a.path.includes(pathPart));
  if (!found)
    throw new Error(
      `no ${schema} artifact with ${pathPart} in its path: ${artifacts.map((a) => a.path).join(", ")}`,
    );
  return found;
}

const alertRules = find("prometheus-rules", "/alerts/");
const recordingRules = find("prometheus-rules", "/recording/");
const alertTests = find("promtool-tests", "/alerts/");
const prometheusYml = find("prometheus-config");
const alertmanagerYml = find("alertmanager-config");

// Mutations work on the parsed YAML; indexes are looked up so the table survives content changes.
type Json = Record<string, any>;
const parsed = (artifact: Artifact): Json => parseYaml(artifact.content) as Json;
const pagerdutyReceiver = (parsed(alertmanagerYml).receivers as Json[]).findIndex((r) => r.pagerduty_configs);
const slackReceiver = (parsed(alertmanagerYml).receivers as Json[]).findIndex((r) => r.slack_configs);
const secret = "R0UT1NGK3Y0123456789abcdefSECRET";

interface Case {
  name: string;
  artifact: Artifact;
  mutate: (doc: Json) => void;
  /** The start of the expected diagnostic's message: the pointer, then what is wrong. */
  message: string;
  /** Words the diagnostic's fix must contain: the schema's advice, not a generic hint. */
  fix: string;
  /** How many diagnostics the mutation yields; 1 unless the mistake breaks several rules. */
  count?: number;
}

const cases: Case[] = [
  {
    name: "an alert without severity",
    artifact: alertRules,
    mutate: (d) => delete d.groups[0].rules[0].labels.severity,
    message: "/groups/0/rules/0/labels/severity: is missing (required)",
    fix: "critical, high, medium or low",
  },
  {
    name: "an alert with severity urgent",
    artifact: alertRules,
    mutate: (d) => (d.groups[0].rules[0].labels.severity = "urgent"),
    message:
      '/groups/0/rules/0/labels/severity: must be one of "critical", "high", "medium", "low" (got "urgent")',
    fix: "critical, high, medium or low",
  },
  {
    name: "an alert whose for is not a duration",
    artifact: alertRules,
    mutate: (d) => (d.groups[0].rules[0].for = "5 minutes"),
    message: "/groups/0/rules/0/for: must match pattern",
    fix: 'not "5 minutes"',
  },
  {
    name: "an alert without runbook_url",
    artifact: alertRules,
    mutate: (d) => delete d.groups[0].rules[0].annotations.runbook_url,
    message: "/groups/0/rules/0/annotations/runbook_url: is missing (required)",
    fix: "RUNBOOK.md",
  },
  {
    name: "a misspelt alert key",
    artifact: alertRules,
    mutate: (d) => (d.groups[0].rules[0].annotation = d.groups[0].rules[0].annotations),
    message: "/groups/0/rules/0/annotation: is not an allowed property",
    fix: "remove `annotation`",
  },
  {
    name: "a recording rule without colons",
    artifact: recordingRules,
    mutate: (d) => (d.groups[0].rules[0].record = "phoenix_ratio"),
    message: "/groups/0/rules/0/record: must match pattern",
    fix: "level:metric:operations",
  },
  {
    name: "an empty rule group",
    artifact: recordingRules,
    mutate: (d) => (d.groups[0].rules = []),
    message: "/groups/0/rules: must NOT have fewer than 1 items",
    fix: "at least one rule",
  },
  {
    name: "a promtool test that checks nothing",
    artifact: alertTests,
    mutate: (d) => {
      delete d.tests[0].alert_rule_test;
      delete d.tests[0].promql_expr_test;
    },
    message: "/tests/0/promql_expr_test: is missing (required)",
    fix: "alert_rule_test",
  },
  {
    name: "a promtool input series in a made-up notation",
    artifact: alertTests,
    mutate: (d) => (d.tests[0].input_series[0].values = "0 to 100 over 20m"),
    message: "/tests/0/input_series/0/values: must match pattern",
    fix: "expanding notation",
  },
  {
    name: "a scrape target without port",
    artifact: prometheusYml,
    mutate: (d) => (d.scrape_configs[0].static_configs[0].targets[0] = "global-sovereign"),
    message: '/scrape_configs/0/static_configs/0/targets/0: must match pattern "',
    fix: "the port (1 to 65535) is required",
  },
  {
    name: "a scrape target with a scheme",
    artifact: prometheusYml,
    mutate: (d) => (d.scrape_configs[0].static_configs[0].targets[0] = "http://global-sovereign:4000"),
    message: "/scrape_configs/0/static_configs/0/targets/0: must match pattern",
    fix: "without scheme or path",
  },
  {
    name: "a bad evaluation_interval",
    artifact: prometheusYml,
    mutate: (d) => (d.global.evaluation_interval = "30"),
    message: "/global/evaluation_interval: must match pattern",
    fix: "evaluationInterval",
  },
  {
    name: "a route matcher with an unquoted value",
    artifact: alertmanagerYml,
    mutate: (d) => (d.route.routes[0].matchers[0] = "severity=critical"),
    message: "/route/routes/0/matchers/0: must match pattern",
    fix: "double-quoted value",
  },
  {
    name: "a receiver that notifies nobody",
    artifact: alertmanagerYml,
    mutate: (d) => {
      delete d.receivers[0].pagerduty_configs;
      delete d.receivers[0].slack_configs;
    },
    message: "/receivers/0/slack_configs: is missing (required)",
    fix: "at least one channel",
  },
];

/** Inline secrets: several rules break at once (closed object, missing *_file); one diagnostic says how to fix it. */
const secretCases: Case[] = [
  {
    name: "an inline PagerDuty routing_key",
    artifact: alertmanagerYml,
    mutate: (d) => {
      const config = d.receivers[pagerdutyReceiver].pagerduty_configs[0];
      delete config.routing_key_file;
      config.routing_key = secret;
    },
    message: `/receivers/${pagerdutyReceiver}/pagerduty_configs/0: must NOT be valid`,
    fix: "use routing_key_file",
    count: 3,
  },
  {
    name: "an inline PagerDuty service_key next to routing_key_file",
    artifact: alertmanagerYml,
    mutate: (d) => (d.receivers[pagerdutyReceiver].pagerduty_configs[0].service_key = secret),
    message: `/receivers/${pagerdutyReceiver}/pagerduty_configs/0: must NOT be valid`,
    fix: "use routing_key_file",
    count: 2,
  },
  {
    name: "an inline Slack api_url",
    artifact: alertmanagerYml,
    mutate: (d) => {
      const config = d.receivers[slackReceiver].slack_configs[0];
      delete config.api_url_file;
      config.api_url = `https://hooks.slack.com/services/${secret}`;
    },
    message: `/receivers/${slackReceiver}/slack_configs/0: must NOT be valid`,
    fix: "use api_url_file",
    count: 3,
  },
];

function mutated(c: Case): Artifact {
  const document = parsed(c.artifact);
  c.mutate(document);
  return { ...c.artifact, content: stringifyYaml(document, { lineWidth: 0 }) };
}

describe("Prometheus and Alertmanager schemas", () => {
  it.each(schemas.map((schema) => [schema] as const))("%s accepts every rendered artifact", (schema) => {
    const rendered = artifacts.filter((a) => a.schema === schema);
    expect(rendered.length).toBeGreaterThan(0);
    expect(validateArtifacts(rendered)).toEqual([]);
  });

  it.each([...cases, ...secretCases].map((c) => [c.name, c] as const))("reports %s", (_name, c) => {
    const diagnostics = validateArtifacts([mutated(c)]);
    expect(diagnostics, JSON.stringify(diagnostics, null, 2)).toHaveLength(c.count ?? 1);
    for (const d of diagnostics) {
      expect(d.check).toBe(`schema/${c.artifact.schema}`);
      expect(d.severity).toBe("error");
      // A problem inside one rule names that alert or recording rule, and where it was defined.
      const pointer = d.message.slice(0, d.message.indexOf(":"));
      const owner = locationAt(c.artifact, pointer) ?? c.artifact;
      if (c.artifact.schema === "prometheus-rules" && pointer.startsWith("/groups/0/rules/")) {
        expect(owner.subject).toMatch(/^(alert [A-Za-z0-9]+|recording rule [a-z_:0-9]+)$/);
        expect(owner.source.file).toMatch(/^src\/(alerts|recording-rules)\/[a-z-]+\.ts$/);
      }
      expect(d.subject).toBe(owner.subject);
      expect(d.source).toEqual(owner.source);
      expect(d.fix).toBeTruthy();
    }
    const match = diagnostics.find((d) => d.message.startsWith(c.message));
    expect(match, JSON.stringify(diagnostics, null, 2)).toBeDefined();
    expect(match!.fix).toContain(c.fix);
  });

  it.each(secretCases.map((c) => [c.name, c] as const))(
    "never quotes the secret when reporting %s",
    (_name, c) => {
      const diagnostics = validateArtifacts([mutated(c)]);
      expect(diagnostics.length).toBeGreaterThan(0);
      for (const d of diagnostics) expect(JSON.stringify(d)).not.toContain(secret);
    },
  );

  it("tells a rule with both alert and record that it is an alert with a stray key", () => {
    const document = parsed(alertRules);
    document.groups[0].rules[0].record = "job:phoenix_http_requests:rate5m";
    const diagnostics = validateArtifacts([{ ...alertRules, content: stringifyYaml(document) }]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "/groups/0/rules/0/record: is not an allowed property here",
    ]);
  });
});
