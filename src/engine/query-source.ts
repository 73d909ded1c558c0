/**
 * Where a character of a dashboard query was written in the TypeScript source. A query is rendered text (the
 * model holds `sum(rate(phoenix_http_request_total{job=~"$job", ...}[...]))`), but its author wrote a template
 * literal at a `query(...)` call: `sum(rate(${requests}{${sel}}[$__rate_interval]))`. Given the call's location,
 * this reads the source file, finds the text the call was given, and maps an offset in the rendered query back
 * through it: a character written in the template to its own line and column, a character that an interpolation
 * produced to the interpolation's `${` (or, when the interpolation calls a helper of the same file that returns a
 * template literal, through that template in turn). Whatever it cannot follow it leaves at the call.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot, type SourceLocation } from "./source.ts";
import { lineAt, lineStarts } from "./text.ts";

/** A template literal (or a quoted string: one part, no interpolation) as written in a file. */
interface Template {
  /** Offset of its opening quote or backtick. */
  start: number;
  /** The literal parts, cooked, each with the file offset of every one of its characters. */
  parts: Array<{ text: string; offsets: number[] }>;
  /** The `${...}` between parts: the offset of `$`, and of the expression inside. */
  holes: Array<{ start: number; exprFrom: number; exprTo: number }>;
}

/** How deep helpers are followed (a helper whose template calls another helper, ...). */
const maxDepth = 8;

const sources = new Map<string, { text: string; starts: number[] } | undefined>();

/**
 * Forgets the texts read so far: a process that builds again after the sources changed (the watch) calls it before
 * each build, so that a query is never placed by the text of an earlier version of its file.
 */
export function forgetSourceTexts(): void {
  sources.clear();
}

/** The project file's text and line starts, read once per build; undefined when it cannot be read. */
function sourceOf(file: string): { text: string; starts: number[] } | undefined {
  if (!sources.has(file)) {
    try {
      const text = readFileSync(path.resolve(projectRoot, file), "utf8");
      sources.set(file, { text, starts: lineStarts(text) });
    } catch {
      sources.set(file, undefined);
    }
  }
  return sources.get(file);
}

/**
 * The source location of `offset` in `rendered`, the text of the query whose `query()` call is at `call` (file,
 * line and column). Undefined when the text was not written there: the call was given a variable or the result of
 * a function this file does not define (a helper module's `query(expr)`), so the caller knows better.
 */
export function locateInQuery(
  call: SourceLocation,
  rendered: string,
  offset: number,
): SourceLocation | undefined {
  const source = sourceOf(call.file);
  if (!source || call.column === undefined || call.line < 1 || call.line > source.starts.length)
    return undefined;
  const { text, starts } = source;
  let found: number | undefined;
  try {
    const argument = firstArgument(text, starts[call.line - 1]! + call.column - 1);
    found = argument === undefined ? undefined : mapArgument(text, argument, rendered, offset, 0);
  } catch {
    // Text this reader does not follow (an escape no string may hold, say): the caller's location stands.
    found = undefined;
  }
  if (found === undefined) return undefined;
  const line = lineAt(starts, found);
  return { file: call.file, line, column: found - starts[line - 1]! + 1 };
}

/** The offset of the first argument of the call whose callee starts at (or after, on its line) `from`. */
function firstArgument(text: string, from: number): number | undefined {
  const call = /[A-Za-z_$][\w$]*\s*\(/y;
  const lineEnd = text.indexOf("\n", from);
  for (let i = from; i < (lineEnd === -1 ? text.length : lineEnd); i++) {
    call.lastIndex = i;
    const match = call.exec(text);
    if (match && (i === 0 || !/[\w$]/.test(text[i - 1]!))) return skipSpace(text, i + match[0].length);
  }
  return undefined;
}

/**
 * Where `offset` of `rendered` was written, given that the expression at `at` produced `rendered`: undefined when
 * that expression is no template literal, string or helper of this file, or one whose text does not fit `rendered`
 * (a name that the file defines twice, say).
 */
function mapArgument(
  text: string,
  at: number,
  rendered: string,
  offset: number,
  depth: number,
): number | undefined {
  const template = templateAt(text, at) ?? (depth < maxDepth ? helperTemplate(text, at) : undefined);
  return template && mapTemplate(text, template, rendered, offset, depth);
}

function mapTemplate(
  text: string,
  template: Template,
  rendered: string,
  offset: number,
  depth: number,
): number | undefined {
  const spans = align(template, rendered);
  if (!spans) return undefined;
  for (let i = 0; i < template.parts.length; i++) {
    const part = spans.parts[i]!;
    if (offset >= part.from && offset < part.from + template.parts[i]!.text.length)
      return template.parts[i]!.offsets[offset - part.from]!;
    const hole = template.holes[i];
    const value = spans.values[i];
    if (!hole || !value || offset < value.from || offset >= value.to) continue;
    // Inside what an interpolation produced: through a helper's own template, else at the `${`.
    if (depth >= maxDepth) return hole.start;
    const inner = skipSpace(text, hole.exprFrom);
    const mapped = mapArgument(
      text,
      inner,
      rendered.slice(value.from, value.to),
      offset - value.from,
      depth + 1,
    );
    return mapped ?? hole.start;
  }
  // The end of the text (a syntax error there): just after the template's last character.
  const last = template.parts.at(-1)!;
  return last.offsets.length ? last.offsets.at(-1)! + 1 : template.start;
}

/**
 * Where each literal part and each interpolated value lies in `rendered`: the first part a prefix, the last a
 * suffix, the others found in order from the left. Undefined when the text does not fit the template.
 */
function align(
  template: Template,
  rendered: string,
): { parts: Array<{ from: number }>; values: Array<{ from: number; to: number }> } | undefined {
  const parts: Array<{ from: number }> = [];
  const values: Array<{ from: number; to: number }> = [];
  const count = template.parts.length;
  const first = template.parts[0]!.text;
  if (!rendered.startsWith(first)) return undefined;
  parts.push({ from: 0 });
  let at = first.length;
  for (let i = 1; i < count; i++) {
    const part = template.parts[i]!.text;
    const from =
      i === count - 1
        ? rendered.endsWith(part) && rendered.length - part.length >= at
          ? rendered.length - part.length
          : -1
        : rendered.indexOf(part, at);
    if (from < 0) return undefined;
    values.push({ from: at, to: from });
    parts.push({ from });
    at = from + part.length;
  }
  return at === rendered.length ? { parts, values } : undefined;
}

/** The template literal or quoted string starting at `at` (parentheses around it allowed), if one does. */
function templateAt(text: string, at: number): Template | undefined {
  let i = at;
  while (text[i] === "(") i = skipSpace(text, i + 1);
  const quote = text[i];
  if (quote === "`") return readTemplate(text, i);
  if (quote === '"' || quote === "'") return readQuoted(text, i);
  return undefined;
}

/** `name(...)` or `name` at `at`, where the same file defines `name` as an arrow function, function or constant whose value is a template. */
function helperTemplate(text: string, at: number): Template | undefined {
  const name = /[A-Za-z_$][\w$]*/y;
  name.lastIndex = at;
  const match = name.exec(text);
  if (!match) return undefined;
  const id = match[0].replace(/\$/g, "\\$");
  const definitions = [
    // const name = (a, b = "le") => `...`, const name = a => `...`, with a return type or not
    new RegExp(
      String.raw`\b(?:const|let|var)\s+${id}\s*(?::[^=]*)?=\s*(?:\([^()]*(?:\([^()]*\)[^()]*)*\)|[A-Za-z_$][\w$]*)\s*(?::[^=]*)?=>\s*`,
      "g",
    ),
    // function name(...) { return `...` }
    new RegExp(
      String.raw`\bfunction\s+${id}\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*(?::[^{]*)?\{\s*return\s+`,
      "g",
    ),
    // const name = `...`
    new RegExp(String.raw`\b(?:const|let|var)\s+${id}\s*(?::[^=]*)?=\s*(?=[\`"'])`, "g"),
  ];
  for (const definition of definitions) {
    const found = definition.exec(text);
    if (found) return templateAt(text, found.index + found[0].length);
  }
  return undefined;
}

/** The cooked value of an escape sequence at `i` (just after the backslash), and where it ends. */
function escape(text: string, i: number): { value: string; end: number } {
  const c = text[i]!;
  const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", 0: "\0" };
  if (c in simple) return { value: simple[c]!, end: i + 1 };
  if (c === "\r" && text[i + 1] === "\n") return { value: "", end: i + 2 };
  if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") return { value: "", end: i + 1 };
  if (c === "x") return { value: String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16)), end: i + 3 };
  if (c === "u") {
    if (text[i + 1] === "{") {
      const close = text.indexOf("}", i);
      return { value: String.fromCodePoint(parseInt(text.slice(i + 2, close), 16)), end: close + 1 };
    }
    return { value: String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16)), end: i + 5 };
  }
  return { value: c, end: i + 1 };
}

/** A quoted string as a template of one part. */
function readQuoted(text: string, start: number): Template | undefined {
  const quote = text[start];
  const part = { text: "", offsets: [] as number[] };
  for (let i = start + 1; i < text.length;) {
    const c = text[i]!;
    if (c === quote) return { start, parts: [part], holes: [] };
    if (c === "\n") return undefined;
    if (c === "\\") {
      const { value, end } = escape(text, i + 1);
      for (const ch of value) {
        part.text += ch;
        part.offsets.push(i);
      }
      i = end;
      continue;
    }
    part.text += c;
    part.offsets.push(i);
    i++;
  }
  return undefined;
}

/** A template literal: its cooked parts (CRLF read as LF, as JavaScript does) and its interpolations. */
function readTemplate(text: string, start: number): Template | undefined {
  const template: Template = { start, parts: [], holes: [] };
  let part = { text: "", offsets: [] as number[] };
  for (let i = start + 1; i < text.length;) {
    const c = text[i]!;
    if (c === "`") {
      template.parts.push(part);
      return template;
    }
    if (c === "\\") {
      const { value, end } = escape(text, i + 1);
      for (let k = 0; k < value.length; k++) {
        part.text += value[k];
        part.offsets.push(i);
      }
      i = end;
      continue;
    }
    if (c === "$" && text[i + 1] === "{") {
      const exprTo = skipExpression(text, i + 2);
      if (exprTo === undefined) return undefined;
      template.parts.push(part);
      template.holes.push({ start: i, exprFrom: i + 2, exprTo });
      part = { text: "", offsets: [] };
      i = exprTo + 1;
      continue;
    }
    const crlf = c === "\r" && text[i + 1] === "\n";
    part.text += crlf ? "\n" : c;
    part.offsets.push(i);
    i += crlf ? 2 : 1;
  }
  return undefined;
}

/** The offset of the `}` that closes an interpolation whose expression starts at `from`. */
function skipExpression(text: string, from: number): number | undefined {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    } else if (c === '"' || c === "'") {
      const end = readQuoted(text, i);
      if (!end) return undefined;
      i = closingQuote(text, i);
    } else if (c === "`") {
      const inner = readTemplate(text, i);
      if (!inner) return undefined;
      i = templateEnd(text, i);
    } else if (c === "/" && text[i + 1] === "/") i = text.indexOf("\n", i);
    else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? -1 : end + 1;
    }
    if (i < 0) return undefined;
  }
  return undefined;
}

function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

function templateEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "`") return i;
    else if (c === "$" && text[i + 1] === "{") {
      const end = skipExpression(text, i + 2);
      if (end === undefined) return text.length;
      i = end;
    }
  }
  return text.length;
}

/** The first offset from `i` that is not whitespace or a comment. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith("//", i)) i = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
    else if (text.startsWith("/*", i))
      i = text.indexOf("*/", i) === -1 ? text.length : text.indexOf("*/", i) + 2;
    else return i;
  }
}
