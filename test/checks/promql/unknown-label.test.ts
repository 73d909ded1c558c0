import { expect, it } from "vitest";
import { unknownLabel } from "../../../src/engine/check/checks/promql/unknown-label.ts";
import { checkContext } from "../../../src/engine/check/run.ts";
import {
  describeExpressionCheck,
  realModel,
  type BadExpression,
  type GoodExpression,
} from "../../helpers/checks.ts";

const bad: BadExpression[] = [
  {
    name: "a table label on the pool size",
    expr: 'ecto_connection_pool_size{source="projects_phase4"}',
    message:
      "label source is not on ecto_connection_pool_size, so this matches nothing (its labels: instance, job, repo)",
    fix: "use one of its labels, or declare the label in src/catalog/.",
    position: { line: 1, column: 27 },
  },
  {
    name: "a typo in by()",
    expr: "sum by (stauts) (rate(phoenix_http_request_total[5m]))",
    message:
      // A by() on a missing label selects no fewer series: it fails to split the sum, and the message says so.
      "label stauts is not on the aggregated series, so by() does not split the result by it, and the result has no such label (its labels: instance, job, method, path, status)",
    fix: "did you mean status? Otherwise declare the label in src/catalog/.",
    position: { line: 1, column: 5 },
  },
  {
    name: "a label the recording rule aggregated away",
    expr: 'job:phoenix_http_requests_5xx:ratio_rate5m{instance="app-1:4000"}',
    message:
      "label instance is not on job:phoenix_http_requests_5xx:ratio_rate5m, so this matches nothing (its labels: job)",
    // A recorded series' labels are its rule's to keep, not the catalog's.
    fix: "use one of its labels, or keep the label in the by() of the rule that records job:phoenix_http_requests_5xx:ratio_rate5m, or query the series it reads.",
    position: { line: 1, column: 44 },
  },
  {
    name: "a typo in without()",
    expr: "sum without (rpo) (ecto_connection_pool_size)",
    message:
      "label rpo is not on the aggregated series, so without() removes nothing (its labels: instance, job, repo)",
    fix: "did you mean repo?",
    position: { line: 1, column: 5 },
  },
  {
    name: "a by() on a label an inner sum dropped",
    expr: "count by (path) (topk(3, sum by (method) (rate(phoenix_http_request_total[5m]))))",
    message:
      "label path is not on the aggregated series, so by() does not split the result by it, and the result has no such label (its labels: method)",
    fix: "use one of its labels, or keep the label in the expression inside, or aggregate by one of its labels.",
    position: { line: 1, column: 7 },
  },
  {
    // The exporter's label is stream_name.
    name: "stream instead of stream_name, on the second line",
    expr: 'max by (consumer_name) (\n  jetstream_consumer_num_pending{is_consumer_leader="true", stream="audit"}\n)',
    message: "label stream is not on jetstream_consumer_num_pending",
    fix: "declare the label in src/catalog/",
    position: { line: 2, column: 61 },
  },
];

const good: GoodExpression[] = [
  {
    name: "the NATS lag by consumer",
    expr: 'max by (stream_name, consumer_name) (jetstream_consumer_num_pending{is_consumer_leader="true", stream_name="audit"})',
  },
  {
    name: "le on histogram buckets",
    expr: 'sum by (le) (rate(ecto_query_duration_seconds_bucket{repo="GlobalSovereign.Repo"}[5m]))',
  },
  { name: "an empty matcher (selects series without the label)", expr: 'vm_memory_total_bytes{repo=""}' },
  {
    name: "the label a recording rule keeps",
    expr: "sum by (job) (job:phoenix_http_requests_5xx:ratio_rate5m) > 0.05",
  },
  {
    name: "the scrape's job and instance on any metric",
    expr: 'up{job="global-sovereign", instance="app-1:4000"}',
  },
  {
    name: "by() over topk() of a sum by the same label",
    expr: "topk(3, sum by (path) (rate(phoenix_http_request_total[5m])))",
  },
  {
    name: "a metric selected by __name__",
    expr: '{__name__="vm_memory_total_bytes", job="global-sovereign"}',
  },
];

describeExpressionCheck(
  "promql/unknown-label",
  unknownLabel,
  { severity: "error", bad, good, realProject: "accepts every expression of the real project" },
  (run) => {
    it("flags a typo in on()", () => {
      const found = run(
        "rate(phoenix_http_request_total[5m]) / on(stauts) rate(phoenix_http_request_total[5m])",
      );
      expect(found.map((d) => d.check)).toEqual(["promql/unknown-label"]);
      expect(found[0]!.fix).toContain("did you mean status?");
      expect(found[0]!.message).toBe(
        "label stauts is not on either side, so on() compares nothing: every series is matched with every series on the other side (its labels: instance, job, method, path, status)",
      );
    });

    it("says that ignoring() a label neither side has leaves out nothing", () => {
      const found = run(
        "rate(phoenix_http_request_total[5m]) / ignoring(stauts) rate(phoenix_http_request_total[5m])",
      );
      expect(found.map((d) => d.message)).toEqual([
        "label stauts is not on either side, so ignoring() leaves out nothing (its labels: instance, job, method, path, status)",
      ]);
    });

    it("gives a rule file from elsewhere no advice about this project's TypeScript catalog", () => {
      const model = realModel();
      const foreign = checkContext(model, { catalogLabels: true });
      const found = run('sum by (stauts) (rate(phoenix_http_request_total{methd="GET"}[5m]))', {
        context: foreign,
      });
      expect(found.map((d) => d.fix)).toEqual([
        "did you mean method? Otherwise check the label your exporter gives the metric (these are the labels the catalog declares, which the configuration's promql/unknown-metric turns on).",
        "did you mean status? Otherwise check the label your exporter gives the metric (these are the labels the catalog declares, which the configuration's promql/unknown-metric turns on).",
      ]);
      expect(found.map((d) => d.fix).join("\n")).not.toContain("src/catalog");
    });
  },
);
