import { describe, expect, it } from "vitest";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { parsePromQL, nodesNamed, selectors } from "../../src/engine/promql/parse.ts";
import type { DashboardModel } from "../../src/engine/model.ts";

const result = compile(project);
const byUid = new Map(result.model.dashboards.map((d) => [d.uid, d]));
const dashboard = (uid: string): DashboardModel => {
  const found = byUid.get(uid);
  if (!found) throw new Error(`no dashboard ${uid}`);
  return found;
};
const expressions = (d: DashboardModel) =>
  d.panels.flatMap((p) => p.targets.map((t) => ({ panel: p, expr: t.expr })));

describe("the real dashboards", () => {
  it("compile without any diagnostic", () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  // More may come ("Adding a dashboard" in the README); these five must stay, with these uids.
  it("include the runbook's five, with stable uids", () => {
    expect(result.model.dashboards.map((d) => [d.uid, d.title])).toEqual(
      expect.arrayContaining([
        ["gs-covenant-overview", "Covenant Overview"],
        ["gs-phoenix-metrics", "Phoenix Metrics"],
        ["gs-ecto-performance", "Ecto Performance"],
        ["gs-beam-health", "BEAM Health"],
        ["gs-nats-streams", "NATS Streams"],
      ]),
    );
  });

  describe.each(result.model.dashboards.map((d) => [d.uid, d] as const))("%s", (_uid, d) => {
    const json = d.json as {
      tags: string[];
      editable: boolean;
      templating: { list: Array<Record<string, unknown>> };
    };

    it("has tags and is read-only in Grafana", () => {
      expect(json.tags).toContain("global-sovereign");
      expect(json.tags.length).toBeGreaterThan(1);
      expect(json.editable).toBe(false);
    });

    it("has the datasource, job and instance variables", () => {
      const [datasource, job, instance] = json.templating.list;
      expect(datasource).toMatchObject({
        name: "datasource",
        type: "datasource",
        query: "prometheus",
        current: { value: "gs-prometheus" },
      });
      for (const variable of [job, instance]) {
        expect(variable).toMatchObject({
          type: "query",
          multi: true,
          includeAll: true,
          refresh: 2,
          datasource: { uid: "${datasource}" },
        });
        expect(variable!.query).toMatch(/^label_values\(.+, (job|instance)\)$/);
      }
      expect(job!.name).toBe("job");
      expect(instance!.query).toContain('job=~"$job"');
    });

    it("gives every panel a title, a description, a unit and the datasource variable", () => {
      expect(d.panels.length).toBeGreaterThanOrEqual(8);
      for (const panel of d.panels) {
        expect(panel.title, `panel ${panel.id}`).not.toBe("");
        expect(panel.description, `panel ${panel.id}`).toBeTruthy();
        expect(panel.unit, `panel ${panel.id}`).toBeTruthy();
        expect(panel.datasource).toBe("${datasource}");
        expect(panel.targets.length, `panel ${panel.id}`).toBeGreaterThan(0);
      }
    });

    it("gives every target a unique refId and the datasource variable", () => {
      for (const panel of d.panels) {
        const refIds = panel.targets.map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        expect(refIds.every((r) => /^[A-Z]+$/.test(r))).toBe(true);
        expect(panel.targets.every((t) => t.datasource === "${datasource}")).toBe(true);
      }
    });

    it("selects job and instance in every selector and uses $__rate_interval for every rate", () => {
      for (const { panel, expr } of expressions(d)) {
        const parsed = parsePromQL(expr, { grafana: true });
        expect(parsed.errorAt, `panel ${panel.id}: ${expr}`).toBeUndefined();
        for (const selector of selectors(parsed)) {
          // An SLO's series (Sloth's) sum every job and instance: no picker applies to them.
          if (selector.metric?.startsWith("slo:")) continue;
          const matchers = selector.matchers.map((m) => `${m.label}${m.op}${m.value}`);
          // A recorded series aggregated by job has no instance to pick.
          const expected =
            selector.metric?.startsWith("job") && selector.metric.includes(":")
              ? ["job=~$job"]
              : ["job=~$job", "instance=~$instance"];
          expect(matchers, `panel ${panel.id}`).toEqual(expect.arrayContaining(expected));
        }
        for (const call of nodesNamed(parsed, "FunctionCall")) {
          const name = expr.slice(call.firstChild!.from, call.firstChild!.to);
          if (["rate", "irate", "increase"].includes(name)) {
            expect(expr.slice(call.from, call.to), `panel ${panel.id}`).toContain("[$__rate_interval]");
          }
        }
      }
    });

    it("lays panels out in rows, inside 24 columns, without overlap, with unique ids", () => {
      const all = [...d.rows, ...d.panels];
      // The generated SLO dashboard has a row per SLO.
      expect(d.rows.length).toBeGreaterThanOrEqual(d.uid === "gs-slos" ? 2 : 3);
      expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
      for (const p of all) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (const [i, a] of all.entries()) {
        for (const b of all.slice(i + 1)) {
          const overlap =
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h;
          expect(overlap, `${a.id} and ${b.id}`).toBe(false);
        }
      }
      for (const panel of d.panels) expect(panel.row, `panel ${panel.id}`).toBeTruthy();
    });

    it("links to the other four dashboards and to the runbook", () => {
      const others = result.model.dashboards.filter((o) => o.uid !== d.uid).map((o) => `/d/${o.uid}`);
      expect(d.links.map((l) => l.url)).toEqual(expect.arrayContaining(others));
      expect(d.links.some((l) => l.url.endsWith("RUNBOOK.md"))).toBe(true);
    });

    it("never takes a quantile of raw buckets", () => {
      for (const { panel, expr } of expressions(d)) {
        if (!expr.includes("histogram_quantile")) continue;
        expect(expr, `panel ${panel.id}`).toMatch(
          /histogram_quantile\([\d.]+, sum by \((le|le, [a-z_, ]+)\) \(rate\([a-z_]+_bucket\{/,
        );
      }
    });
  });

  it("shows what the runbook lists for each dashboard", () => {
    const titles = (uid: string) => dashboard(uid).panels.map((p) => `${p.type}:${p.title}`);
    expect(titles("gs-covenant-overview")).toEqual(
      expect.arrayContaining([
        "stat:Countries",
        "stat:Projects",
        "stat:Covenant fund",
        "stat:Projects created per hour",
        "timeseries:Project creation rate by region",
      ]),
    );
    expect(titles("gs-phoenix-metrics")).toEqual(
      expect.arrayContaining([
        "stat:Request rate",
        "timeseries:Latency p50 / p95 / p99",
        "timeseries:Error ratio",
        "timeseries:p95 latency by route",
        "heatmap:Latency heatmap",
      ]),
    );
    expect(titles("gs-ecto-performance")).toEqual(
      expect.arrayContaining([
        "timeseries:Query time p50 / p95 / p99",
        "stat:Query rate",
        "stat:Pool size",
        "timeseries:Slow queries (> 500 ms) by source",
        "table:Top slow sources",
      ]),
    );
    expect(titles("gs-beam-health")).toEqual(
      expect.arrayContaining([
        "timeseries:Memory by kind",
        "timeseries:Reductions per second",
        "timeseries:Process count",
        "timeseries:Garbage collections per second",
      ]),
    );
    expect(titles("gs-nats-streams")).toEqual(
      expect.arrayContaining([
        "timeseries:Consumer lag (pending messages)",
        "timeseries:Ack pending",
        "timeseries:Awaiting redelivery",
        "timeseries:Delivery rate",
        "timeseries:Ingest rate",
        "timeseries:Stream messages",
        "timeseries:Stream bytes",
        "table:Stream health",
      ]),
    );
    const nats = dashboard("gs-nats-streams").variables.map((v) => v.name);
    expect(nats).toEqual(["datasource", "job", "instance", "stream", "consumer"]);
  });

  it("counts slow queries as all queries minus those within the 0.5 s bucket", () => {
    const slow = dashboard("gs-ecto-performance").panels.find((p) => p.id === 301)!;
    expect(slow.targets[0]!.expr).toMatch(
      /rate\(ecto_query_duration_seconds_count\{.*\n-\n.*ecto_query_duration_seconds_bucket\{.*le="0\.5"/s,
    );
  });

  it("never rates a gauge business metric", () => {
    for (const { expr } of expressions(dashboard("gs-covenant-overview"))) {
      expect(expr).not.toMatch(/rate\(global_sovereign_covenant_/);
    }
  });
});

describe("Grafana provisioning", () => {
  const file = (path: string) => result.artifacts.find((a) => a.path === path)!.content;

  it("provisions the Prometheus datasource the dashboards default to, with the scrape interval", () => {
    const text = file("grafana/provisioning/datasources/prometheus.yaml");
    expect(text).toMatch(/^# Generated by o11y from src\/config\.ts/);
    expect(text).toContain("apiVersion: 1");
    expect(text).toContain("uid: gs-prometheus");
    expect(text).toContain("type: prometheus");
    expect(text).toContain("timeInterval: 15s");
  });

  it("provisions a file provider for the dashboards", () => {
    const text = file("grafana/provisioning/dashboards/global-sovereign.yaml");
    expect(text).toContain("type: file");
    expect(text).toContain("path: /var/lib/grafana/dashboards/global-sovereign");
    expect(text).toContain("allowUiUpdates: false");
  });
});
