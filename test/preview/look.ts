/**
 * What a preview page shows, read from a real browser: each panel's box on the screenshot, checked against the
 * box Grafana's grid gives its gridPos (the element's bounding box, and the pixels at its edges), and whether a
 * panel's plot area holds a drawn line.
 */
import type { Page } from "playwright-core";
import { gridColumns, gridMargin, gridRowHeight } from "../../src/engine/preview/layout.ts";
import { countNear, decode, hex, near, type Box, type Picture, type Rgb } from "./pixels.ts";

/** The page's colours (page.ts): background, panel background, panel border; and the first series' colour. */
export const colors = {
  page: hex("#111217"),
  panel: hex("#181b1f"),
  border: hex("#2c3235"),
};

/** The colours series are drawn in, in order (draw.js's palette, Grafana's classic one). */
export const seriesColors = [
  "#7eb26d",
  "#eab839",
  "#6ed0e0",
  "#ef843c",
  "#e24d42",
  "#1f78c1",
  "#ba43a9",
  "#705da0",
  "#508642",
  "#cca300",
].map(hex);

export interface Looked {
  page: Page;
  picture: Picture;
  /** The dashboard grid's box on the page. */
  grid: Box;
}

/** The page, opened and photographed whole. */
export async function look(page: Page): Promise<Looked> {
  const grid = await page.locator("#dashboard").boundingBox();
  if (!grid) throw new Error("the page has no #dashboard grid");
  const picture = decode(await page.screenshot({ fullPage: true, type: "png" }));
  return { page, picture, grid };
}

/** Where Grafana puts a gridPos in a grid `width` pixels wide, from the grid's top left corner. */
export function expectedBox(gridPos: [number, number, number, number], grid: Box): Box {
  const [x, y, w, h] = gridPos;
  const column = (grid.width - gridMargin * (gridColumns - 1)) / gridColumns;
  return {
    x: grid.x + x * (column + gridMargin),
    y: grid.y + y * (gridRowHeight + gridMargin),
    width: w * column + (w - 1) * gridMargin,
    height: h * gridRowHeight + (h - 1) * gridMargin,
  };
}

const say = (box: Box) =>
  `x=${box.x.toFixed(1)} y=${box.y.toFixed(1)} w=${box.width.toFixed(1)} h=${box.height.toFixed(1)}`;
const sayRgb = (rgb: Rgb) => `rgb(${rgb.join(",")})`;

/**
 * Failures, one line each, of the element `selector` against the box its gridPos gives: its bounding box within a
 * pixel, and on the screenshot the panel's border just inside each edge and the page's background just outside.
 */
export async function boxFailures(
  looked: Looked,
  selector: string,
  gridPos: [number, number, number, number],
  options: { bordered: boolean } = { bordered: true },
): Promise<string[]> {
  const expected = expectedBox(gridPos, looked.grid);
  const actual = await looked.page.locator(selector).boundingBox();
  if (!actual) return [`${selector}: not shown; gridPos ${gridPos} puts it at ${say(expected)}`];
  const failures: string[] = [];
  const off = (["x", "y", "width", "height"] as const).filter((k) => Math.abs(actual[k] - expected[k]) > 1);
  if (off.length)
    failures.push(`${selector}: its box is ${say(actual)}; gridPos ${gridPos} puts it at ${say(expected)}`);
  // The picture: midpoints of each edge, one pixel inside (the border) and three outside (the page: the gap is 8 px).
  const { x, y, width, height } = expected;
  const edges: Array<[string, number, number, number, number]> = [
    ["left", x, y + height / 2, -1, 0],
    ["right", x + width - 1, y + height / 2, 1, 0],
    ["top", x + width / 2, y, 0, -1],
    ["bottom", x + width / 2, y + height - 1, 0, 1],
  ];
  for (const [edge, ex, ey, dx, dy] of edges) {
    const inside = looked.picture.at(ex, ey);
    const outside = looked.picture.at(ex + 3 * dx, ey + 3 * dy);
    if (options.bordered && !near(inside, colors.border))
      failures.push(
        `${selector}: the ${edge} edge at ${Math.round(ex)},${Math.round(ey)} is ${sayRgb(inside)}, not the panel border ${sayRgb(colors.border)}`,
      );
    if (!near(outside, colors.page))
      failures.push(
        `${selector}: just outside its ${edge} edge, ${Math.round(ex + 3 * dx)},${Math.round(ey + 3 * dy)} is ${sayRgb(outside)}, not the page ${sayRgb(colors.page)}`,
      );
  }
  return failures;
}

/**
 * Pixels in a panel's plot area (uPlot's `.u-over`, the area inside the axes) of the colour of one of its first
 * `series` (a later series may hide an earlier one where their values are equal).
 */
export async function linePixels(looked: Looked, panelSelector: string, series = 1): Promise<number> {
  const colours = seriesColors.slice(0, Math.max(1, Math.min(series, seriesColors.length)));
  const count = (box: Box) =>
    colours.reduce((n, colour) => n + countNear(looked.picture, box, colour, 24), 0);
  const over = looked.page.locator(`${panelSelector} .u-over`);
  const area = (await over.count()) ? await over.first().boundingBox() : null;
  if (!area) {
    // No plot area: then nothing may look like a line anywhere in the panel's body.
    const body = await looked.page.locator(`${panelSelector} .panel-body`).boundingBox();
    return body ? count(body) : 0;
  }
  // A line at the scale's end (values at a panel's min) is drawn on the area's edge: half of it is just outside.
  return count({ x: area.x, y: area.y - 2, width: area.width, height: area.height + 4 });
}
