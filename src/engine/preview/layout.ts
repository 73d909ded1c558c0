/**
 * The grid as Grafana lays a dashboard out: 24 columns, rows of 30 px with 8 px between them, each panel at
 * its `gridPos`, floated up into any free space above it (Grafana's grid compacts vertically), and a row
 * taking the full width and one grid row. A collapsed row holds its panels; they are laid out below it, as
 * Grafana lays them out when the row is opened.
 */

export const gridColumns = 24;
/** Pixels. */
export const gridRowHeight = 30;
export const gridMargin = 8;

export interface GridBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A panel as the dashboard JSON has it; the preview reads only these fields of it. */
export interface PanelJson {
  type?: string;
  id?: number;
  title?: string;
  gridPos?: Partial<GridBox>;
  collapsed?: boolean;
  panels?: PanelJson[];
  [key: string]: unknown;
}

export interface PlacedPanel {
  panel: PanelJson;
  /** In grid units; `y` counted from the top of its section's grid. */
  box: GridBox;
}

/** A row and the panels under it (the first section, before any row, has none). */
export interface Section {
  row?: { panel: PanelJson; y: number; collapsed: boolean };
  /** `y` of the section's first grid row on the dashboard (the row below the row's header). */
  top: number;
  /** Grid rows the section's panels take. */
  height: number;
  panels: PlacedPanel[];
}

const isRow = (panel: PanelJson) => panel.type === "row";

function boxOf(panel: PanelJson): GridBox {
  const at = panel.gridPos ?? {};
  const int = (value: unknown, fallback: number, min: number, max: number) =>
    typeof value === "number" && Number.isFinite(value)
      ? Math.min(max, Math.max(min, Math.round(value)))
      : fallback;
  const w = isRow(panel) ? gridColumns : int(at.w, 12, 1, gridColumns);
  return {
    x: isRow(panel) ? 0 : int(at.x, 0, 0, gridColumns - w),
    y: int(at.y, 0, 0, 100_000),
    w,
    h: isRow(panel) ? 1 : int(at.h, 8, 1, 1000),
  };
}

const overlaps = (a: GridBox, b: GridBox) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Every box floated up as far as the boxes above it let it, in the order of their position (top, then left). */
export function compact<T extends { box: GridBox }>(items: T[]): T[] {
  const order = [...items].sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  const placed: T[] = [];
  for (const item of order) {
    const box = { ...item.box };
    const collides = () => placed.find((p) => overlaps(p.box, box));
    while (box.y > 0) {
      box.y--;
      if (collides()) {
        box.y++;
        break;
      }
    }
    for (let hit = collides(); hit; hit = collides()) box.y = hit.box.y + hit.box.h;
    placed.push({ ...item, box });
  }
  return placed;
}

/** The dashboard's top-level panels and rows, laid out, split into sections at each row. */
export function layOut(panels: PanelJson[]): Section[] {
  const placed = compact(panels.map((panel) => ({ panel, box: boxOf(panel) })));
  const sections: Section[] = [];
  let current: Section = { top: 0, height: 0, panels: [] };
  const close = (next: number) => {
    if (!current.row?.collapsed) current.height = Math.max(0, next - current.top);
    if (current.row || current.panels.length) sections.push(current);
  };
  for (const item of placed) {
    if (!isRow(item.panel)) {
      // A panel below a collapsed row, with no row after it, is shown below that row's header.
      if (current.row?.collapsed) {
        sections.push(current);
        current = { top: current.row.y + 1, height: 0, panels: [] };
      }
      current.panels.push({ panel: item.panel, box: { ...item.box, y: item.box.y - current.top } });
      continue;
    }
    close(item.box.y);
    const collapsed = item.panel.collapsed === true;
    current = {
      row: { panel: item.panel, y: item.box.y, collapsed },
      top: item.box.y + 1,
      height: 0,
      panels: [],
    };
    // A collapsed row's own panels, laid out as they will be below it when it is opened.
    if (collapsed) {
      const inner = compact(
        (item.panel.panels ?? []).filter((p) => !isRow(p)).map((panel) => ({ panel, box: boxOf(panel) })),
      );
      const first = Math.min(...inner.map((p) => p.box.y));
      current.panels = inner.map((p) => ({ panel: p.panel, box: { ...p.box, y: p.box.y - first } }));
    }
  }
  const bottom = (section: Section) => Math.max(0, ...section.panels.map((p) => p.box.y + p.box.h));
  close(current.top + bottom(current));
  // A collapsed section's height is its own panels', shown only when it is opened; the next row follows the header.
  for (const section of sections) if (section.row?.collapsed) section.height = bottom(section);
  return sections;
}

/** The pixel box of a grid box in a grid `width` pixels wide, as Grafana's grid computes it. */
export function pixelBox(
  box: GridBox,
  width: number,
): { left: number; top: number; width: number; height: number } {
  const column = (width - gridMargin * (gridColumns - 1)) / gridColumns;
  return {
    left: box.x * (column + gridMargin),
    top: box.y * (gridRowHeight + gridMargin),
    width: box.w * column + (box.w - 1) * gridMargin,
    height: box.h * gridRowHeight + (box.h - 1) * gridMargin,
  };
}
