/**
 * Preloaded (`node --import`) into a run of bin/o11y.js: when it exits, every source map the run registered for a
 * script (the cached bundle's) is asked where each of its segments, the columns beside them and every line's ends
 * come from, and so is Node's own SourceMap of the same map. Prints one line: `o11y-map-comparison <json>`.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { pathToFileURL } from "node:url";

const marker = "\n//# sourceMappingURL=data:application/json;base64,";

process.on("exit", () => {
  const maps = globalThis[Symbol.for("o11y.scriptSourceMaps")] ?? new Map();
  const results = [];
  for (const [file, registered] of maps) {
    const ours = registered();
    const text = readFileSync(file, "latin1");
    const payload = JSON.parse(
      Buffer.from(text.slice(text.lastIndexOf(marker) + marker.length).trim(), "base64").toString("utf8"),
    );
    const entries = payload.x_o11yEntries ?? [];
    payload.sources = payload.sources.map((source) => new URL(source, pathToFileURL(file)).href);
    const nodes = new SourceMap(payload);
    const positions = [];
    for (let i = 0; i < entries.length; i += 5)
      for (const step of [-1, 0, 1]) positions.push([entries[i], entries[i + 1] + step]);
    text.split("\n").forEach((line, index) => positions.push([index, 0], [index, line.length], [index, 1e9]));
    const differences = [];
    let mapped = 0;
    for (const [line, column] of positions) {
      const [a, b] = [ours.findEntry(line, column), nodes.findEntry(line, column)];
      if (b.originalSource !== undefined) mapped++;
      if (
        a.originalSource !== b.originalSource ||
        a.originalLine !== b.originalLine ||
        a.originalColumn !== b.originalColumn
      )
        differences.push({ line, column, ours: a, nodes: b });
    }
    results.push({
      segments: entries.length / 5,
      positions: positions.length,
      mapped,
      differences: differences.slice(0, 5),
    });
  }
  process.stderr.write(`o11y-map-comparison ${JSON.stringify(results)}\n`);
});
