/**
 * Since which Grafana version a dashboard's parts are known: its `schemaVersion`, and each panel type with the options
 * we write for it. Our own table; where a version is not documented by Grafana it is the first release known to write
 * or read it (an upper bound), with where that was seen.
 */

/** schemaVersion -> the Grafana release that writes it (and so reads it). */
export const schemaVersionSince: Record<number, { version: string; seen: string }> = {
  39: { version: "10.4.0", seen: "dashboards exported from Grafana 10.4 (grafana/grafonnet#196)" },
  40: { version: "11.5.0", seen: "dashboards exported from Grafana 11.5.1 (miyurud/jasminegraph#286)" },
  41: { version: "11.6.0", seen: "dashboards exported from Grafana 11.6.0 (miyurud/jasminegraph#286)" },
  42: {
    version: "12.2.0",
    seen: "migration V42, hideFrom.tooltip (grafana/grafana#110517, merged 2025-09-05; Grafana 12.2.0 was released 2025-09-23)",
  },
};

/** Panel type -> the Grafana release since which it exists in the form we write (the new heatmap: `calculate`). */
export const panelTypeSince: Record<string, string> = {
  row: "5.0.0",
  text: "7.0.0",
  stat: "7.0.0",
  gauge: "7.0.0",
  bargauge: "7.0.0",
  table: "7.0.0",
  timeseries: "8.0.0",
  piechart: "8.0.0",
  "state-timeline": "8.0.0",
  "status-history": "8.0.0",
  barchart: "8.3.0",
  heatmap: "9.1.0",
};

/** `12.2.0` as numbers; undefined when it is not a version. */
export function parseVersion(text: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** Negative when `a` is older than `b`. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
