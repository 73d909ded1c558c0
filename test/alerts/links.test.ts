import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { thresholds } from "../../src/alerts/thresholds.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { parseRunbook, slugify } from "../../src/engine/runbook.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { project } from "../../src/project.ts";

const result = compile(project);
const runbookText = readFileSync(path.join(projectRoot, "RUNBOOK.md"), "utf8");
const runbook = parseRunbook("RUNBOOK.md", runbookText);

describe("alert links", () => {
  it("RUNBOOK.md's alert table is fresh: run `npm run build` and commit RUNBOOK.md", () => {
    expect(result.runbook.content).toBe(runbookText);
  });

  it("the table lists every alert with its threshold (and traffic guard), for, severity and panel", () => {
    const table = runbookText.slice(
      runbookText.indexOf("| Alert |"),
      runbookText.indexOf("<!-- o11y:alert-table:end"),
    );
    expect(table).toContain(
      "| [PhoenixHigh5xxErrorRate](#alert-high-5xx-error-rate) | The API answers more than 5% of requests with a 5xx error. | `> 5%` over `>= 100` events | 5m | critical |",
    );
    expect(table).toContain("| [EctoQueryLatencyHigh](#alert-database-query-latency--500ms) |");
    expect(table).toContain("`> 500 ms` | 5m | high |");
    expect(table.trim().split("\n")).toHaveLength(2 + result.model.alerts.length);
  });

  it.each(result.model.alerts.map((a) => [a.name, a]))(
    "%s links to its own playbook section",
    (_name, alert) => {
      const section = runbook.sections.find((s) => s.anchor === alert.runbook.anchor);
      expect(section?.heading).toBe(alert.runbook.heading);
      expect(alert.annotations.runbook_url).toBe(
        `${project.settings.runbookUrl}#${slugify(alert.runbook.heading)}`,
      );
      // The playbook has steps, not just a heading.
      const body = runbookText
        .split("\n")
        .slice(section!.line, section!.line + 12)
        .join("\n");
      expect(body).toMatch(/\*\*Trigger\*\*/);
    },
  );

  it.each(result.model.alerts.map((a) => [a.name, a]))(
    "%s opens the panel that draws its threshold",
    (_name, alert) => {
      expect(alert.annotations.dashboard_url).toBe(
        `${project.settings.grafana.baseUrl}/d/${alert.dashboard.uid}?viewPanel=${alert.dashboard.panelId}`,
      );
      const dashboard = result.model.dashboards.find((d) => d.uid === alert.dashboard.uid)!;
      const json = (
        dashboard.json.panels as Array<{
          id: number;
          fieldConfig?: { defaults?: { thresholds?: { steps: Array<{ value: number | null }> } } };
        }>
      ).find((p) => p.id === alert.dashboard.panelId)!;
      expect(json.fieldConfig!.defaults!.thresholds!.steps.map((s) => s.value)).toContain(
        alert.threshold.value,
      );
    },
  );

  it("takes each alert's threshold from the one constant the dashboards draw", () => {
    const byName = new Map(result.model.alerts.map((a) => [a.name, a.threshold.value]));
    expect(byName.get("PhoenixHigh5xxErrorRate")).toBe(thresholds.phoenix5xxRatio.value);
    expect(byName.get("NatsConsumerLagHigh")).toBe(thresholds.natsPendingMessages.value);
    expect(byName.get("EctoQueryLatencyHigh")).toBe(thresholds.ectoQueryP95Seconds.value);
  });

  it("gives every alert severity, service and team labels, and the four annotations", () => {
    for (const alert of result.model.alerts) {
      expect(Object.keys(alert.labels).sort()).toEqual(
        expect.arrayContaining(["service", "severity", "team"]),
      );
      expect(Object.keys(alert.annotations).sort()).toEqual([
        "dashboard_url",
        "description",
        "runbook_url",
        "summary",
      ]);
      expect(alert.annotations.description).toMatch(/\{\{ \$(value|labels)/);
    }
  });

  // More may come ("Adding an alert" in the README); these seven must stay, as the runbook sets them.
  it("covers the runbook's seven alerts with its severities", () => {
    expect(
      result.model.alerts.map((a) => [a.name, a.severity, a.for, `${a.threshold.op} ${a.threshold.value}`]),
    ).toEqual(
      expect.arrayContaining([
        ["PhoenixHigh5xxErrorRate", "critical", "5m", "> 0.05"],
        ["EctoQueryLatencyHigh", "high", "5m", "> 0.5"],
        ["NatsConsumerLagHigh", "high", "5m", "> 1000"],
        ["CovenantFundDrop", "high", "5m", "> 0.1"],
        ["ProjectCreationFailingInRegions", "medium", "10m", ">= 3"],
        ["BeamMemoryHigh", "medium", "10m", "> 0.8"],
        ["MetricsEndpointDown", "low", "5m", "< 1"],
      ]),
    );
  });
});

describe("alertmanager.yml", () => {
  const config = result.artifacts.find((a) => a.path === "alertmanager/alertmanager.yml")!.content;

  it("holds no secret, only *_file paths", () => {
    expect(config).toContain(
      "routing_key_file: /etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key",
    );
    expect(config).toContain(
      "api_url_file: /etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url",
    );
    expect(config).not.toMatch(/^\s*(routing_key|service_key|api_url|url):/m);
    expect(config).not.toMatch(/hooks\.slack\.com|https:\/\/events\.pagerduty/);
  });

  it("times each severity to its response time", () => {
    expect(config).toMatch(
      /- receiver: oncall-page\n\s+matchers:\n\s+- severity="critical"\n\s+group_wait: 10s/,
    );
    expect(config).toMatch(/- receiver: team-backlog\n\s+matchers:\n\s+- severity="low"\n\s+group_wait: 15m/);
  });
});
