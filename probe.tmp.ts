import { compile } from "./src/engine/pipeline.ts";
import { project } from "./src/project.ts";
import { checkContext, checkExpressions } from "./src/engine/check/run.ts";
import { allChecks } from "./src/engine/check/checks/index.ts";
import { formatDiagnostic } from "./src/engine/diagnostics.ts";
const model = compile(project).model;
const ctx = checkContext(model);
const dash = model.dashboards[1];
const cases: [string, "dashboard-query"|"expression"][] = [
 ["histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)", "dashboard-query"],
 ["histogram_quantile(0.95, phoenix_http_request_duration_seconds_bucket)", "expression"],
 ["rate(vm_total_reductions[1m])", "dashboard-query"],
 ["rate(vm_total_reductions[1m])", "expression"],
 ["rate(vm_total_reductions[45s])", "expression"],
 ["rate(vm_total_reductions[30])", "expression"],
 ["rate(vm_total_reductions[30s] offset 5m)", "expression"],
 ["rate(vm_total_reductions[30s:5s])", "expression"],
 ["rate(vm_total_reductions{job=~\"$job\", instance=~\"$instance\"}[$__interval])", "dashboard-query"],
 ["increase(vm_total_reductions{job=~\"$job\", instance=~\"$instance\"}[$__range])", "dashboard-query"],
 ["delta(global_sovereign_covenant_projects_total{job=~\"$job\", instance=~\"$instance\"}[30s])", "dashboard-query"],
 ["ecto_query_duration_seconds_bucket{le=\"0.5\"}", "dashboard-query"],
 ["ecto_query_duration_seconds_bucket{le=\"0.5\"}", "expression"],
 ["{\"phoenix_http_request_totl\"}", "expression"],
 ["{__name__=\"phoenix_http_request_totl\"}", "expression"],
 ["sum(rate(phoenix_http_request_total[5m])", "expression"],
 ["", "expression"],
 ["   ", "expression"],
 ["sum(up{job=~\"$job\", instance=~\"$instance\"})\n/\nsum(up{job=~\"$job\", instance=~\"$instance\"}", "dashboard-query"],
 ["label_replace(up{job=~\"$job\", instance=~\"$instance\"}, \"host\", \"$1\", \"instance\", \"(.*):.*\")", "dashboard-query"],
 ["sum(up{job=~\"$job\", instance=~\"$instance\"}) # by $region", "dashboard-query"],
 ["sum(up{job=~\"${job}\", instance=~\"$instance\"})", "dashboard-query"],
 ["sum(up{job=~\"$job\", instance=~\"$instance\", region=~\"$region\"})", "dashboard-query"],
 ["rate(phoenix_http_request_total{job=~\"$job\", instance=~\"$instance\"}[${__rate_interval}])", "dashboard-query"],
 ["rate(phoenix_http_request_total{job=~\"$job\", instance=~\"$instance\"}[5m])", "dashboard-query"],
 ["sum by (le) (rate(phoenix_http_request_duration_seconds_bucket{job=~\"$job\", instance=~\"$instance\"}[$__rate_interval]))", "dashboard-query"],
 ["max(jetstream_consumer_num_pending{job=\"nats\"})", "dashboard-query"],
 ["rate(jetstream_consumer_num_pendin[5m])", "expression"],
 ["rate(up[$__rate_interval])", "expression"],
 ["rate(vm_total_reductions[1m:])", "expression"],
 ["deriv(vm_total_reductions[30s])", "expression"],
 ["predict_linear(vm_memory_total_bytes[30s], 3600)", "expression"],
 ["rate(vm_total_reductions[30s] @ 100)", "expression"],
];
for (const [expr, kind] of cases) {
  const d = checkExpressions([{ expr, subject: "test", source: { file: "t", line: 1 }, kind, dashboard: kind === "dashboard-query" ? dash : undefined }], ctx, allChecks);
  console.log(`--- [${kind}] ${JSON.stringify(expr)}`);
  for (const x of d) console.log("   ", x.check, JSON.stringify(x.position), x.message);
}
