/** locateInQuery on source text it must read without hanging or throwing, whatever a file holds. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateInQuery } from "../../src/engine/query-source.ts";

const dir = mkdtempSync(path.join(tmpdir(), "o11y-query-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/** Writes `source` to a file and locates `offset` of `rendered` for the query() call on its first line. */
function locate(source: string, rendered: string, offset: number) {
  const file = path.join(dir, `case-${count++}.ts`);
  writeFileSync(file, source);
  return locateInQuery({ file, line: 1, column: 1 }, rendered, offset);
}

describe("locateInQuery", () => {
  it("reads past comments and braces inside an interpolation", () => {
    const source = 'query(`sum(${/* } */ metric}{bad="1"})`)';
    const rendered = 'sum(up{bad="1"})';
    expect(locate(source, rendered, rendered.indexOf("bad"))).toMatchObject({
      line: 1,
      column: source.indexOf("bad") + 1,
    });
  });

  it("gives up, without throwing, on an escape no string may hold", () => {
    expect(locate('query(`up{x="\\u{zzzz}"}`)', 'up{x="?"}', 3)).toBeUndefined();
  });

  it("gives up, without hanging, on an interpolation that never ends", () => {
    expect(locate("query(`up${ /* never closed", "up1", 2)).toBeUndefined();
  });

  it("gives up on text that does not fit the template", () => {
    expect(locate("query(`sum(up)`)", "max(up)", 1)).toBeUndefined();
  });

  it("follows a CRLF line break in a template as one character", () => {
    const source = "query(`sum(\r\n  upp)`)";
    const rendered = "sum(\n  upp)";
    expect(locate(source, rendered, rendered.indexOf("upp"))).toMatchObject({ line: 2, column: 3 });
  });
});
