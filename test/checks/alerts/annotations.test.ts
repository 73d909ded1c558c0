import { alertAnnotations } from "../../../src/engine/check/checks/alerts/annotations.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const subject = "alert PhoenixHigh5xxErrorRate";
const variant = (changes: Parameters<typeof variantAlert>[0]) => compile(projectWith([variantAlert(changes)])).model;

const bad: BadModel[] = [
  {
    name: "a misspelt template function in the description",
    model: () => variant({ description: "{{ $value | humanizePercentag }} of requests failed." }),
    message: 'annotation description template, at character 13: unknown function "humanizePercentag" (did you mean humanizePercentage?)',
  },
  {
    name: "a summary that is a template",
    model: () => variant({ summary: "{{ $labels.job }} answers more than 5% of requests with a 5xx error." }),
    message: "the summary is a template",
  },
  { name: "a blank summary", model: () => variant({ summary: "   " }), message: "annotation summary is empty" },
  { name: "an empty description", model: () => variant({ description: "" }), message: "annotation description is empty" },
  {
    name: "an unclosed action in an extra label",
    model: () => variant({ labels: { instance_hint: "{{ $labels.instance " } }),
    message: 'label instance_hint template, at character 1: unclosed action: "{{" has no matching "}}"',
  },
  {
    name: "a model that lost its runbook_url",
    model: (): Model => ({
      ...base,
      alerts: base.alerts.map((a) => (a.name === "PhoenixHigh5xxErrorRate" ? { ...a, annotations: { ...a.annotations, runbook_url: "" } } : a)),
    }),
    message: "annotation runbook_url is empty",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  { name: "a description with labels and a humanized value", model: () => variant({ description: "{{ $labels.instance }} on {{ $labels.job }}: {{ $value | humanizePercentage }} of requests failed." }) },
  { name: "a fixed-text extra label", model: () => variant({ labels: { page: "true" } }) },
  { name: "a description with a conditional", model: () => variant({ description: "{{ if gt $value 0.5 }}Most{{ else }}Some{{ end }} requests to {{ $labels.job }} fail." }) },
];

describeModelCheck("alerts/annotations", alertAnnotations, { severity: "error", match: "message", expect: { subject }, bad, good });
