import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { uniqueAlertName } from "../../../src/engine/check/checks/alerts/unique-name.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { lineOf } from "../../helpers/project.ts";

const base = realModel();
const thisFile = "test/checks/alerts/unique-name.test.ts";
// Our own two alerts, each defined on a line of this file, so the locations asserted below are ours.
const fixtures = compile(
  projectWith([
    variantAlert({}), // first fixture
    variantAlert({ name: "SecondFixtureAlert" }),
  ]),
).model;
const first = fixtures.alerts.find(
  (a) => a.source.file === thisFile && a.name === "PhoenixHigh5xxErrorRate",
)!;
const second = fixtures.alerts.find((a) => a.name === "SecondFixtureAlert")!;
const firstLine = lineOf(readFileSync(fileURLToPath(import.meta.url), "utf8"), "// first fixture");

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
    model: (): Model => ({
      ...base,
      alerts: [first, { ...second, name: first.name, group: "other-alerts" }],
    }),
    message: `alert name PhoenixHigh5xxErrorRate is already used at ${thisFile}:${firstLine}`,
    subject: "alert PhoenixHigh5xxErrorRate",
    times: 1,
  },
  {
    name: "three alerts with one name (each repeat reported against the first)",
    model: (): Model => ({
      ...base,
      alerts: [first, { ...second, name: first.name }, { ...second, name: first.name }],
    }),
    message: `alert name PhoenixHigh5xxErrorRate is already used at ${thisFile}:${firstLine}`,
    subject: "alert PhoenixHigh5xxErrorRate",
    times: 2,
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "two variants with different names",
    model: () =>
      compile(projectWith([variantAlert({}), variantAlert({ name: "PhoenixHigh5xxErrorRateSustained" })]))
        .model,
  },
  {
    name: "an alert renamed rather than copied",
    model: (): Model => ({ ...base, alerts: [first, { ...second, name: "PhoenixServerErrors" }] }),
  },
];

// Exactly `times` findings, each of them as described.
describeModelCheck("alerts/unique-name", uniqueAlertName, { severity: "error", match: "exactly", bad, good });
