import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { alertComparison } from "../../../src/engine/check/checks/alerts/comparison.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type GoodModel } from "../../helpers/checks.ts";
import { lineOf } from "../../helpers/project.ts";

const model = realModel();
// Our own alert, defined on a line of this file, so the location asserted below is ours, not the content's.
const fixture = compile(projectWith([variantAlert({}) /* comparison fixture */])).model;
const alert = fixture.alerts.find((a) => a.source.file === "test/checks/alerts/comparison.test.ts")!;
const fixtureLine = lineOf(readFileSync(fileURLToPath(import.meta.url), "utf8"), "/* comparison fixture */");
/** The real project with only our alert (a copy of PhoenixHigh5xxErrorRate), given another expression. */
const withExpr = (expr: string): Model => ({ ...model, alerts: [{ ...alert, expr }] });
/** A case of the table below, checked on the real project with its expression. */
const onAlert = <Case extends { name: string; expr: string }>(c: Case): GoodModel => ({
  name: c.name,
  model: () => withExpr(c.expr),
});

const message =
  "the expression has no comparison that filters series (a bool comparison keeps them all), so it fires whenever it returns anything";

const bad: Array<{ name: string; expr: string }> = [
  {
    name: "the recorded 5xx ratio without its threshold",
    expr: "job:phoenix_http_requests_5xx:ratio_rate5m",
  },
  { name: "arithmetic at the top", expr: "job:phoenix_http_requests_5xx:ratio_rate5m * 100" },
  {
    name: "the runbook's absolute error rate",
    expr: 'sum by (job) (rate(phoenix_http_request_total{status=~"5.."}[5m]))',
  },
  {
    name: "a quantile without a threshold",
    expr: "histogram_quantile(0.95, job:phoenix_http_request_duration_seconds_bucket:rate5m)",
  },
  { name: "a threshold commented out", expr: "job:phoenix_http_requests_5xx:ratio_rate5m # > 0.05" },
  // A bare name filters nothing: every series of it fires.
  { name: "a bare metric name", expr: "up" },
  { name: "a name given as a __name__ matcher only", expr: '{__name__="up"}' },
];

const good: Array<{ name: string; expr: string }> = [
  { name: "the real alert's expression", expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05" },
  { name: "a comparison in parentheses", expr: "(job:phoenix_http_requests_5xx:ratio_rate5m > 0.05)" },
  { name: "the threshold on the left", expr: "0.05 < job:phoenix_http_requests_5xx:ratio_rate5m" },
  {
    name: "a count of regions compared at the top",
    expr: "count by (job) (job_region:global_sovereign_project_creations:failure_ratio_rate10m > 0.1) >= 3",
  },
  { name: "the scrape alert", expr: 'up{job="global-sovereign"} < 1' },
  { name: "absent()", expr: 'absent(up{job="global-sovereign"})' },
  {
    name: "absent_over_time() with leading space",
    expr: '  absent_over_time(up{job="global-sovereign"}[5m])',
  },
  {
    name: "a multi-line ratio compared at the end",
    expr: 'vm_memory_total_bytes{job="global-sovereign"}\n/ on (job, instance)\nglobal_sovereign_memory_limit_bytes{job="global-sovereign"}\n> 0.8',
  },
  {
    name: "a suppression comment after the threshold",
    expr: "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05\n# o11y-disable promql/regexp: not used here",
  },
  // False alarm on awesome-prometheus-alerts' PostgresqlInvalidIndex: a selector alone alerts while such series exist
  // (an index left invalid by REINDEX CONCURRENTLY is named *ccnew*). alerts/threshold holds ours to a threshold.
  {
    name: "a selector alone, alerting while series with these labels exist",
    expr: 'pg_general_index_info_pg_relation_size{indexrelname=~".*ccnew.*"}',
  },
  {
    name: "a selector alone in parentheses",
    expr: '(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"})',
  },
];

describeModelCheck(
  "alerts/comparison",
  alertComparison,
  {
    severity: "error",
    match: "exactly",
    // A model check about what is missing: it points at the alert's definition, not into the expression.
    expect: {
      message,
      fix: "${signal} ${thresholds.x}",
      subject: "alert PhoenixHigh5xxErrorRate",
      source: alert.source,
      position: null,
    },
    alsoExpect: (d) =>
      expect(d.source).toEqual({ file: "test/checks/alerts/comparison.test.ts", line: fixtureLine }),
    bad: bad.map(onAlert),
    good: good.map(onAlert),
  },
  (run) => {
    it("accepts every alert of the real project", () => {
      expect(run(model)).toEqual([]);
    });

    it("reports each alert without a comparison once", () => {
      const [first, second] = model.alerts;
      const found = run({
        ...model,
        alerts: [
          { ...first!, expr: "job:phoenix_http_requests_5xx:ratio_rate5m" },
          { ...second!, expr: "job:ecto_query_duration_seconds:p95_rate5m" },
        ],
      });
      expect(found.map((d) => d.subject).sort()).toEqual(
        [`alert ${first!.name}`, `alert ${second!.name}`].sort(),
      );
      expect(found.map((d) => d.source).sort((a, b) => a.file.localeCompare(b.file))).toEqual(
        [second!.source, first!.source].sort((a, b) => a.file.localeCompare(b.file)),
      );
    });

    it("flags a bool comparison, which returns every series", () => {
      expect(
        run(withExpr("job:phoenix_http_requests_5xx:ratio_rate5m > bool 0.05")).map((d) => d.check),
      ).toEqual(["alerts/comparison"]);
    });

    it("accepts a comparison filtered with and", () => {
      expect(
        run(
          withExpr(
            "job:phoenix_http_requests_5xx:ratio_rate5m > 0.05 and on(job) job:phoenix_http_requests:rate5m > 1",
          ),
        ),
      ).toEqual([]);
    });

    it("flags absent(...) or <series>", () => {
      expect(
        run(withExpr('absent(up{job="global-sovereign"}) or up{job="global-sovereign"}')).map((d) => d.check),
      ).toEqual(["alerts/comparison"]);
    });
  },
);
