/**
 * The preview's parts that need no browser: Grafana's times and intervals, variable substitution, the grid's
 * layout, links, colours and escaping; and the pages' bytes, the same for the same input.
 */
import { describe, expect, it } from "vitest";
import { htmlText } from "../../src/engine/escape.ts";
import { compact, layOut, pixelBox, type PanelJson } from "../../src/engine/preview/layout.ts";
import { linkHref, pageStem, safeColor } from "../../src/engine/preview/page.ts";
import { dashboardsOf, previewPages, rangeOf, scrapeIntervalMs } from "../../src/engine/preview/preview.ts";
import { seriesName } from "../../src/engine/preview/query.ts";
import { chromiumPath } from "../../src/engine/preview/screenshot.ts";
import { intervalsFor, parseGrafanaTime, promDuration } from "../../src/engine/preview/time-range.ts";
import {
  builtinValues,
  labelValuesQuery,
  substitute,
  variableValues,
  type TemplateVariable,
} from "../../src/engine/preview/variables.ts";
import { compiledFixture } from "./fixture.ts";

const now = Date.UTC(2026, 0, 15, 13, 47, 30); // a Thursday
const seconds = (iso: string) => Date.parse(iso) / 1000;

describe("Grafana times", () => {
  it.each([
    ["now", false, seconds("2026-01-15T13:47:30Z")],
    ["now-6h", false, seconds("2026-01-15T07:47:30Z")],
    ["now-30m", false, seconds("2026-01-15T13:17:30Z")],
    ["now-7d", false, seconds("2026-01-08T13:47:30Z")],
    ["now-1M", false, seconds("2025-12-15T13:47:30Z")],
    ["now-1y", false, seconds("2025-01-15T13:47:30Z")],
    ["now/d", false, seconds("2026-01-15T00:00:00Z")],
    ["now/d", true, seconds("2026-01-15T23:59:59.999Z")],
    ["now-1d/d", false, seconds("2026-01-14T00:00:00Z")],
    ["now/w", false, seconds("2026-01-12T00:00:00Z")],
    ["now/M", false, seconds("2026-01-01T00:00:00Z")],
    ["2026-01-01T12:00:00Z", false, seconds("2026-01-01T12:00:00Z")],
    ["2026-01-01", false, seconds("2026-01-01T00:00:00Z")],
    ["1767225600000", false, 1_767_225_600],
    ["yesterday", false, undefined],
    ["now-6x", false, undefined],
    ["01/02/2026", false, undefined],
  ])("%s (end: %s)", (text, end, expected) => {
    expect(parseGrafanaTime(text, now, end)).toBe(expected);
  });
});

describe("intervals", () => {
  it.each([
    // range seconds, scrape ms, data points -> $__interval, $__rate_interval
    [6 * 3600, 15_000, 800, "30s", "1m"],
    [6 * 3600, 15_000, 400, "1m", "75s"],
    [3600, 15_000, 1600, "15s", "1m"],
    [30, 1000, 800, "1s", "4s"],
    [7 * 86400, 15_000, 800, "15m", "915s"],
  ])("%d s at %d ms scrapes over %d points", (range, scrape, points, interval, rate) => {
    const { intervalMs, rateIntervalMs } = intervalsFor({ from: 0, to: range }, scrape, points);
    expect([promDuration(intervalMs), promDuration(rateIntervalMs)]).toEqual([interval, rate]);
  });
});

describe("variables", () => {
  const query = (
    name: string,
    current: unknown,
    extra: Partial<TemplateVariable> = {},
  ): TemplateVariable => ({
    name,
    type: "query",
    multi: true,
    includeAll: true,
    query: `label_values(up{job=~"$job"}, ${name})`,
    current: { value: current as string },
    ...extra,
  });

  it.each([
    ["All with an allValue", [query("job", ["$__all"], { allValue: ".*" })], { job: ".*" }],
    ["one selected value, escaped for =~", [query("job", ["api.v2"])], { job: "api\\\\.v2" }],
    ["several, as an alternation", [query("job", ["a", "b|c"])], { job: "(a|b\\\\|c)" }],
    [
      "a single-value variable as it is",
      [query("job", "a.b", { multi: false, includeAll: false })],
      { job: "a.b" },
    ],
    ["All without an allValue and no server", [query("job", ["$__all"], { allValue: null })], { job: ".*" }],
    [
      "a custom variable's first value when none is selected",
      [{ name: "q", type: "custom", query: "0.5, 0.95,0.99" }],
      { q: "0.5" },
    ],
    [
      "datasource and adhoc",
      [
        { name: "datasource", type: "datasource", current: { value: "gs-prometheus" } },
        { name: "filters", type: "adhoc" },
      ],
      { datasource: "gs-prometheus" },
    ],
  ])("%s", async (_name, variables, expected) => {
    expect(await variableValues(variables as TemplateVariable[])).toEqual(expected);
  });

  it("All without an allValue: every value the server has, each escaped", async () => {
    const asked: unknown[] = [];
    const values = await variableValues(
      [query("job", ["global-sovereign"]), query("instance", ["$__all"], { allValue: null })],
      async (variable, known) => {
        asked.push(labelValuesQuery(variable, known));
        return ["a:4000", "b.c:4000"];
      },
    );
    expect(values).toEqual({ job: "global-sovereign", instance: "(a:4000|b\\\\.c:4000)" });
    expect(asked).toEqual([{ label: "instance", match: 'up{job=~"global-sovereign"}' }]);
  });

  it("substitutes every form, built-ins from the range, and names a variable the dashboard lacks", () => {
    const values = {
      job: ".*",
      ...builtinValues({ from: 0, to: 3600 }, { intervalMs: 15_000, rateIntervalMs: 60_000 }),
    };
    expect(
      substitute(
        'rate(x{job=~"$job"}[$__rate_interval]) / ${job} [[job]] $__interval $__range $__range_s ${__interval_ms}',
        values,
      ),
    ).toBe('rate(x{job=~".*"}[1m]) / .* .* 15s 1h 3600 15000');
    expect(() => substitute("x{a=~'$nope'}", values)).toThrow("$nope is not a variable of this dashboard");
  });

  it("names series by their legend, or as Prometheus does", () => {
    expect(seriesName({ method: "GET", path: "/x" }, "{{method}} {{ path }} {{none}}")).toBe("GET /x ");
    expect(seriesName({ __name__: "up", job: "a" }, undefined)).toBe('up{job="a"}');
    expect(seriesName({}, "__auto")).toBe("{}");
  });
});

describe("the grid", () => {
  const panel = (id: number, x: number, y: number, w: number, h: number, extra: Partial<PanelJson> = {}) => ({
    id,
    type: "stat",
    gridPos: { x, y, w, h },
    ...extra,
  });
  const boxes = (panels: PanelJson[]) =>
    layOut(panels).map((s) => ({
      row: s.row && [s.row.panel.id, s.row.y, s.row.collapsed],
      top: s.top,
      height: s.height,
      panels: s.panels.map((p) => [p.panel.id, p.box.x, p.box.y, p.box.w, p.box.h]),
    }));

  it("floats panels up into free space, as Grafana's grid does", () => {
    expect(
      compact([
        { box: { x: 0, y: 5, w: 12, h: 4 } },
        { box: { x: 12, y: 9, w: 12, h: 4 } },
        { box: { x: 0, y: 20, w: 24, h: 2 } },
      ]).map((p) => p.box.y),
    ).toEqual([0, 0, 4]);
  });

  it.each([
    [
      "panels without rows",
      [panel(1, 0, 0, 12, 4), panel(2, 12, 0, 12, 8)],
      [
        {
          top: 0,
          height: 8,
          panels: [
            [1, 0, 0, 12, 4],
            [2, 12, 0, 12, 8],
          ],
        },
      ],
    ],
    [
      "open rows own the panels below them",
      [
        panel(100, 0, 0, 24, 1, { type: "row" }),
        panel(101, 0, 1, 24, 3),
        panel(200, 0, 4, 24, 1, { type: "row" }),
        panel(201, 6, 5, 6, 2),
      ],
      [
        { row: [100, 0, false], top: 1, height: 3, panels: [[101, 0, 0, 24, 3]] },
        { row: [200, 4, false], top: 5, height: 2, panels: [[201, 6, 0, 6, 2]] },
      ],
    ],
    [
      "a collapsed row holds its panels; the next row follows its header",
      [
        panel(100, 0, 0, 24, 1, {
          type: "row",
          collapsed: true,
          panels: [panel(101, 0, 1, 8, 4), panel(102, 8, 1, 8, 6)],
        }),
        panel(200, 0, 7, 24, 1, { type: "row" }),
        panel(201, 0, 8, 24, 2),
      ],
      [
        {
          row: [100, 0, true],
          top: 1,
          height: 6,
          panels: [
            [101, 0, 0, 8, 4],
            [102, 8, 0, 8, 6],
          ],
        },
        { row: [200, 1, false], top: 2, height: 2, panels: [[201, 0, 0, 24, 2]] },
      ],
    ],
    [
      "sizes out of the grid are brought into it",
      [panel(1, 20, 0, 30, 0), { id: 2, type: "text" }],
      [
        {
          top: 0,
          height: 9,
          panels: [
            [1, 0, 0, 24, 1],
            [2, 0, 1, 12, 8],
          ],
        },
      ],
    ],
  ])("%s", (_name, panels, expected) => {
    expect(boxes(panels as PanelJson[])).toEqual(expected.map((s) => ({ row: undefined, ...s })));
  });

  it("puts a box where Grafana does, in pixels", () => {
    // 24 columns of 60 px with 8 px between them: 1624 px.
    expect(pixelBox({ x: 12, y: 2, w: 6, h: 4 }, 1624)).toEqual({
      left: 816,
      top: 76,
      width: 400,
      height: 144,
    });
  });
});

describe("links, colours, names and text", () => {
  const pages = new Map([["gs-a", "gs-a.html"]]);
  it.each([
    ["/d/gs-a", "gs-a.html"],
    ["/d/gs-a/slug?viewPanel=3", "gs-a.html"],
    ["http://localhost:3000/d/gs-a", "gs-a.html"],
    ["/d/gs-elsewhere", undefined],
    ["https://example.com/runbook.md#x", "https://example.com/runbook.md#x"],
    ["javascript:alert(1)", undefined],
    ["data:text/html,<script>", undefined],
    ["//evil.example/x", undefined],
  ])("link %s", (url, href) => {
    expect(linkHref(url, pages)).toBe(href);
  });

  it.each([
    ["green", "#73bf69"],
    ["dark-red", "#f2495c"],
    ["#ABCDEF", "#ABCDEF"],
    ["rgba(255,0,255,0.7)", "rgba(255,0,255,0.7)"],
    ["red;background:url(x)", "#8e8e8e"],
    ['"><script>', "#8e8e8e"],
    ["expression(alert(1))", "#8e8e8e"],
  ])("colour %s", (color, css) => {
    expect(safeColor(color)).toBe(css);
  });

  it.each([
    ["gs-phoenix-metrics", "gs-phoenix-metrics"],
    ["index", "index-"],
    ["../etc/passwd", "___etc_passwd-"],
    ["ünïcode", "_n_code-"],
  ])("page name of uid %s", (uid, stem) => {
    expect(pageStem(uid).startsWith(stem)).toBe(true);
    expect(pageStem(uid)).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$|^_[A-Za-z0-9_-]*$/);
  });

  it("escapes text for HTML, and spells hidden characters", () => {
    expect(htmlText(`<a href="x" onclick='y'>&</a>\n\t\u202e\u0000`)).toBe(
      "&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;\n\t\\u202e\\x00",
    );
  });

  it("fails clearly without a browser", () => {
    expect(() => chromiumPath({}, "/nonexistent/chromium")).toThrow(
      "pictures need Chromium, and /nonexistent/chromium is not there: install it (Debian and its derivatives: apt-get install chromium), or set O11Y_CHROMIUM to a Chromium or Chrome binary",
    );
  });
});

describe("the pages", () => {
  const { artifacts } = compiledFixture();
  const dashboards = dashboardsOf(artifacts);

  it("are the same bytes for the same dashboards, and carry no markup from them", () => {
    const pages = previewPages(dashboards);
    expect(pages.map((p) => p.path)).toEqual(["index.html", "fx-main.html", "fx-other.html"]);
    expect(previewPages(dashboardsOf(artifacts))).toEqual(pages);
    for (const page of pages) {
      // Layout only: no script at all, and the policy lets none run.
      expect(page.content).not.toMatch(/<script|<img/i);
      expect(page.content).toContain("script-src 'none'");
    }
  });

  it("read the data source's scrape interval and each dashboard's time range", () => {
    expect(scrapeIntervalMs(artifacts)).toBe(15_000);
    const main = dashboards.find((d) => d.uid === "fx-main")!;
    expect(rangeOf(main, { nowMs: now })).toEqual({ from: seconds("2026-01-15T07:47:30Z"), to: now / 1000 });
    expect(rangeOf(main, { nowMs: now, from: "now-1h" }).from).toBe(seconds("2026-01-15T12:47:30Z"));
    expect(() => rangeOf(main, { nowMs: now, from: "soon" })).toThrow(
      '--from/--to: "soon" is not a time Grafana reads (now-6h, now/d, 2026-01-31T12:00:00Z)',
    );
  });
});
