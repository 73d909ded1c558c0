/** Line diffs for expressions, and the PromQL spelling that reformatting cannot change. */

export interface LineChange {
  op: " " | "-" | "+";
  line: string;
}

/** A longest-common-subsequence line diff: expressions are a few lines, so the quadratic table is fine. */
export function lineDiff(before: string, after: string): LineChange[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] =
        a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: " ", line: a[i++]! });
      j++;
    } else if (j >= b.length || (i < a.length && common[i + 1]![j]! >= common[i]![j + 1]!))
      out.push({ op: "-", line: a[i++]! });
    else out.push({ op: "+", line: b[j++]! });
  }
  return out;
}

const stringLiteral = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/;

/** Whitespace outside string literals collapsed, and dropped around brackets and commas: for comparison only. */
export function normalizeExpr(expr: string): string {
  return expr
    .split(stringLiteral)
    .map((part, index) =>
      index % 2 === 1 ? part : part.replace(/\s+/g, " ").replace(/ ?([()[\]{},]) ?/g, "$1"),
    )
    .join("")
    .trim();
}
