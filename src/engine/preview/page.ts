/**
 * A dashboard as a static, self-contained HTML page (styles, uPlot and the data inline; it opens from disk), and
 * an index of them. The grid is laid out by CSS as Grafana lays it out (layout.ts). Every text from a dashboard
 * (titles, descriptions, queries, links) or a server (series names, errors) is escaped for HTML, and a
 * Content-Security-Policy lets only the page's own scripts run, so a hostile name can neither write markup nor
 * run code. Without data, the same input gives the same bytes.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { humanize } from "../diff/diff.ts";
import { htmlText } from "../escape.ts";
import { redactSecrets } from "../secrets.ts";
import {
  gridColumns,
  gridMargin,
  gridRowHeight,
  layOut,
  type PanelJson,
  type PlacedPanel,
  type Section,
} from "./layout.ts";
import { panelInfo, type PanelInfo, type ThresholdStep } from "./panels.ts";
import type { QueryData } from "./query.ts";

/** A dashboard to preview: its Grafana JSON and the page it gets. */
export interface PreviewDashboard {
  uid: string;
  title: string;
  json: Record<string, unknown>;
  /** The page's file name, `<uid>.html`. */
  page: string;
}

/** Data drawn on the pages, and where it came from. */
export interface PreviewData {
  url: string;
  /** Unix seconds. */
  from: number;
  to: number;
  /** Each panel's answers, by the panel's JSON object. */
  panels: Map<PanelJson, QueryData[]>;
}

export interface PageOptions {
  data?: PreviewData;
  /** The dashboard's picture, beside the page, to link from the index. */
  picture?: string;
}

/** A file name for a dashboard's page and picture: its uid when it is one (uids of our builds are), else a safe stem. */
export function pageStem(uid: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(uid) && uid !== "index") return uid;
  const hash = createHash("sha256").update(uid).digest("hex").slice(0, 8);
  return `${uid.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60)}-${hash}`;
}

const require = createRequire(import.meta.url);
let assets: { uplotJs: string; uplotCss: string; drawJs: string; uplotVersion: string } | undefined;

/** uPlot (its JS and CSS, from the pinned npm package) and our drawing script, to inline into each page. */
function pageAssets() {
  assets ??= {
    uplotJs: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    uplotCss: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    drawJs: readFileSync(new URL("./client/draw.js", import.meta.url), "utf8"),
    uplotVersion: (
      JSON.parse(readFileSync(require.resolve("uplot/package.json"), "utf8")) as { version: string }
    ).version,
  };
  return assets;
}

const cspHash = (script: string) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`;

/** JSON inside `<script type="application/json">`: no `<` can close the element, no line separator breaks it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];

/** A Grafana colour that is safe in CSS: a hex colour, rgb()/rgba() of numbers, or a named one; else grey. */
export function safeColor(color: string): string {
  const named: Record<string, string> = {
    green: "#73bf69",
    red: "#f2495c",
    orange: "#ff9830",
    yellow: "#fade2a",
    blue: "#5794f2",
    purple: "#b877d9",
    transparent: "transparent",
    text: "#ccccdc",
  };
  if (/^#[0-9a-fA-F]{3,8}$/.test(color) || /^rgba?\(\s*[\d.]+\s*(,\s*[\d.]+%?\s*){2,3}\)$/.test(color))
    return color;
  const base = color.replace(/^(super-light|light|semi-dark|dark)-/, "");
  return named[base] ?? "#8e8e8e";
}

/** Where a link goes in the preview: a previewed dashboard's page, an http(s) URL as it is, or nowhere (shown as text). */
export function linkHref(url: string, pages: Map<string, string>): string | undefined {
  const dashboard = /^(?:https?:\/\/[^/]+)?(?:\/[^?#]*)?\/d\/([^/?#]+)/.exec(url);
  if (dashboard) {
    const page = pages.get(decodeURIComponent(dashboard[1]!));
    if (page) return page;
  }
  return /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}

function link(title: string, url: string, pages: Map<string, string>, className = ""): string {
  const href = linkHref(url, pages);
  const cls = className ? ` class="${className}"` : "";
  if (href === undefined) return `<span${cls} title="${htmlText(url)}">${htmlText(title)}</span>`;
  const external = /^https?:/i.test(href) ? ' rel="noopener noreferrer" target="_blank"' : "";
  return `<a${cls} href="${htmlText(href)}"${external}>${htmlText(title)}</a>`;
}

const styles = `
:root { color-scheme: dark; --bg: #111217; --panel: #181b1f; --border: #2c3235; --text: #ccccdc; --weak: #8e8e8e; --link: #6e9fff; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; background: var(--bg); color: var(--text); font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
.top h1 { font-size: 20px; margin: 4px 0; font-weight: 500; }
.top p { margin: 4px 0; }
.weak { color: var(--weak); }
.description { white-space: pre-line; max-width: 110ch; }
.links a, .links span { margin-right: 14px; }
.chips span { display: inline-block; border: 1px solid var(--border); border-radius: 3px; padding: 0 6px; margin: 0 4px 2px 0; }
.dashboard { display: flex; flex-direction: column; gap: ${gridMargin}px; margin-top: 16px; }
.grid { display: grid; grid-template-columns: repeat(${gridColumns}, minmax(0, 1fr)); grid-auto-rows: ${gridRowHeight}px; gap: ${gridMargin}px; }
details.row > .grid { margin-top: ${gridMargin}px; }
.row-header { height: ${gridRowHeight}px; display: flex; align-items: center; gap: 8px; font-size: 15px; font-weight: 500; cursor: pointer; list-style: none; }
.row-header::-webkit-details-marker { display: none; }
.row-header::before { content: "▾"; width: 1em; color: var(--weak); }
details.row:not([open]) > .row-header::before { content: "▸"; }
.row-header .count { font-size: 12px; color: var(--weak); font-weight: 400; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 2px; display: flex; flex-direction: column; min-width: 0; min-height: 0; padding: 4px 8px 6px; position: relative; }
.panel-header { display: flex; align-items: baseline; gap: 6px; min-width: 0; height: 20px; flex: none; }
.panel-title { font-size: 13px; font-weight: 500; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.panel-info { color: var(--weak); cursor: help; border: 1px solid var(--weak); border-radius: 50%; width: 13px; height: 13px; font-size: 10px; line-height: 11px; text-align: center; flex: none; font-style: italic; }
.panel-type { margin-left: auto; color: var(--weak); font-size: 11px; flex: none; }
.panel-meta { color: var(--weak); font-size: 11px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: none; }
.threshold { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin: 0 2px 0 6px; }
.panel-body { flex: 1; min-height: 0; overflow: hidden; position: relative; display: flex; flex-direction: column; justify-content: center; }
.panel-description { white-space: pre-line; color: var(--text); margin: 2px 0; overflow: hidden; font-size: 12px; align-self: stretch; flex: 1; }
.panel-note { color: var(--weak); text-align: center; margin: 0; }
.panel-error { color: #f2495c; white-space: pre-wrap; margin: 0; overflow: hidden; font-size: 12px; }
.panel-queries { position: absolute; right: 6px; bottom: 2px; font-size: 11px; }
.panel-queries > summary { color: var(--weak); cursor: pointer; list-style: none; }
.panel-queries > summary::-webkit-details-marker { display: none; }
.panel-queries[open] > .queries { position: absolute; right: 0; bottom: 18px; z-index: 10; width: min(640px, 80vw); max-height: 60vh; overflow: auto; background: #22252b; border: 1px solid var(--border); padding: 8px; box-shadow: 0 4px 16px #000a; }
.queries pre { white-space: pre-wrap; word-break: break-word; margin: 2px 0 8px; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; color: #e0e0ea; }
.queries .label { color: var(--weak); }
.plot, .sparkline { flex: none; }
.sparkline { position: absolute; inset: 0; opacity: 0.9; }
.stat-value { position: relative; font-size: 28px; font-weight: 500; text-align: center; white-space: nowrap; }
.legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0 12px; font-size: 11px; max-height: 3.2em; overflow: hidden; flex: none; }
.legend .swatch { display: inline-block; width: 12px; height: 3px; margin-right: 4px; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--border); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 30ch; }
td.number { text-align: right; }
.index-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 12px; margin-top: 16px; }
.index-list article { background: var(--panel); border: 1px solid var(--border); padding: 10px 12px; }
.index-list h2 { font-size: 15px; margin: 0 0 4px; font-weight: 500; }
`;

function page(title: string, body: string, data: unknown | undefined): string {
  const { uplotJs, uplotCss, drawJs } = pageAssets();
  const scripts = data === undefined ? [] : [uplotJs, drawJs];
  // Only the page's own scripts run; the data block is not a script.
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src data:",
    `script-src ${scripts.length ? scripts.map(cspHash).join(" ") : "'none'"}`,
  ].join("; ");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="o11y preview">',
    `<title>${htmlText(title)}</title>`,
    data === undefined ? "" : `<style>${uplotCss}</style>`,
    `<style>${styles}</style>`,
    "</head>",
    "<body>",
    body,
    data === undefined ? "" : `<script type="application/json" id="o11y-data">${scriptJson(data)}</script>`,
    ...scripts.map((script) => `<script>${script}</script>`),
    "</body>",
    "</html>",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function thresholdChips(steps: ThresholdStep[], unit: string | undefined): string {
  if (!steps.length) return "";
  const chips = steps.map((s) => {
    const value = s.value === null ? "base" : (humanize(s.value, unit) ?? String(s.value));
    return `<span class="threshold" style="background:${safeColor(s.color)}"></span>${htmlText(value)}`;
  });
  return ` · thresholds:${chips.join("")}`;
}

function queriesBlock(info: PanelInfo, answers: QueryData[] | undefined, pages: Map<string, string>): string {
  if (!info.queries.length && !info.links.length) return "";
  const items = info.queries.map((q) => {
    const sent = answers?.find((a) => a.refId === q.refId)?.sent;
    const details = [
      q.legendFormat ? `legend ${htmlText(q.legendFormat)}` : "",
      q.instant ? "instant" : "",
      q.format !== "time_series" ? `format ${htmlText(q.format)}` : "",
      q.hidden ? "hidden" : "",
    ].filter(Boolean);
    const head = `<div class="label">${htmlText(q.refId)}${details.length ? ` · ${details.join(" · ")}` : ""}</div>`;
    const asSent =
      sent !== undefined && sent !== q.expr
        ? `<div class="label">as sent</div><pre>${htmlText(sent)}</pre>`
        : "";
    return `${head}<pre>${htmlText(q.expr)}</pre>${asSent}`;
  });
  const links = info.links.length
    ? `<div class="label">links</div><p>${info.links.map((l) => link(l.title, l.url, pages)).join(" · ")}</p>`
    : "";
  const count = info.queries.length;
  return `<details class="panel-queries"><summary>${count} quer${count === 1 ? "y" : "ies"}</summary><div class="queries">${items.join("")}${links}</div></details>`;
}

/** What a panel's box holds: its header, unit and thresholds, its description or data, its queries on demand. */
function panelBox(
  placed: PlacedPanel,
  key: number,
  pages: Map<string, string>,
  data: PreviewData | undefined,
): { html: string; drawn?: unknown } {
  const info = panelInfo(placed.panel);
  const { x, y, w, h } = placed.box;
  const answers = data?.panels.get(placed.panel);
  const meta = [
    info.unit ? `unit ${htmlText(info.unit)}` : "",
    info.decimals !== undefined ? `decimals ${info.decimals}` : "",
  ].filter(Boolean);
  const metaLine = `${meta.join(" · ") || "no unit"}${thresholdChips(info.thresholds, info.unit)}`;
  let body: string;
  let drawn: unknown;
  const errors = (answers ?? []).filter((a) => a.error).map((a) => `${a.refId}: ${a.error}`);
  const series = (answers ?? []).reduce((n, a) => n + a.series.length, 0);
  if (info.type === "text") body = `<p class="panel-description">${htmlText(info.content ?? "")}</p>`;
  else if (!data) body = `<p class="panel-description">${htmlText(info.description)}</p>`;
  else if (errors.length) body = `<p class="panel-error">${htmlText(redactSecrets(errors.join("\n")))}</p>`;
  else if (!info.queries.length) body = `<p class="panel-note">no queries</p>`;
  else if (series === 0) body = `<p class="panel-note">No data</p>`;
  else {
    body = "";
    const options = record(placed.panel.options);
    drawn = {
      type: info.type,
      unit: info.unit,
      decimals: info.decimals,
      min: info.min,
      max: info.max,
      graphMode: typeof options.graphMode === "string" ? options.graphMode : undefined,
      thresholds: info.thresholds.map((s) => ({ value: s.value, color: safeColor(s.color) })),
      queries: (answers ?? []).map((a) => ({
        refId: a.refId,
        series: a.series.map((s) => ({ ...s, name: redactSecrets(s.name) })),
      })),
    };
  }
  const idAttr = info.id === undefined ? "" : ` id="panel-${info.id}" data-panel-id="${info.id}"`;
  const description = info.description
    ? ` <span class="panel-info" title="${htmlText(info.description)}">i</span>`
    : "";
  const html = [
    `<article class="panel" data-key="${key}"${idAttr} data-grid="${x},${y},${w},${h}" style="grid-column:${x + 1} / span ${w};grid-row:${y + 1} / span ${h}">`,
    `<header class="panel-header"><h2 class="panel-title">${htmlText(info.title)}</h2>${description}<span class="panel-type">${htmlText(info.type)}</span></header>`,
    `<div class="panel-meta">${metaLine}</div>`,
    `<div class="panel-body">${body}</div>`,
    queriesBlock(info, answers, pages),
    "</article>",
  ].join("");
  return { html, drawn };
}

function sectionHtml(
  section: Section,
  nextKey: () => number,
  pages: Map<string, string>,
  data: PreviewData | undefined,
  drawn: Record<string, unknown>,
): string {
  const boxes = section.panels.map((placed) => {
    const key = nextKey();
    const box = panelBox(placed, key, pages, data);
    if (box.drawn) drawn[key] = box.drawn;
    return box.html;
  });
  const grid = section.height
    ? `<div class="grid" data-top="${section.top}" style="grid-template-rows:repeat(${section.height}, ${gridRowHeight}px)">${boxes.join("")}</div>`
    : "";
  if (!section.row) return grid;
  const row = section.row;
  const title = typeof row.panel.title === "string" ? row.panel.title : "";
  const count = row.collapsed
    ? ` <span class="count">(${section.panels.length} panel${section.panels.length === 1 ? "" : "s"})</span>`
    : "";
  const id =
    typeof row.panel.id === "number" ? ` id="panel-${row.panel.id}" data-panel-id="${row.panel.id}"` : "";
  return `<details class="row"${row.collapsed ? "" : " open"}${id} data-grid="0,${row.y},${gridColumns},1"><summary class="row-header">${htmlText(title)}${count}</summary>${grid}</details>`;
}

const isoUtc = (seconds: number) => new Date(Math.round(seconds) * 1000).toISOString().replace(".000Z", "Z");

/** The dashboard's page. `all` are every dashboard previewed, for its links. */
export function dashboardPage(
  dashboard: PreviewDashboard,
  all: PreviewDashboard[],
  options: PageOptions = {},
): string {
  const json = dashboard.json;
  const pages = new Map(all.map((d) => [d.uid, d.page]));
  const data = options.data;
  const tags = strings(json.tags);
  const links = (Array.isArray(json.links) ? json.links : []).flatMap((raw) => {
    const l = record(raw);
    if (l.type === "dashboards") {
      const wanted = strings(l.tags);
      return all
        .filter((d) => d.uid !== dashboard.uid && wanted.every((t) => strings(d.json.tags).includes(t)))
        .map((d) => link(d.title, `/d/${d.uid}`, pages));
    }
    return typeof l.url === "string"
      ? [link(typeof l.title === "string" ? l.title : l.url, l.url, pages)]
      : [];
  });
  const variables = record(json.templating).list;
  const chips = (Array.isArray(variables) ? variables : []).flatMap((raw) => {
    const v = record(raw);
    if (typeof v.name !== "string" || v.type === "adhoc") return [];
    const current = record(v.current);
    const shown = Array.isArray(current.text)
      ? current.text.join(", ")
      : String(current.text ?? current.value ?? "");
    return [`<span>$${htmlText(v.name)} = ${htmlText(shown)}</span>`];
  });
  const time = record(json.time);
  const range = `${htmlText(String(time.from ?? "now-6h"))} to ${htmlText(String(time.to ?? "now"))}`;
  const source = data
    ? `Data from ${htmlText(redactSecrets(data.url))}, ${isoUtc(data.from)} to ${isoUtc(data.to)}; the dashboard's time range is ${range}.`
    : `Layout only (time range ${range}); <code>o11y preview --prometheus &lt;url&gt;</code> draws data.`;
  let key = 0;
  const drawn: Record<string, unknown> = {};
  const sections = layOut(Array.isArray(json.panels) ? (json.panels as PanelJson[]) : []).map((s) =>
    sectionHtml(s, () => key++, pages, data, drawn),
  );
  const body = [
    '<header class="top">',
    `<p><a href="index.html">All dashboards</a></p>`,
    `<h1>${htmlText(dashboard.title)}</h1>`,
    `<p class="weak">uid ${htmlText(dashboard.uid)}${tags.length ? ` · tags ${tags.map(htmlText).join(", ")}` : ""}</p>`,
    typeof json.description === "string" ? `<p class="description">${htmlText(json.description)}</p>` : "",
    links.length ? `<p class="links">${links.join("")}</p>` : "",
    chips.length ? `<p class="chips">${chips.join("")}</p>` : "",
    `<p class="weak">${source}</p>`,
    "</header>",
    `<main class="dashboard" id="dashboard">${sections.join("")}</main>`,
  ].join("\n");
  return page(`${dashboard.title} · o11y preview`, body, data ? { panels: drawn } : undefined);
}

/** The index: every dashboard with its description, its size, and its picture when there is one. */
export function indexPage(
  dashboards: PreviewDashboard[],
  options: { data?: { url: string; from: number; to: number }; pictures?: Map<string, string> } = {},
): string {
  const items = dashboards.map((d) => {
    const panels = Array.isArray(d.json.panels) ? (d.json.panels as PanelJson[]) : [];
    const rows = panels.filter((p) => p.type === "row");
    const count =
      panels.filter((p) => p.type !== "row").length + rows.reduce((n, r) => n + (r.panels?.length ?? 0), 0);
    const description = typeof d.json.description === "string" ? d.json.description.split("\n\n")[0]! : "";
    const picture = options.pictures?.get(d.uid);
    return [
      "<article>",
      `<h2><a href="${htmlText(d.page)}">${htmlText(d.title)}</a></h2>`,
      `<p class="weak">uid ${htmlText(d.uid)} · ${count} panel${count === 1 ? "" : "s"} in ${rows.length} row${rows.length === 1 ? "" : "s"}${picture ? ` · <a href="${htmlText(picture)}">picture</a>` : ""}</p>`,
      description ? `<p class="description">${htmlText(description)}</p>` : "",
      "</article>",
    ].join("");
  });
  const source = options.data
    ? `Data from ${htmlText(redactSecrets(options.data.url))}, each dashboard over its own default time range, up to ${isoUtc(options.data.to)}.`
    : "Layout only; <code>o11y preview --prometheus &lt;url&gt;</code> draws data.";
  const body = [
    '<header class="top">',
    "<h1>Dashboards</h1>",
    `<p class="weak">${dashboards.length} dashboard${dashboards.length === 1 ? "" : "s"}, previewed by o11y. ${source}</p>`,
    "</header>",
    `<main class="index-list">${items.join("")}</main>`,
  ].join("\n");
  return page("Dashboards · o11y preview", body, undefined);
}

/** uPlot's version, for the command to say what drew the pages. */
export function uplotVersion(): string {
  return pageAssets().uplotVersion;
}
