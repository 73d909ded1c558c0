import { describe, expect, it } from "vitest";
import type { ExpressionSite } from "../../../src/engine/check/check.ts";
import { undefinedVariable } from "../../../src/engine/check/checks/dashboard/undefined-variable.ts";
import { checkContext, checkExpressions, checkModel } from "../../../src/engine/check/run.ts";
import { sel } from "../../../src/engine/define/dashboard-kit.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";

const model = compile(project).model;
const ctx = checkContext(model);

type Kind = "dashboard-query" | "expression";

function run(expr: string, kind: Kind, uid = "gs-phoenix-metrics") {
  const site: ExpressionSite = { expr, subject: "test", source: { file: "t", line: 1 }, kind };
  if (kind === "dashboard-query") site.dashboard = model.dashboards.find((d) => d.uid === uid)!;
  return checkExpressions([site], ctx, [undefinedVariable]);
}

const bad: Array<{ name: string; expr: string; message: string; position: { line: number; column: number } }> = [
  {
    name: "a variable no dashboard defines",
    expr: `sum(rate(phoenix_http_request_total{${sel}, region=~"$region"}[$__rate_interval]))`,
    message: "variable $region is not defined by dashboard gs-phoenix-metrics",
    position: { line: 1, column: 82 },
  },
  {
    name: "a variable that only the NATS dashboard defines",
    expr: `max(jetstream_consumer_num_pending{${sel}, stream_name=~"$stream"})`,
    message: "variable $stream is not defined by dashboard gs-phoenix-metrics",
    position: { line: 1, column: 86 },
  },
  {
    name: "the old [[repo]] syntax, defined on Ecto Performance only",
    expr: `sum(rate(ecto_query_duration_seconds_count{${sel}, repo=~"[[repo]]"}[$__rate_interval]))`,
    message: "variable $repo is not defined by dashboard gs-phoenix-metrics",
    position: { line: 1, column: 87 },
  },
  {
    name: "the ${repo:regex} syntax with a format",
    expr: `sum(rate(ecto_query_duration_seconds_count{${sel}, repo=~"\${repo:regex}"}[$__rate_interval]))`,
    message: "variable $repo is not defined",
    position: { line: 1, column: 87 },
  },
  {
    // needsValidSyntax: false, so a query that also has a syntax error still gets this report.
    name: "a variable in a query that does not parse",
    expr: `sum(up{${sel}, region=~"$region"}`,
    message: "variable $region is not defined",
    position: { line: 1, column: 53 },
  },
];

const good: Array<{ name: string; expr: string; kind: Kind; uid?: string }> = [
  { name: "the pickers every dashboard has", expr: `sum(up{${sel}})`, kind: "dashboard-query" },
  {
    name: "$stream and $consumer on NATS Streams",
    expr: `max(jetstream_consumer_num_pending{${sel}, stream_name=~"$stream", consumer_name=~"$consumer"})`,
    kind: "dashboard-query",
    uid: "gs-nats-streams",
  },
  { name: "$repo on Ecto Performance", expr: `sum(rate(ecto_query_duration_seconds_count{${sel}, repo=~"$repo"}[$__rate_interval]))`, kind: "dashboard-query", uid: "gs-ecto-performance" },
  {
    name: "Grafana's built-in variables",
    expr: `sum(increase(phoenix_http_request_total{${sel}}[$__range])) / \${__range_s} + 0 * sum(rate(up{${sel}}[$__rate_interval]))`,
    kind: "dashboard-query",
  },
  // Alerts and rules are not Grafana queries: a `$` there is not a template variable.
  { name: "a $ in an alert expression", expr: 'sum(up{region=~"$region"})', kind: "expression" },
];

describe("dashboard/undefined-variable", () => {
  it.each(bad)("flags $name", ({ expr, message, position }) => {
    const found = run(expr, "dashboard-query");
    expect(found).toHaveLength(1);
    const [d] = found;
    expect(d!.check).toBe("dashboard/undefined-variable");
    expect(d!.severity).toBe("error");
    expect(d!.message).toContain(message);
    expect(d!.fix).toContain("$datasource, $job, $instance");
    expect(d!.position).toEqual(position);
  });

  it.each(good)("accepts $name", ({ expr, kind, uid }) => {
    expect(run(expr, kind, uid)).toEqual([]);
  });

  it("accepts every query and variable of the real dashboards", () => {
    expect(checkModel(model, [undefinedVariable])).toEqual([]);
  });

  it("accepts $1 in label_replace", () => {
    expect(run(`label_replace(up{${sel}}, "host", "$1", "instance", "(.*):.*")`, "dashboard-query")).toEqual([]);
  });

  it("ignores a variable inside a # comment", () => {
    expect(run(`sum(up{${sel}}) # later: split by $region`, "dashboard-query")).toEqual([]);
  });
});
