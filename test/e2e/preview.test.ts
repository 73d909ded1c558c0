/**
 * `o11y preview --prometheus` against a real Prometheus: Debian's prometheus scrapes the synthetic exporter (the
 * end-to-end profile, one scrape a second), the preview asks it for every panel of every dashboard over the
 * last half minute, and headless chromium opens each page: every time series panel that got data draws its line,
 * and every dashboard draws at least one. About 40 s; fails, never skips, without prometheus or chromium.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { settings } from "../../src/config.ts";
import type { PanelJson } from "../../src/engine/preview/layout.ts";
import { dashboardsOf, fetchPreviewData, previewPages } from "../../src/engine/preview/preview.ts";
import { PrometheusClient } from "../../src/engine/preview/query.ts";
import { chromiumPath, startBrowser, type Browser } from "../../src/engine/preview/screenshot.ts";
import { compile } from "../../src/engine/pipeline.ts";
import { project } from "../../src/project.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { linePixels, look } from "../preview/look.ts";
import { decode } from "../preview/pixels.ts";
import { prometheusEngine } from "./engines.ts";
import { Exporter } from "./exporter/exporter.ts";
import { eventually, removeFolders, type Server } from "./harness.ts";
import { scrapeIntervalSeconds } from "./profile.ts";

const { model, artifacts } = compile(project);
const exporter = new Exporter(model.metrics);
const servers: Server[] = [];
let prometheusUrl = "";
let browser: Browser;
let dir = "";

beforeAll(async () => {
  chromiumPath();
  const ports = await exporter.listen();
  const stack = await prometheusEngine.start("preview", model, {
    scrapeTargets: {
      [settings.jobs.app]: [`127.0.0.1:${ports.app}`],
      [settings.jobs.nats]: [`127.0.0.1:${ports.nats}`],
    },
    // No alert is looked at here: an address where nothing listens.
    alertmanager: "127.0.0.1:9",
  });
  servers.push(...stack.servers);
  prometheusUrl = stack.api.url;
  // Twenty seconds of scrapes: enough for every rate over four of them to draw a line.
  const deadline = Date.now() + 60_000;
  const missing = await eventually(deadline, async () => {
    const answer = await stack.api.query("min(count_over_time(up[30s]))", Date.now() / 1000);
    const scrapes = Number(answer.response.data?.result[0]?.value?.[1] ?? 0);
    return scrapes >= 20 ? [] : [`${scrapes} scrapes so far`];
  });
  expect(missing).toEqual([]);
  browser = await startBrowser(chromiumPath());
  dir = mkdtempSync(path.join(tmpdir(), "o11y-preview-e2e-"));
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled([...servers.map((s) => s.stop()), exporter.close()]);
  removeFolders();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("draws every panel with data from the end-to-end Prometheus, on every dashboard", async () => {
  const dashboards = dashboardsOf(artifacts);
  expect(dashboards.map((d) => d.uid)).toEqual(model.dashboards.map((d) => d.uid).sort());
  const client = new PrometheusClient({ url: prometheusUrl });
  const data = await fetchPreviewData(dashboards, client, {
    from: "now-30s",
    nowMs: Date.now(),
    scrapeMs: scrapeIntervalSeconds * 1000,
  });
  for (const file of previewPages(dashboards, { data }))
    writeFileSync(path.join(dir, file.path), file.content);

  const failures: string[] = [];
  for (const dashboard of dashboards) {
    const panels = [...data.get(dashboard.uid)!.panels].filter(([panel]) => panel.type === "timeseries");
    const looked = await look(await browser.open(path.join(dir, dashboard.page)));
    let lines = 0;
    for (const [panel, answers] of panels as Array<[PanelJson, (typeof panels)[number][1]]>) {
      const refused = answers.filter((a) => a.error).map((a) => `${a.refId}: ${a.error}`);
      if (refused.length) failures.push(`${dashboard.uid} panel ${panel.id}: ${refused.join("; ")}`);
      // A line needs two points in a row.
      const series = answers.flatMap((a) => a.series);
      const drawable = series.filter((s) =>
        s.points.some((p, i) => p[1] !== null && s.points[i + 1]?.[1] != null),
      );
      if (!drawable.length) continue;
      const pixels = await linePixels(looked, `#panel-${panel.id}`, series.length);
      if (pixels < 20)
        failures.push(
          `${dashboard.uid} panel ${panel.id} "${panel.title}": ${drawable.length} series came back (${drawable[0]!.name}: ${drawable[0]!.points.length} points), yet its plot shows ${pixels} pixels of their lines`,
        );
      else lines++;
    }
    if (lines === 0) failures.push(`${dashboard.uid}: no panel drew a line`);
    await looked.page.close();
  }
  expect(failures).toEqual([]);
  expect(client.requests).toBeGreaterThan(50);
  // A browser page per dashboard on a loaded machine takes its time.
}, 240_000);

it("o11y preview --prometheus --png writes a page per dashboard with its data, and a picture of each", async () => {
  const out = path.join(dir, "cli");
  // Not spawnSync: the exporter serves from this process, and Prometheus keeps scraping it meanwhile.
  const child = spawn(
    process.execPath,
    ["bin/o11y.js", "preview", "--out", out, "--prometheus", prometheusUrl, "--from", "now-30s", "--png"],
    { cwd: projectRoot, env: { ...process.env, NO_COLOR: "1" } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "close")) as [number];
  expect(code, stderr).toBe(0);
  const count = model.dashboards.length;
  expect(stdout).toMatch(new RegExp(`^previewed ${count} dashboard\\(s\\) with data, with pictures, into `));
  expect(stderr).toMatch(
    new RegExp(
      `^note: asked http://127\\.0\\.0\\.1:\\d+ \\d+ request\\(s\\) for ${count} dashboard\\(s\\)$`,
      "m",
    ),
  );
  const files = readdirSync(out).sort();
  for (const uid of model.dashboards.map((d) => d.uid)) {
    expect(files).toContain(`${uid}.html`);
    expect(files).toContain(`${uid}.png`);
    const page = readFileSync(path.join(out, `${uid}.html`), "utf8");
    // Data embedded, drawn by the inlined uPlot: the page needs nothing but itself.
    expect(page).toContain('<script type="application/json" id="o11y-data">');
    expect(page).toContain("https://github.com/leeoniya/uPlot (v1.6.32)");
    expect(page).not.toMatch(/<(script|link|img)[^>]* (src|href)=/);
    expect(decode(readFileSync(path.join(out, `${uid}.png`))).width).toBe(1600);
  }
}, 300_000);
