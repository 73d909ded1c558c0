/**
 * The preview's pages in a real browser (Debian's chromium, headless): each page of the fixture project is opened
 * and photographed, and the picture is checked: every panel's box is where Grafana's grid puts its gridPos, a
 * panel with data draws a line and one without draws none, a collapsed row opens, and hostile names stay text.
 * Without chromium the test fails, saying what to install; it never skips.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewData } from "../../src/engine/preview/page.ts";
import type { PanelJson } from "../../src/engine/preview/layout.ts";
import { dashboardsOf, previewPages } from "../../src/engine/preview/preview.ts";
import type { QueryData } from "../../src/engine/preview/query.ts";
import { chromiumPath, startBrowser, type Browser } from "../../src/engine/preview/screenshot.ts";
import { compiledFixture, hostile } from "./fixture.ts";
import { boxFailures, linePixels, look } from "./look.ts";

const compiled = compiledFixture();
/** The hostile text as the page shows it: the bidi override spelled out. */
const shown = hostile.replace("\u202e", "\\u202e");
const dashboards = dashboardsOf(compiled.artifacts);
const main = dashboards.find((d) => d.uid === "fx-main")!;

/** Where Grafana shows each panel of fx-main: row 300 floats up to the collapsed row 200, and its panels with it. */
const mainLayout: Record<string, [number, number, number, number]> = {
  "#panel-101": [0, 1, 12, 8],
  "#panel-102": [12, 1, 6, 4],
  "#panel-103": [18, 1, 6, 8],
  "#panel-301": [0, 11, 24, 6],
  "#panel-302": [0, 17, 8, 5],
};
const rowLayout: Record<string, [number, number, number, number]> = {
  "#panel-100 > summary": [0, 0, 24, 1],
  "#panel-200 > summary": [0, 9, 24, 1],
  "#panel-300 > summary": [0, 10, 24, 1],
};

/** Data as a server would answer: a rising line for panel 101, values for the stats and the table, nothing for 302. */
function fixtureData(): PreviewData {
  const to = 1_767_225_600;
  const from = to - 3600;
  const line = (scale: number) =>
    Array.from({ length: 61 }, (_, i) => [from + i * 60, scale * (1 + Math.sin(i / 6))] as [number, number]);
  const series = (name: string, labels: Record<string, string>, points: Array<[number, number]>) => ({
    name,
    labels,
    points,
  });
  const byId = new Map<number, QueryData[]>([
    [
      101,
      [
        {
          refId: "A",
          series: [series(hostile, { job: hostile }, line(2)), series("b", { job: "b" }, line(1))],
        },
      ],
    ],
    [102, [{ refId: "A", series: [series("targets", {}, line(3))] }]],
    [103, [{ refId: "A", series: [series("up", {}, line(1))] }]],
    [201, [{ refId: "A", series: [series("up", {}, line(1))] }]],
    [
      301,
      [
        {
          refId: "A",
          series: [series("x", { job: hostile }, [[to, 4]]), series("y", { job: "api" }, [[to, 2]])],
        },
      ],
    ],
    [302, [{ refId: "A", series: [] }]],
  ]);
  const panels = new Map<PanelJson, QueryData[]>();
  const visit = (list: PanelJson[]) => {
    for (const panel of list) {
      if (typeof panel.id === "number" && byId.has(panel.id)) panels.set(panel, byId.get(panel.id)!);
      visit(panel.panels ?? []);
    }
  };
  visit(main.json.panels as PanelJson[]);
  return { url: "http://prometheus.test:9090", from, to, panels };
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  expect(compiled.ok, JSON.stringify(compiled.diagnostics.filter((d) => d.severity === "error"))).toBe(true);
  // Fails here, with what to install, when chromium is missing.
  browser = await startBrowser(chromiumPath());
  dir = mkdtempSync(path.join(tmpdir(), "o11y-preview-test-"));
  for (const [folder, files] of [
    ["layout", previewPages(dashboards)],
    ["data", previewPages(dashboards, { data: new Map([["fx-main", fixtureData()]]) })],
  ] as const) {
    mkdirSync(path.join(dir, folder));
    for (const file of files) writeFileSync(path.join(dir, folder, file.path), file.content);
  }
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const open = (folder: "layout" | "data", page: string) => browser.open(path.join(dir, folder, page));

describe.each(["layout", "data"] as const)("the %s page of a dashboard", (folder) => {
  it("draws every panel and row where Grafana's grid puts it", async () => {
    const looked = await look(await open(folder, main.page));
    const failures: string[] = [];
    for (const [selector, gridPos] of Object.entries(mainLayout))
      failures.push(...(await boxFailures(looked, selector, gridPos)));
    for (const [selector, gridPos] of Object.entries(rowLayout))
      failures.push(...(await boxFailures(looked, selector, gridPos, { bordered: false })));
    expect(failures).toEqual([]);
    // The collapsed row's panel is hidden until the row is opened, then it is below the row, and what follows moves down.
    expect(await looked.page.locator("#panel-201").isVisible()).toBe(false);
    await looked.page.locator("#panel-200 > summary").click();
    const opened = await look(looked.page);
    const moved = [
      ...(await boxFailures(opened, "#panel-201", [0, 10, 8, 4])),
      ...(await boxFailures(opened, "#panel-300 > summary", [0, 14, 24, 1], { bordered: false })),
      ...(await boxFailures(opened, "#panel-301", [0, 15, 24, 6])),
    ];
    expect(moved).toEqual([]);
    await looked.page.close();
  });

  it("shows each panel's type, title, unit, description and queries, and hostile names as text", async () => {
    const page = await open(folder, main.page);
    expect(await page.title()).toBe(`Main ${shown} · o11y preview`);
    expect(await page.locator("h1").textContent()).toBe(`Main ${shown}`);
    // Nothing the dashboard wrote became an element or ran.
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll("script:not(#o11y-data)").length)).toBe(
      folder === "data" ? 2 : 0,
    );
    const panel = page.locator("#panel-101");
    expect(await panel.locator(".panel-title").textContent()).toBe(`Scrapes ${shown}`);
    expect(await panel.locator(".panel-type").textContent()).toBe("timeseries");
    expect(await panel.locator(".panel-meta").textContent()).toContain("unit short");
    expect(await panel.locator(".panel-info").getAttribute("title")).toContain("Targets up, over time.");
    // Queries on demand.
    expect(await panel.locator(".queries").isVisible()).toBe(false);
    await panel.locator(".panel-queries > summary").click();
    expect(await panel.locator(".queries pre").first().textContent()).toBe(
      'sum by (job) (up{job=~"$job", instance=~"$instance"})',
    );
    expect(await panel.locator(".queries").isVisible()).toBe(true);
    // Links between dashboards go to the other page; the runbook to its URL.
    expect(await page.locator(".links a", { hasText: "Other" }).getAttribute("href")).toBe("fx-other.html");
    expect(await page.locator(".links a", { hasText: "Runbook" }).getAttribute("href")).toBe(
      "https://example.com/runbook.md",
    );
    await page.close();
  });
});

describe("data", () => {
  it("a panel with data draws a line in its plot area; one without data, or without a server, draws none", async () => {
    const data = await look(await open("data", main.page));
    const drawn = await linePixels(data, "#panel-101");
    expect(drawn, "panel 101 has two series: its plot area should show the first one's line").toBeGreaterThan(
      200,
    );
    expect(await linePixels(data, "#panel-302")).toBe(0);
    expect(await data.page.locator("#panel-302 .panel-body").textContent()).toBe("No data");
    // The table's rows, hostile label values as text.
    expect(await data.page.locator("#panel-301 td").allTextContents()).toEqual([hostile, "4", "api", "2"]);
    const layout = await look(await open("layout", main.page));
    expect(await linePixels(layout, "#panel-101")).toBe(0);
    await Promise.all([data.page.close(), layout.page.close()]);
  });
});

describe("the index", () => {
  it("links every dashboard's page", async () => {
    const page = await open("layout", "index.html");
    const links = await page
      .locator("h2 a")
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
    expect(links).toEqual([
      [`Main ${shown}`, "fx-main.html"],
      ["Other", "fx-other.html"],
    ]);
    await page.close();
  });
});
