import { expect, it } from "vitest";
import { alertSeverity, severityCheck } from "../../../src/engine/check/checks/alerts/severity.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();

const bad: BadModel[] = [
  {
    name: "a severity outside the runbook's four levels",
    model: () => compile(projectWith([variantAlert({ severity: "urgent" as "high" })])).model,
    message: 'severity "urgent" is not one of the runbook\'s levels',
    subject: "alert PhoenixHigh5xxErrorRate",
  },
  {
    name: "a level spelt with a capital letter",
    model: () => compile(projectWith([variantAlert({ severity: "Critical" as "critical" })])).model,
    message: 'severity "Critical" is not one of the runbook\'s levels',
    subject: "alert PhoenixHigh5xxErrorRate",
  },
  {
    name: "a level with no routing policy in src/alerts/severities.ts",
    model: (): Model => ({ ...base, severities: base.severities.filter((p) => p.severity !== "critical") }),
    message: 'no routing policy for severity "critical"',
    subject: "alert PhoenixHigh5xxErrorRate",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "an alert moved to another routed level",
    model: () => compile(projectWith([variantAlert({ severity: "medium" })])).model,
  },
  {
    name: "policies listed in another order",
    model: (): Model => ({ ...base, severities: [...base.severities].reverse() }),
  },
];

describeModelCheck(
  "alerts/severity",
  alertSeverity,
  { severity: "error", match: "message", bad, good },
  () => {
    it("holds alerts to a team's own levels when configured, without asking for our routing policies", () => {
      const team = severityCheck(["critical", "warning", "info"]);
      const model = (severity: string): Model => ({
        ...base,
        severities: [],
        alerts: base.alerts.map((a) => ({ ...a, severity })),
      });
      expect(team.check(model("warning"), undefined as never)).toEqual([]);
      const found = team.check(model("high"), undefined as never);
      expect(found).toHaveLength(base.alerts.length);
      expect([found[0]!.message, found[0]!.fix]).toEqual([
        'severity "high" is not one of the configured levels',
        "use one of: critical, warning, info.",
      ]);
      expect(team.check(model(""), undefined as never)[0]!.message).toBe(
        "the alert has no severity label, so it routes by none of the configured levels",
      );
    });

    it("keeps severity, service and team from their own fields, which labels cannot override", () => {
      // @ts-expect-error labels may not carry the routing labels: the type rejects it at compile time.
      const alert = variantAlert({ severity: "critical", labels: { severity: "low" } });
      const model = compile(projectWith([alert])).model;
      expect(model.alerts.find((a) => a.name === "PhoenixHigh5xxErrorRate")!.labels.severity).toBe(
        "critical",
      );
    });
  },
);
