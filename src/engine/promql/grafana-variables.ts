/**
 * Grafana template variables inside PromQL. lezer-promql cannot parse `$__rate_interval` or `${job}`, so
 * before parsing each variable outside a string literal is replaced by a valid token of the same length:
 * a duration inside `[...]`, a number elsewhere. Positions in the parse tree then map back one to one.
 */
// A name starts with a letter or underscore: `$1` is a regex group in label_replace, which Grafana leaves alone.
const variablePattern =
  /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g;

export interface VariableUse {
  name: string;
  /** Offset in the expression. */
  from: number;
  to: number;
  insideString: boolean;
}

/** Offsets covered by string literals (honoring backslash escapes) and by comments. */
function stringRanges(expr: string): { strings: Array<[number, number]>; comments: Array<[number, number]> } {
  const ranges: Array<[number, number]> = [];
  const comments: Array<[number, number]> = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === "\\" && quote !== "`") i++;
      else if (c === quote) {
        ranges.push([start, i + 1]);
        quote = null;
      }
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
      start = i;
    } else if (c === "#") {
      // A comment runs to the end of the line.
      const end = expr.indexOf("\n", i);
      comments.push([i, end === -1 ? expr.length : end]);
      i = end === -1 ? expr.length : end;
    }
  }
  if (quote) ranges.push([start, expr.length]);
  return { strings: ranges, comments };
}

export function findVariables(expr: string): VariableUse[] {
  const { strings, comments } = stringRanges(expr);
  const uses: VariableUse[] = [];
  for (const match of expr.matchAll(variablePattern)) {
    const from = match.index;
    const to = from + match[0].length;
    if (comments.some(([s, e]) => from >= s && to <= e)) continue;
    // `[[var]]` is ambiguous with nothing in PromQL but `$` is not special, so every match is a variable.
    const insideString = strings.some(([s, e]) => from > s && to <= e);
    uses.push({ name: match[1] ?? match[2] ?? match[3]!, from, to, insideString });
  }
  return uses;
}

/** The next character at or after `from` (or before it, going back) that is not whitespace. */
function nextNonSpace(expr: string, from: number, step: 1 | -1): string | undefined {
  for (let i = from; i >= 0 && i < expr.length; i += step) if (!/\s/.test(expr[i]!)) return expr[i];
  return undefined;
}

/**
 * The expression with every variable outside a string replaced by a same-length placeholder. `uses` are
 * `findVariables(expr)`, when the caller has them already.
 */
export function substituteVariables(expr: string, uses: VariableUse[] = findVariables(expr)): string {
  let out = "";
  let last = 0;
  for (const use of uses) {
    if (use.insideString) continue;
    const length = use.to - use.from;
    const after = nextNonSpace(expr, use.to, 1);
    const inRange = nextNonSpace(expr, use.from - 1, -1) === "[" || after === "]" || after === ":";
    const placeholder = inRange && length >= 2 ? `${"0".repeat(length - 2)}1m` : "1".repeat(length);
    out += expr.slice(last, use.from) + placeholder;
    last = use.to;
  }
  return out + expr.slice(last);
}

/** Variables Grafana defines itself; dashboards may use them without declaring them. */
export const grafanaBuiltinVariables = new Set([
  "__rate_interval",
  "__interval",
  "__interval_ms",
  "__range",
  "__range_s",
  "__range_ms",
  "__from",
  "__to",
  "__dashboard",
  "__org",
  "__user",
  "__name",
  "__all",
  "__timeFilter",
]);

/** Offsets of the expression's `#` comments (outside string literals). */
export function commentRanges(expr: string): Array<[number, number]> {
  return stringRanges(expr).comments;
}
