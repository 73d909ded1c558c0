import { describe, expect, it } from "vitest";
import {
  staleThresholdText,
  statedNumbers,
} from "../../../src/engine/check/checks/alerts/stale-threshold-text.ts";
import type { Model } from "../../../src/engine/model.ts";
import { parseRunbook } from "../../../src/engine/runbook.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const runbookLine = (text: string) => base.runbook.text.split("\n").findIndex((l) => l.includes(text)) + 1;

/**
 * The real model with one named threshold moved, as its constant would move it (the alerts' thresholds and
 * expressions), while every text stays as it was: what hand-written text does after a threshold change.
 */
function moved(name: string, value: number, edit: (model: Model) => Model = (m) => m): () => Model {
  return () => {
    const old = base.thresholds!.find((t) => t.name === name)!;
    const move = <T extends { name?: string }>(t: T) => (t.name === name ? { ...t, value } : t);
    return edit({
      ...base,
      thresholds: base.thresholds!.map(move),
      dashboards: base.dashboards.map((d) => ({
        ...d,
        panels: d.panels.map((p) =>
          p.statedThresholds ? { ...p, statedThresholds: p.statedThresholds.map(move) } : p,
        ),
      })),
      alerts: base.alerts.map((a) =>
        a.thresholds?.some((t) => t.name === name)
          ? {
              ...a,
              threshold: move(a.threshold),
              thresholds: a.thresholds.map(move),
              expr: a.expr.replace(`${old.op} ${old.value}`, `${old.op} ${value}`),
            }
          : a,
      ),
    });
  };
}

/** The real model with one alert's annotation replaced. */
const annotated = (alert: string, key: string, text: string) => (model: Model) => ({
  ...model,
  alerts: model.alerts.map((a) =>
    a.name === alert ? { ...a, annotations: { ...a.annotations, [key]: text } } : a,
  ),
});

/** The real model with a line of the runbook replaced. */
const runbookEdited = (from: string, to: string) => (model: Model) => ({
  ...model,
  runbook: parseRunbook(model.runbook.file, model.runbook.text.replace(from, to)),
});

const bad: BadModel[] = [
  {
    name: "a summary written by hand after the threshold moved (the issue's 5% -> 8%)",
    model: moved("phoenix5xxRatio", 0.08, runbookEdited("> 5% 5xx responses", "> 8% 5xx responses")),
    subject: "alert PhoenixHigh5xxErrorRate",
    message: 'its summary says "more than 5%", but the threshold is > 8% (thresholds.phoenix5xxRatio)',
    fix: "${thresholds.phoenix5xxRatio}",
  },
  {
    name: "a playbook line that kept the old number",
    model: moved("phoenix5xxRatio", 0.08, annotated("PhoenixHigh5xxErrorRate", "summary", "Too many 5xx.")),
    subject: "alert PhoenixHigh5xxErrorRate",
    message: `its playbook (RUNBOOK.md:${runbookLine("> 5% 5xx responses")}) says "> 5%", but the threshold is > 8% (thresholds.phoenix5xxRatio)`,
    source: { file: "RUNBOOK.md", line: runbookLine("> 5% 5xx responses") },
    fix: "make it say > 8%",
  },
  {
    name: "a recovery line in the playbook that kept the old number",
    model: moved("beamMemoryUsageRatio", 0.85, (m) =>
      runbookEdited(
        "BEAM total memory > 80%",
        "BEAM total memory > 85%",
      )(annotated("BeamMemoryHigh", "summary", "A BEAM node is short of memory.")(m)),
    ),
    subject: "alert BeamMemoryHigh",
    message: `its playbook (RUNBOOK.md:${runbookLine("Confirm memory drops below 80%")}) says "below 80%", but the threshold is > 85% (thresholds.beamMemoryUsageRatio)`,
  },
  {
    name: "a threshold the alert interpolates besides its own (a region's failure ratio)",
    model: moved("projectCreationRegionFailureRatio", 0.15, (m) =>
      annotated(
        "ProjectCreationFailingInRegions",
        "description",
        "Project creation on {{ $labels.job }} fails for more than 10% of attempts in {{ $value }} regions.",
      )(m),
    ),
    subject: "alert ProjectCreationFailingInRegions",
    message:
      'its description says "more than 10%", but the threshold is > 15% (thresholds.projectCreationRegionFailureRatio)',
  },
  {
    name: "a panel description that states the threshold of the alert that opens it",
    model: moved("projectCreationRegionFailureRatio", 0.15),
    subject: 'dashboard gs-covenant-overview › panel 303 "Regions failing project creation"',
    message:
      'its description says "more than 10%", but the threshold is > 15% (thresholds.projectCreationRegionFailureRatio)',
  },
  {
    name: "a latency written in milliseconds",
    model: () => annotated("EctoQueryLatencyHigh", "summary", "p95 query time is above 750 ms.")(base),
    subject: "alert EctoQueryLatencyHigh",
    message:
      'its summary says "above 750 ms", but the threshold is > 500 ms (thresholds.ectoQueryP95Seconds)',
  },
  {
    name: "a count that is not the alert's",
    model: () => annotated("NatsConsumerLagHigh", "summary", "More than 1,500 messages pending.")(base),
    subject: "alert NatsConsumerLagHigh",
    message:
      'its summary says "More than 1,500", but the threshold is > 1000 (thresholds.natsPendingMessages)',
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a whole count said with > one below (more than 2 for at least 3)",
    model: () =>
      annotated(
        "ProjectCreationFailingInRegions",
        "summary",
        "Project creation fails in more than 2 regions.",
      )(base),
  },
  {
    name: "numbers in code spans (a query the responder runs, another field's bound)",
    model: () => annotated("NatsConsumerLagHigh", "summary", "Look for `ack_pending > 100`.")(base),
  },
  {
    name: "numbers of another kind than the threshold's (a window on a ratio alert)",
    model: () => annotated("BeamMemoryHigh", "summary", "Above 80% for more than 10 minutes.")(base),
  },
  {
    name: "values in templates",
    model: () =>
      annotated(
        "PhoenixHigh5xxErrorRate",
        "description",
        "{{ $value | humanizePercentage }} > {{ 0.07 }}",
      )(base),
  },
  {
    name: "a reference to another playbook by its heading",
    model: () =>
      runbookEdited("6. Check for a validation change.", "6. See also **NATS Stream Lag > 1000**.")(base),
  },
  {
    name: "texts written with say`...` after the threshold moved",
    model: moved("phoenix5xxRatio", 0.08, (m) =>
      runbookEdited(
        "> 5% 5xx responses",
        "> 8% 5xx responses",
      )(
        annotated(
          "PhoenixHigh5xxErrorRate",
          "summary",
          "The API answers more than 8% of requests with a 5xx error.",
        )(m),
      ),
    ),
  },
  {
    name: "5xx is not a number",
    model: () => annotated("PhoenixHigh5xxErrorRate", "summary", "More than 5xx.")(base),
  },
];

describeModelCheck("alerts/stale-threshold-text", staleThresholdText, {
  severity: "error",
  match: "message and subject",
  bad,
  good,
});

describe("the bounds a text states", () => {
  const cases: Array<
    [text: string, expected: Array<[text: string, value: number, kind: string, op?: string]>]
  > = [
    ["more than 5% of requests", [["more than 5%", 0.05, "ratio", ">"]]],
    ["p95 is above 500 ms", [["above 500 ms", 0.5, "seconds", ">"]]],
    ["> 500ms for 5 minutes", [["> 500ms", 0.5, "seconds", ">"]]],
    ["at least 3 regions", [["at least 3", 3, "plain", ">="]]],
    ["in 3+ regions", [["3+", 3, "plain", ">="]]],
    ["in 3 or more regions", [["3 or more", 3, "plain", ">="]]],
    ["over 2GiB", [["over 2GiB", 2 * 1024 ** 3, "bytes", ">"]]],
    ["below 1,000 messages", [["below 1,000", 1000, "plain", "<"]]],
    ["fewer than 2 hours", [["fewer than 2 hours", 7200, "seconds", "<"]]],
    ["5xx responses over the last 5 minutes", []],
    ["Burn rate 14.4x", []],
    ["overall 5% is fine", []],
  ];
  it.each(cases)("%s", (text, expected) => {
    expect(statedNumbers(text).map((s) => [s.text, s.value, s.kind, ...(s.op ? [s.op] : [])])).toEqual(
      expected,
    );
  });
});
