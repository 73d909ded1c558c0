/**
 * Every string a pull request controls (names, titles, expressions, URLs, labels) reaches the review comment
 * through these: it cannot break a table, open a heading or a code block, fake the comment's marker with an
 * HTML comment, or start a line the Actions runner would read as a workflow command (`::`).
 */

import { withoutAutolinks } from "../escape.ts";

/** Zero-width space: breaks `<!--` (or a leading `::`) in raw text without changing what a reader sees. */
const breaker = "\u200b";

/** One line: newlines and tabs shown as spaces, `<!--` broken so it cannot open (or fake) an HTML comment. */
function oneLine(text: string): string {
  return text
    .replace(/\r\n?|\n/g, " ↵ ")
    .replace(/\t/g, " ")
    .replace(/<!--/g, `<${breaker}!--`);
}

/**
 * Plain prose, on one line: what Markdown or HTML would read as markup is escaped (emphasis, code, links,
 * tags, table pipes, a heading or quote at the start, a bare URL that GitHub would link), the rest left as written
 * so it stays readable raw.
 */
export function escapeText(text: string): string {
  const line = oneLine(text);
  // One tilde alone cannot strike anything through (HEAD~1 stays as written); two can.
  const special = (line.match(/~/g) ?? []).length > 1 ? /[\\`*[\]<|~]/g : /[\\`*[\]<|]/g;
  return withoutAutolinks(line.replace(special, (c) => `\\${c}`))
    .replace(/(^|[^\p{L}\p{N}])_|_(?=$|[^\p{L}\p{N}])/gu, (m) => m.replace("_", "\\_"))
    .replace(/&(?=#?[a-zA-Z0-9]+;)/g, "&amp;")
    .replace(/^(\s*)([#>+=-])/, "$1\\$2");
}

/** Inline code, on one line, in a table cell or prose; long values shortened. Empty text is no code at all. */
export function code(text: string | undefined, max = 160): string {
  if (text === undefined || text === "") return "";
  let value = oneLine(text);
  if (value.length > max) value = `${value.slice(0, max - 1)}…`;
  // A fence longer than any run of backticks inside; padded so a leading or trailing backtick stays inside.
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : "";
  // In a table, a pipe ends the cell even inside code: GitHub reads `\|` there as a pipe.
  return `${fence}${pad}${value.replace(/\|/g, "\\|")}${pad}${fence}`;
}

/** A fenced block of lines (a diff): the fence is longer than any run of backticks in them. */
export function fencedBlock(language: string, lines: string[]): string {
  const body = lines.map((line) => line.replace(/\r/g, "").replace(/<!--/g, `<${breaker}!--`));
  const longest = Math.max(2, ...body.flatMap((line) => [...line.matchAll(/`+/g)].map((m) => m[0].length)));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${body.join("\n")}\n${fence}`;
}

/**
 * The last pass over a whole document: no line may begin (after spaces) with `::`, which GitHub's runner
 * reads as a workflow command when the output reaches a step's log.
 */
export function withoutWorkflowCommands(text: string): string {
  return text.replace(/^(\s*)::/gm, `$1${breaker}::`);
}
