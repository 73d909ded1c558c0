import { expect, it } from "vitest";
import { alertAnnotations, annotationsCheck } from "../../../src/engine/check/checks/alerts/annotations.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const subject = "alert PhoenixHigh5xxErrorRate";
const variant = (changes: Parameters<typeof variantAlert>[0]) =>
  compile(projectWith([variantAlert(changes)])).model;

const bad: BadModel[] = [
  {
    name: "a summary that is a template",
    model: () => variant({ summary: "{{ $labels.job }} answers more than 5% of requests with a 5xx error." }),
    message: "the summary is a template",
  },
  {
    name: "a blank summary",
    model: () => variant({ summary: "   " }),
    message: "annotation summary is empty",
  },
  {
    name: "an empty description",
    model: () => variant({ description: "" }),
    message: "annotation description is empty",
  },
  {
    name: "a model whose alert has no runbook_url at all (a rule file's)",
    model: (): Model => ({
      ...base,
      alerts: base.alerts.map((a) =>
        a.name === "PhoenixHigh5xxErrorRate"
          ? {
              ...a,
              annotations: { summary: a.annotations.summary!, description: a.annotations.description! },
            }
          : a,
      ),
    }),
    message: "the alert has no runbook_url annotation",
  },
  {
    name: "a model that lost its runbook_url",
    model: (): Model => ({
      ...base,
      alerts: base.alerts.map((a) =>
        a.name === "PhoenixHigh5xxErrorRate"
          ? { ...a, annotations: { ...a.annotations, runbook_url: "" } }
          : a,
      ),
    }),
    message: "annotation runbook_url is empty",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a description with labels and a humanized value",
    model: () =>
      variant({
        description:
          "{{ $labels.instance }} on {{ $labels.job }}: {{ $value | humanizePercentage }} of requests failed.",
      }),
  },
  { name: "a fixed-text extra label", model: () => variant({ labels: { page: "true" } }) },
  {
    name: "a description with a conditional",
    model: () =>
      variant({
        description: "{{ if gt $value 0.5 }}Most{{ else }}Some{{ end }} requests to {{ $labels.job }} fail.",
      }),
  },
];

describeModelCheck(
  "alerts/annotations",
  alertAnnotations,
  { severity: "error", match: "message", expect: { subject }, bad, good },
  () => {
    // A template that does not parse is alerts/template's finding, on any rule file; this one is about what a team requires.
    it("leaves templates that do not parse to alerts/template", () => {
      expect(
        alertAnnotations.check(
          variant({ description: "{{ $value | humanizePercentag }} of requests failed." }),
          undefined as never,
        ),
      ).toEqual([]);
    });

    it("requires what a team configures, and lets its summary vary when it says so", () => {
      const team = annotationsCheck({ required: ["summary", "playbook"], fixedSummary: false });
      const model = variant({
        summary: "{{ $labels.job }} answers more than 5% of requests with a 5xx error.",
      });
      const found = team.check(model, undefined as never).filter((f) => f.subject === subject);
      expect(found.map((f) => f.message)).toEqual(["the alert has no playbook annotation"]);
    });
  },
);
