import { describe, expect, it } from "vitest";
import {
  alertRunbookThreshold,
  statedComparisons,
} from "../../../src/engine/check/checks/alerts/runbook-threshold.ts";
import type { ThresholdUnit } from "../../../src/engine/define/alerting.ts";
import type { Model, ThresholdModel } from "../../../src/engine/model.ts";
import { parseRunbook, slugify } from "../../../src/engine/runbook.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const headingLine = (heading: string) =>
  base.runbook.sections.find((s) => s.heading === `Alert: ${heading}`)!.line;

/** The real model with one alert's playbook heading renamed (the alert follows it), and optionally its threshold changed. */
function edited(alertName: string, heading: string, threshold?: Partial<ThresholdModel>): () => Model {
  return () => {
    const alert = base.alerts.find((a) => a.name === alertName)!;
    const text = base.runbook.text.replace(`### ${alert.runbook.heading}`, `### Alert: ${heading}`);
    const runbook = { heading: `Alert: ${heading}`, anchor: slugify(`Alert: ${heading}`) };
    const alerts = base.alerts.map((a) =>
      a === alert ? { ...a, runbook, threshold: { ...a.threshold, ...threshold } } : a,
    );
    return { ...base, alerts, runbook: parseRunbook(base.runbook.file, text) };
  };
}

const bad: BadModel[] = [
  {
    name: "a threshold raised while the heading kept the old one",
    model: edited("EctoQueryLatencyHigh", "Database Query Latency > 500ms", { value: 0.75 }),
    subject: "alert EctoQueryLatencyHigh",
    message: `its playbook heading "Alert: Database Query Latency > 500ms" (RUNBOOK.md:${headingLine("Database Query Latency > 500ms")}) says > 500ms, but the alert fires at > 750 ms`,
  },
  {
    name: "a percentage that is not the ratio",
    model: edited("BeamMemoryHigh", "BEAM Memory Usage > 90%"),
    subject: "alert BeamMemoryHigh",
    message: "says > 90%, but the alert fires at > 80%",
  },
  {
    name: "the comparison turned round",
    model: edited("NatsConsumerLagHigh", "NATS Stream Lag < 1000"),
    subject: "alert NatsConsumerLagHigh",
    message: "says < 1000, but the alert fires at > 1000",
  },
  {
    name: "a unit the threshold cannot have (milliseconds of a message count)",
    model: edited("NatsConsumerLagHigh", "NATS Stream Lag > 1000ms"),
    subject: "alert NatsConsumerLagHigh",
    message: "says > 1000ms, but the alert fires at > 1000",
  },
  {
    name: "an at-least count that is not the alert's",
    model: edited("ProjectCreationFailingInRegions", "Project Creation Failing in 4+ Regions"),
    subject: "alert ProjectCreationFailingInRegions",
    message: "says 4+, but the alert fires at >= 3",
  },
  {
    name: "two numbers, neither the alert's",
    model: edited("EctoQueryLatencyHigh", "Database Query Latency > 1s (p95 > 2s)"),
    subject: "alert EctoQueryLatencyHigh",
    message: "says > 1s, > 2s, but the alert fires at > 500 ms",
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "the same latency in seconds",
    model: edited("EctoQueryLatencyHigh", "Database Query Latency > 0.5 seconds"),
  },
  {
    name: "the same latency with a space before the unit",
    model: edited("EctoQueryLatencyHigh", "Database Query Latency > 500 ms"),
  },
  {
    name: "a whole count written with > one below",
    model: edited("ProjectCreationFailingInRegions", "Project Creation Failing in > 2 Regions"),
  },
  {
    name: "a whole count written with ≥",
    model: edited("ProjectCreationFailingInRegions", "Project Creation Failing in ≥ 3 Regions"),
  },
  {
    name: "a heading without a number",
    model: edited("EctoQueryLatencyHigh", "Database Query Latency High"),
  },
  {
    name: "a count with a thousands separator",
    model: edited("NatsConsumerLagHigh", "NATS Stream Lag > 1,000"),
  },
  {
    name: "one of two numbers is the alert's",
    model: edited("BeamMemoryHigh", "BEAM Memory Usage > 80% (page above 95%)"),
  },
];

describeModelCheck(
  "alerts/runbook-threshold",
  alertRunbookThreshold,
  { severity: "error", match: "message and subject", bad, good },
  () => {
    it("points at the alert, whose `runbook:` changes with the heading", () => {
      const [finding] = alertRunbookThreshold.check(
        edited("BeamMemoryHigh", "BEAM Memory Usage > 90%")(),
        undefined as never,
      );
      const alert = base.alerts.find((a) => a.name === "BeamMemoryHigh")!;
      expect(finding!.source).toEqual(alert.source);
      expect(finding!.fix).toContain("make the heading say > 80%");
    });
  },
);

describe("the comparisons a heading states", () => {
  const cases: Array<
    [
      heading: string,
      unit: ThresholdUnit,
      expected: Array<[text: string, op: string, value: number | undefined]>,
    ]
  > = [
    ["Latency > 500ms", "seconds", [["> 500ms", ">", 0.5]]],
    ["Latency >= 2 minutes", "seconds", [[">= 2 minutes", ">=", 120]]],
    ["Latency > 1.5h", "seconds", [["> 1.5h", ">", 5400]]],
    ["Memory > 80%", "ratio", [["> 80%", ">", 0.8]]],
    ["Memory > 0.8", "ratio", [["> 0.8", ">", 0.8]]],
    ["Heap > 2GiB", "bytes", [["> 2GiB", ">", 2 * 2 ** 30]]],
    ["Heap > 512 MB", "bytes", [["> 512 MB", ">", 512e6]]],
    ["Disk ≤ 10%", "ratio", [["≤ 10%", "<=", 0.1]]],
    ["Failing in 3+ Regions", "count", [["3+", ">=", 3]]],
    ["Lag > 1000 msgs", "count", [["> 1000", ">", 1000]]],
    ["Lag > 80%", "count", [["> 80%", ">", undefined]]],
    ["Lag > 1,000", "count", [["> 1,000", ">", 1000]]],
    ["Burn rate > 14.4x", "ratio", []],
    ["Drift < -5", "count", [["< -5", "<", -5]]],
    ["Rows > 1e6", "count", [["> 1e6", ">", 1e6]]],
    [
      "Latency > 1.5s, 3+ regions",
      "seconds",
      [
        ["> 1.5s", ">", 1.5],
        ["3+", ">=", 3],
      ],
    ],
    ["High 5xx Error Rate", "ratio", []],
    ["HTTP/2 errors", "count", []],
  ];
  it.each(cases)("%s (%s)", (heading, unit, expected) => {
    expect(
      statedComparisons(heading, unit).map((s) => [
        s.text,
        s.op,
        s.value === undefined ? undefined : +s.value.toPrecision(12),
      ]),
    ).toEqual(expected);
  });
});
