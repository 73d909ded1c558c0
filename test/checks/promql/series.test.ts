import { expect, it } from "vitest";
import type { LiveSeries } from "../../../src/engine/check/check.ts";
import { series } from "../../../src/engine/check/checks/promql/series.ts";
import { checkContext } from "../../../src/engine/check/run.ts";
import {
  describeExpressionCheck,
  realModel,
  type BadExpression,
  type GoodExpression,
} from "../../helpers/checks.ts";

/**
 * What a server holds, as data: these names, and these selectors matching now. test/cli/check-prometheus.test.ts
 * asks a real Prometheus.
 */
const live: LiveSeries = {
  url: "http://prometheus:9090",
  names: new Set(["up", "prometheus_http_requests_total", "node_cpu_seconds_total"]),
  matches: (selector) =>
    selector === 'up{job="gone"}' || selector.includes("/no/such")
      ? false
      : selector === "{refused}"
        ? undefined
        : true,
};
const context = checkContext(realModel(), { catalogLabels: false, live });

const bad: BadExpression[] = [
  {
    name: "a name the server never stored, with the closest it has",
    expr: "sum(rate(prometheus_http_requests_totl[5m])) > 1",
    message:
      "no series named prometheus_http_requests_totl on http://prometheus:9090: this query returns nothing there",
    fix: "did you mean prometheus_http_requests_total?",
    position: { line: 1, column: 10 },
  },
  {
    name: "a name it has never stored, with nothing close",
    expr: "kafka_consumergroup_lag > 100",
    message: "no series named kafka_consumergroup_lag",
    fix: "make sure a target exports it to that server, or correct the name.",
    position: { line: 1, column: 1 },
  },
];

const good: GoodExpression[] = [
  {
    name: "names and selectors it has",
    expr: 'sum by (mode) (rate(node_cpu_seconds_total{mode!="idle"}[5m])) > 1',
  },
  // Recorded by the rules checked (here: the project's): there once the rules are loaded.
  { name: "a recorded series", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
  { name: "a selector the server cannot read is not judged", expr: "{refused} > 1" },
];

describeExpressionCheck("promql/series", series, { severity: "error", context, bad, good }, (run) => {
  it("says a warning, not an error, when only the label matchers match nothing now", () => {
    const found = run('up{job="gone"} == 0');
    expect(found.map((d) => [d.severity, d.message, d.position])).toEqual([
      [
        "warning",
        'no series matches up{job="gone"} on http://prometheus:9090 now (it has series named up)',
        { line: 1, column: 1 },
      ],
    ]);
  });

  it("says nothing without --prometheus", () => {
    expect(
      run("kafka_consumergroup_lag > 100", { context: checkContext(realModel(), { catalogLabels: false }) }),
    ).toEqual([]);
    expect(run("kafka_consumergroup_lag > 100", { context: checkContext(realModel()) })).toEqual([]);
  });
});
