import { uniqueAlertName } from "../../../src/engine/check/checks/alerts/unique-name.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const [phoenix, ecto] = base.alerts;
const thisFile = "test/checks/alerts/unique-name.test.ts";

const bad: BadModel[] = [
  {
    name: "two definitions of one alert in one group",
    model: () => compile(projectWith([variantAlert({}), variantAlert({ summary: "Again." })])).model,
    message: `alert name PhoenixHigh5xxErrorRate is already used at ${thisFile}:`,
    subject: "alert PhoenixHigh5xxErrorRate",
    times: 1,
  },
  {
    name: "a name reused by an alert in another group",
    model: (): Model => ({ ...base, alerts: [...base.alerts, { ...ecto!, name: phoenix!.name, group: "ecto-alerts" }] }),
    message: "alert name PhoenixHigh5xxErrorRate is already used at src/alerts/phoenix.ts:",
    subject: "alert PhoenixHigh5xxErrorRate",
    times: 1,
  },
  {
    name: "three alerts with one name (each repeat reported against the first)",
    model: (): Model => ({ ...base, alerts: [phoenix!, { ...ecto!, name: phoenix!.name }, { ...ecto!, name: phoenix!.name }] }),
    message: "alert name PhoenixHigh5xxErrorRate is already used at src/alerts/phoenix.ts:12",
    subject: "alert PhoenixHigh5xxErrorRate",
    times: 2,
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "two variants with different names",
    model: () => compile(projectWith([variantAlert({}), variantAlert({ name: "PhoenixHigh5xxErrorRateSustained" })])).model,
  },
  {
    name: "an alert renamed rather than copied",
    model: (): Model => ({ ...base, alerts: base.alerts.map((a) => (a === phoenix ? { ...a, name: "PhoenixServerErrors" } : a)) }),
  },
];

// Exactly `times` findings, each of them as described.
describeModelCheck("alerts/unique-name", uniqueAlertName, { severity: "error", match: "exactly", bad, good });
