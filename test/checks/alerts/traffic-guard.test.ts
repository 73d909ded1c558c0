import { alertTrafficGuard } from "../../../src/engine/check/checks/alerts/traffic-guard.ts";
import { above, atLeast } from "../../../src/engine/define/alerting.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const ratio = above(0.05, "ratio");
const minRequests = atLeast(100, "count");
const errors = 'phoenix_http_request_total{status=~"5.."}';
const requests = "phoenix_http_request_total";
const inlineRatio = `sum by (job) (rate(${errors}[5m])) / sum by (job) (rate(${requests}[5m]))`;
const guard = `and on (job) sum by (job) (increase(${requests}[5m])) ${minRequests}`;
const subject = "alert PhoenixHigh5xxErrorRate";

/** The real project with the 5xx alert written otherwise. */
const modelWith = (changes: Parameters<typeof variantAlert>[0]) =>
  compile(projectWith([variantAlert({ trafficGuard: undefined, ...changes })])).model;

const bad: BadModel[] = [
  {
    name: "a ratio of rates written inline, without a guard",
    model: () => modelWith({ expr: `${inlineRatio} ${ratio}` }),
    message: "it alerts on a ratio of events (sum by (job) (rate(",
    subject,
    fix: "trafficGuard",
  },
  {
    name: "a recording rule that is a ratio of rates, without a guard",
    model: () => modelWith({ expr: `job:phoenix_http_requests_5xx:ratio_rate5m ${ratio}` }),
    message:
      "it alerts on a ratio of events (job:phoenix_http_requests_5xx:ratio_rate5m) with no minimum-traffic guard",
    subject,
  },
  {
    name: "a guard that reads no traffic (the target is up)",
    model: () => modelWith({ expr: `${inlineRatio} ${ratio} and on (job) up >= 1` }),
    message: "with no minimum-traffic guard",
    subject,
  },
  {
    name: "a declared guard missing from the expression",
    model: () => modelWith({ expr: `${inlineRatio} ${ratio}`, trafficGuard: minRequests }),
    message: "the declared traffic guard `>= 100` is not in the expression",
    subject,
    fix: "and on (...)",
  },
  {
    name: "a declared guard other than the one written",
    model: () => modelWith({ expr: `${inlineRatio} ${ratio} ${guard}`, trafficGuard: atLeast(50, "count") }),
    message: "the declared traffic guard `>= 50` is not in the expression",
    subject,
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => realModel() },
  {
    name: "an inline ratio with its declared guard",
    model: () => modelWith({ expr: `${inlineRatio} ${ratio} ${guard}`, trafficGuard: minRequests }),
  },
  {
    name: "a guard on a recording rule of the request rate, not declared",
    model: () =>
      modelWith({ expr: `${inlineRatio} ${ratio} and on (job) job:phoenix_http_requests:rate5m > 0.3` }),
  },
  {
    name: "a ratio of gauges (memory over its limit)",
    model: () =>
      modelWith({
        expr: `vm_memory_total_bytes / on (job, instance) global_sovereign_memory_limit_bytes ${above(0.8, "ratio")}`,
      }),
  },
  {
    name: "a rate that is not divided",
    model: () => modelWith({ expr: `sum by (job) (rate(${errors}[5m])) > 1` }),
  },
];

describeModelCheck("alerts/traffic-guard", alertTrafficGuard, {
  severity: "error",
  match: "message",
  bad,
  good,
});
