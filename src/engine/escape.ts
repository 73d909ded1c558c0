/**
 * Text from definitions, rule files and tools, escaped for where it lands. Whatever the input, the result
 * stays text in its place: in Markdown it renders as itself on one line (no table cell, heading, HTML,
 * comment, link or emphasis of its own); on a terminal or in a CI log nothing in it acts (no control
 * character, escape sequence or bidi override, no GitHub workflow command).
 */

/**
 * Characters that act on a terminal or hide or reorder text: controls (C0, DEL, C1), format characters
 * (bidi overrides and isolates, zero-width ones, soft hyphen, tags), line and paragraph separators, and
 * surrogates that pair with nothing.
 */
const hidden = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `\n`, `\x1b`, `\u202e`, `\u{e0041}`: the code point, spelled out where it can be seen. */
function spelled(char: string): string {
  const known = named[char];
  if (known) return known;
  const code = char.codePointAt(0)!;
  const hex = code.toString(16);
  if (code <= 0xff) return `\\x${hex.padStart(2, "0")}`;
  return code <= 0xffff ? `\\u${hex.padStart(4, "0")}` : `\\u{${hex}}`;
}

/** `text` with every hidden character spelled out (`\x1b`, `\u202e`); backslashes are left as they are. */
export function spellHidden(text: string): string {
  return text.replace(hidden, spelled);
}

// GitHub's runner reads a line as a workflow command when, after leading white space, it starts with `::`
// (`::error ...::`), or when it holds `##[` anywhere (the legacy form, `##[error]...`). It compares with
// .NET's culture-aware matching, which skips default-ignorable characters, so those count as absent.
const commandStart = /^([\s\p{DI}]*):(?=\p{DI}*:)/u;
const legacyCommand = /#(\p{DI}*)#(\p{DI}*)\[/gu;

/**
 * One line of terminal or log text: hidden characters spelled out, line breaks included (`\n`), and no
 * workflow command, wherever on a line it is placed (a leading `::` becomes `\x3a:`, `##[` becomes `##\x5b`).
 */
export function terminalText(text: string): string {
  return spellHidden(text).replace(legacyCommand, "#$1#$2\\x5b").replace(commandStart, "$1\\x3a");
}

/** Several lines of terminal text: each line break of `text` (LF or CRLF) stays one, each line as `terminalText`. */
export function terminalLines(text: string): string[] {
  return text.split(/\r?\n/).map(terminalText);
}

/**
 * A whole JSON text made safe to print: the characters JSON.stringify leaves raw that a terminal would act
 * on (DEL, C1, bidi and other format characters, line separators) become `\uXXXX` escapes, and `##[` becomes
 * `##\u005b`. The JSON parses to the same value. (JSON.stringify already escapes C0 and lone surrogates, and
 * no line of pretty-printed JSON starts with `::`.)
 */
export function jsonForTerminal(json: string): string {
  // Per UTF-16 unit: JSON spells a character beyond the BMP as its surrogate pair.
  const unicodeEscape = (char: string) =>
    char
      .split("")
      .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join("");
  return json
    .replace(/[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu, unicodeEscape)
    .replace(legacyCommand, "#$1#$2\\u005b");
}

/**
 * The message of a GitHub workflow command (after the second `::`): `%`, CR and LF percent-encoded, as the
 * runner decodes them. Line breaks in `text` become line breaks of the annotation.
 */
export function githubCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property value of a GitHub workflow command (`file=`, `title=`): also `:` and `,`, which end it. */
export function githubCommandProperty(text: string): string {
  return githubCommandData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Any line break a Markdown renderer or an editor would honour. */
const lineBreak = /\r\n|[\n\r\u0085\u2028\u2029]/g;

/**
 * Escaped Markdown text kept from becoming a link by itself (GFM's autolink literals, `http://x`, `www.x`):
 * inside such a link GitHub shows the source as it is, so our escapes (`\\`, `\|`, a spelled-out `\x00`) would
 * show doubled and change the address. A backslash before the `:` of `://` (any scheme: GitHub links `ftp://`
 * too) or the `.` of `www.` keeps it text and shows the same character. An e-mail address still becomes a link:
 * GitHub finds it in the text after escapes are undone, so it shows as written.
 * `markdown` must hold no escaped `:` or `.` of its own (a `\` before them is an escaped backslash).
 */
export function withoutAutolinks(markdown: string): string {
  return markdown.replace(/:(?=\/\/)/g, "\\:").replace(/(?<=www)\./gi, "\\.");
}

/**
 * Text placed inline in Markdown (a paragraph, a list item, a heading, a link's text): it renders as
 * itself. Line breaks become spaces; `<` becomes `&lt;`, so no HTML, comment or marker can be written; characters
 * that would start emphasis, code, a link, a strikethrough, an entity or a table cell are backslash-escaped; so
 * is a character that would start a block (heading, quote, list, thematic break) at the start, and the `:` of `://`
 * and the `.` of `www.`, which would make a link of the text. Hidden characters are spelled out (`\u202e`).
 * Underscores inside words stay as they are (`phoenix_http_requests_total`): they cannot emphasize.
 */
export function markdownInline(text: string): string {
  const flat = spellHidden(text.replace(lineBreak, " ")).trim();
  const wordChar = /[\p{L}\p{N}]/u;
  let out = "";
  for (let i = 0; i < flat.length; i++) {
    const char = flat[i]!;
    if (char === "_")
      out += wordChar.test(flat[i - 1] ?? "") && wordChar.test(flat[i + 1] ?? "") ? "_" : "\\_";
    else if (char === "&") out += /[#\p{L}\p{N}]/u.test(flat[i + 1] ?? "") ? "\\&" : "&";
    else if (char === "<") out += "&lt;";
    else out += "\\`*[]|~".includes(char) ? `\\${char}` : char;
  }
  // At the start of a block: `# h`, `> q`, `- l`, `+ l`, `= (setext)`, `1. l`, `1) l`; `:` so that no line starts a workflow
  // command. At the end, `#`s that a heading would take for its closing sequence.
  return withoutAutolinks(out)
    .replace(/^[#>+=:-]/, "\\$&")
    .replace(/^(\d+)([.)])/, "$1\\$2")
    .replace(/(?<!^|\\)#(?=#*$)/, "\\#");
}

/** A table cell of a GitHub-flavoured Markdown table: `markdownInline`, which keeps it one line and escapes `|`. */
export function markdownTableCell(text: string): string {
  return markdownInline(text);
}

/**
 * Inline code that shows `text` exactly (PromQL, a label value): a backtick fence longer than any run of
 * backticks inside, line breaks as spaces, hidden characters spelled out. In a table cell, `|` must be
 * `\|` even inside code (GitHub unescapes it there); elsewhere a backslash in code is shown as it is.
 */
export function markdownCode(text: string, place: "inline" | "table-cell" = "inline"): string {
  let content = spellHidden(text.replace(lineBreak, " "));
  if (place === "table-cell") content = content.replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  // A space on each side keeps a backtick at either end out of the fence; one of each is stripped when rendered.
  const padded = /^`|`$/.test(content) || /^ .*[^ ].* $/.test(content) ? ` ${content} ` : content;
  return `${fence}${padded === "" ? " " : padded}${fence}`;
}

/**
 * A link destination (`[text](here)`): characters that cannot stand in a URL or that would end the
 * destination, the link or the table cell are percent-encoded (`%20`, `%3C`, `%7C`, `%28`), hidden ones too.
 */
export function markdownLinkDestination(url: string): string {
  return url.replace(/[\p{Cc}\p{Cf}\p{Z}\p{Cs}<>"`|\\{}^()[\]]/gu, (char) => {
    if (/\p{Cs}/u.test(char)) return "%EF%BF%BD";
    return [...new TextEncoder().encode(char)]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
      .join("");
  });
}

/**
 * Text in an HTML page, as element content or a quoted attribute value: it stays text (`&`, `<`, `>`, `"` and
 * `'` become entities), and hidden characters are spelled out (`\u202e`) but for line breaks and tabs, which the
 * page may lay out (a description, a query).
 */
export function htmlText(text: string): string {
  return text
    .replace(hidden, (char) => (char === "\n" || char === "\t" ? char : spelled(char)))
    .replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
