/**
 * Every PromQL diagnostic of a dashboard query points at the character in the TypeScript source that it is about:
 * its line and column in the template literal given to query(), through interpolations and the helpers of the
 * same file that return templates; at the `${` when the character came from an interpolated value; at the panel
 * when the query's text came from elsewhere (a helper module's `query(expr)`).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/engine/diagnostics.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { positionsDashboard } from "../fixtures/query-positions.ts";
import { compileWith, lineOf } from "../helpers/project.ts";

const file = "test/fixtures/query-positions.ts";
const text = readFileSync(path.join(projectRoot, file), "utf8");

/** file:line:column of the `occurrence`-th (from 0) appearance of `needle` in the fixture. */
function at(needle: string, occurrence = 0): { file: string; line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${needle} (#${occurrence}) is not in ${file}`);
  }
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { file, line, column: index - before.lastIndexOf("\n") };
}

const diagnostics: Diagnostic[] = compileWith([positionsDashboard]).diagnostics.filter((d) =>
  d.subject.startsWith("dashboard query-positions"),
);
const of = (panel: number, check: string) =>
  diagnostics.filter((d) => d.subject.includes(`panel ${panel} `) && d.check === check);

describe("PromQL diagnostics in dashboards point at the query's own line and column", () => {
  it("a label written in the template: at that label", () => {
    expect(of(1, "promql/unknown-label").map((d) => d.source)).toEqual([at("by (methd)")]);
  });

  it("on a later line of a multi-line template, with an escape before it on that line", () => {
    const found = of(2, "promql/unknown-label");
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining("label pth is not on")]);
    expect(found.map((d) => d.source)).toEqual([at('pth="/"')]);
    // The expression's own position is still given, counted in the query's text.
    expect(found[0]!.position).toEqual({ line: 2, column: expect.any(Number) });
  });

  it("a mistake an interpolated value brought in: at the interpolation's ${", () => {
    expect(of(3, "promql/unknown-label").map((d) => d.source)).toEqual([at("${misspeltMatcher}")]);
  });

  it("a mistake in a helper's template, through a helper that interpolates it: in the helper", () => {
    expect(of(4, "promql/rate-window").map((d) => d.source)).toEqual([at("5m]))`;")]);
  });

  it("a quoted string, escapes and all: at its character", () => {
    expect(of(5, "promql/unknown-label").map((d) => d.source)).toEqual([at('methd=\\"GET')]);
  });

  it("a concatenation is not followed: at the panel, where stat() is called", () => {
    expect(of(7, "promql/unknown-label").map((d) => d.source)).toEqual([
      { file, line: lineOf(text, "stat({ id, title") },
    ]);
  });

  it("a query written in a helper module's query(expr): at the panel that called the helper", () => {
    expect(of(6, "promql/rate-window").map((d) => d.source)).toEqual([
      { file, line: lineOf(text, "MARK:helper-module") },
    ]);
  });

  it("every query finding of the fixture is placed in the fixture", () => {
    expect(diagnostics.length).toBeGreaterThanOrEqual(6);
    for (const d of diagnostics) expect(d.source.file).toBe(file);
  });
});
