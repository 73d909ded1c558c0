import { alertTemplate } from "../../../src/engine/check/checks/alerts/template.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const subject = "alert PhoenixHigh5xxErrorRate";
const variant = (changes: Parameters<typeof variantAlert>[0]) =>
  compile(projectWith([variantAlert(changes)])).model;

const bad: BadModel[] = [
  {
    name: "a misspelt template function in the description",
    model: () => variant({ description: "{{ $value | humanizePercentag }} of requests failed." }),
    message:
      'annotation description template, at character 13: unknown function "humanizePercentag" (did you mean humanizePercentage?)',
  },
  {
    name: "an unclosed action in an extra label",
    model: () => variant({ labels: { instance_hint: "{{ $labels.instance " } }),
    message: 'label instance_hint template, at character 1: unclosed action: "{{" has no matching "}}"',
  },
  {
    name: "a template in the summary that does not parse",
    model: () => variant({ summary: "{{ $labels.job }" }),
    message: "annotation summary template, at character 1:",
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
  // House style, not a defect: alerts/annotations' business where a team wants it.
  {
    name: "a summary that is a template",
    model: () => variant({ summary: "{{ $labels.job }} answers more than 5% of requests with a 5xx error." }),
  },
];

describeModelCheck("alerts/template", alertTemplate, {
  severity: "error",
  match: "message",
  expect: { subject, fix: "Prometheus rejects the whole rule file" },
  bad,
  good,
});
