/**
 * Markdown escaping, judged by a real GitHub-flavoured Markdown renderer (micromark with its GFM extension,
 * raw HTML allowed through as GitHub's sanitizer would see it): escaped text renders as itself, in its one
 * place, and makes no element of its own.
 */
import { describe, expect, it } from "vitest";
import {
  markdownCode,
  markdownInline,
  markdownLinkDestination,
  markdownTableCell,
  spellHidden,
} from "../../src/engine/escape.ts";
import { hostileAndUrlPieces, hostilePieces, randomStrings } from "./random.ts";
import {
  codeOf,
  decode,
  elements,
  linked,
  render,
  shown,
  tags,
  textOf,
  without,
} from "./rendered-markdown.ts";

const named: Array<{ name: string; text: string }> = [
  {
    name: "a pipe, a newline and a playbook heading (the issue's summary)",
    text: "5xx | high\n### Alert: x",
  },
  { name: "the table's end marker", text: "<!-- o11y:alert-table:end -->" },
  { name: "an HTML comment left open", text: "before <!-- after" },
  { name: "a script tag", text: "<script>alert(1)</script>" },
  { name: "an autolink and a raw URL in angle brackets", text: "<https://example.com> <a@b.c>" },
  { name: "emphasis, strong and strikethrough", text: "*em* **strong** _em_ __strong__ ~one~ ~~two~~" },
  { name: "code spans", text: "`code` ``two`` ```" },
  {
    name: "a link, an image, a reference and a footnote",
    text: "[text](https://x) ![alt](https://x/i.png) [ref][1] [^1]",
  },
  { name: "entities", text: "&amp; &lt;b&gt; &#60; &#x3C; &copy; R&D" },
  { name: "backslashes before punctuation", text: "\\* \\| a\\ b \\\\" },
  { name: "a heading at the start", text: "## Heading" },
  { name: "a heading's closing sequence at the end", text: "rate ##" },
  { name: "a quote at the start", text: "> quoted" },
  { name: "a list item at the start", text: "- item" },
  { name: "an ordered list item at the start", text: "1. item" },
  { name: "an ordered list item with a parenthesis", text: "12) item" },
  { name: "a thematic break", text: "***" },
  { name: "a thematic break of dashes", text: "---" },
  { name: "a fence", text: "```promql" },
  { name: "a tilde fence", text: "~~~" },
  { name: "a setext underline", text: "===" },
  { name: "a task list box", text: "[ ] todo" },
  { name: "a table delimiter row", text: "|---|---|" },
  { name: "a CRLF and a lone CR", text: "one\r\ntwo\rthree" },
  { name: "Unicode line and paragraph separators", text: "one\u2028two\u2029three\u0085four" },
  {
    name: "terminal escapes and bidi overrides",
    text: "\u001b[31mred\u001b[0m \u202egnp.exe\u202c \u2066x\u2069",
  },
  { name: "zero-width and soft hyphen", text: "up\u200b\u00adtime" },
  { name: "a lone surrogate", text: "a\ud800b" },
  { name: "a workflow command", text: "::error::pwned" },
  { name: "underscores inside a metric name stay as they are", text: "phoenix_http_requests_total" },
  { name: "leading and trailing blanks", text: "   padded\t " },
  { name: "nothing", text: "" },
];

describe("markdownInline", () => {
  it.each(named)("renders $name as itself in a paragraph", ({ text }) => {
    const html = render(`x ${markdownInline(text)} y`);
    expect(without(tags(html), linked(text))).toEqual(["p", "/p"]);
    expect(textOf(html)).toBe(`x ${shown(text)} y`.trim());
  });

  it.each(named)(
    "renders $name as itself where a block starts (a line, a list item, a heading)",
    ({ text }) => {
      const escaped = markdownInline(text);
      if (shown(text) !== "") {
        expect(without(tags(render(escaped)), linked(text))).toEqual(["p", "/p"]);
        expect(textOf(render(escaped))).toBe(shown(text));
      }
      expect(without(tags(render(`- ${escaped}`)), ["p", "/p", ...linked(text)])).toEqual([
        "ul",
        "li",
        "/li",
        "/ul",
      ]);
      expect(textOf(render(`- ${escaped}`))).toBe(shown(text));
      expect(without(tags(render(`## ${escaped}`)), linked(text))).toEqual(["h2", "/h2"]);
      expect(textOf(render(`## ${escaped}`))).toBe(shown(text));
    },
  );

  it("leaves plain prose and metric names readable in the Markdown source", () => {
    expect(markdownInline("The API answers more than 5% of requests with a 5xx error.")).toBe(
      "The API answers more than 5% of requests with a 5xx error.",
    );
    expect(markdownInline("Query time p50 / p95 / p99 (phoenix_http_request_duration_seconds)")).toBe(
      "Query time p50 / p95 / p99 (phoenix_http_request_duration_seconds)",
    );
  });

  it("never holds a line break or a `<` (so no HTML, comment or marker)", () => {
    for (const text of randomStrings(101, 500, hostileAndUrlPieces)) {
      const escaped = markdownInline(text);
      expect(escaped).not.toMatch(/[\n\r\u0085\u2028\u2029<]/);
    }
  });

  it("renders random hostile text as itself, in a paragraph and where a block starts", () => {
    for (const text of randomStrings(102, 400, hostileAndUrlPieces)) {
      const escaped = markdownInline(text);
      const paragraph = render(`x ${escaped} y`);
      expect({ text, tags: tags(paragraph) }).toEqual({ text, tags: ["p", "/p"] });
      expect({ text, shown: textOf(paragraph) }).toEqual({ text, shown: `x ${shown(text)} y` });
      const item = render(`- ${escaped}`);
      expect({ text, shown: textOf(item) }).toEqual({ text, shown: shown(text) });
      expect({ text, tags: tags(item).filter((t) => !["p", "/p"].includes(t)) }).toEqual({
        text,
        tags: ["ul", "li", "/li", "/ul"],
      });
    }
  });
});

describe("markdownTableCell", () => {
  const table = (cell: string) => render(`| a | b | c |\n|---|---|---|\n| 1 | ${cell} | 3 |\n| 4 | 5 | 6 |`);

  it.each(named)("keeps $name inside its one cell", ({ text }) => {
    const html = table(markdownTableCell(text));
    expect(elements(html, "td")).toEqual(["1", shown(text), "3", "4", "5", "6"]);
    expect(
      without(tags(html), linked(text)).filter((t) => !/^\/?(table|thead|tbody|tr|th|td)$/.test(t)),
    ).toEqual([]);
  });

  it("keeps random hostile text inside its one cell, and the table's rows where they were", () => {
    for (const text of randomStrings(103, 400, hostileAndUrlPieces)) {
      const html = table(markdownTableCell(text));
      expect({ text, cells: elements(html, "td") }).toEqual({
        text,
        cells: ["1", shown(text), "3", "4", "5", "6"],
      });
      expect({ text, tags: tags(html).filter((t) => !/^\/?(table|thead|tbody|tr|th|td)$/.test(t)) }).toEqual({
        text,
        tags: [],
      });
    }
  });
});

/**
 * Bare URLs and e-mail addresses, which GitHub makes links of by themselves (GFM's autolink literals). Inside such
 * a link GitHub shows the Markdown source as it is, escapes and all, so a URL must stay text: a human reads the
 * runbook, and what matters is that it shows exactly as written, not that it can be clicked. An e-mail address
 * is linked whatever it is escaped with (GitHub finds it after escapes are undone), and shows as written.
 */
const autolinks: Array<{ name: string; text: string; link?: string }> = [
  { name: "an http URL", text: "see http://example.com/a_b?x=1 now" },
  { name: "an https URL", text: "https://grafana.example.com/d/x" },
  { name: "an upper-case scheme", text: "HTTPS://EXAMPLE.COM" },
  { name: "an ftp URL (GitHub links it too)", text: "ftp://files.example.com/x" },
  { name: "a www. address", text: "open www.example.com/x today" },
  { name: "an upper-case WWW. address", text: "WWW.EXAMPLE.COM" },
  { name: "a www. address after punctuation", text: "(www.example.com)" },
  {
    name: "a Markdown link and a hidden character after it (the fuzz's find)",
    text: "[link](http://x)nul\u0000byte",
  },
  { name: "a URL followed by spelled-out characters", text: "http://x/\u001b[31m\u202e" },
  { name: "a URL followed by a pipe, a star and a backslash", text: "http://x/a|b*c\\d" },
  { name: "a www. address followed by a backslash", text: "www.x.com\\" },
  { name: "a URL at the end", text: "runbook: https://wiki.example.com/x" },
  { name: "a URL at the start (its `:` cannot start a workflow command either)", text: "://x" },
  { name: "a scheme alone", text: "http://" },
  { name: "an e-mail address", text: "mail oncall@example.com now", link: "mailto:oncall@example.com" },
  { name: "an e-mail address after a backslash", text: "\\a_b@example.com", link: "mailto:a_b@example.com" },
];

describe("bare URLs and e-mail addresses (GFM autolink literals)", () => {
  const table = (cell: string) => render(`| a | b |\n|---|---|\n| ${cell} | 2 |`);
  const links = (html: string) => [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => decode(m[1]!));

  it.each(autolinks)(
    "shows $name exactly in a table cell, a link only if an e-mail address",
    ({ text, link }) => {
      const html = table(markdownTableCell(text));
      expect(elements(html, "td")).toEqual([shown(text), "2"]);
      expect(links(html)).toEqual(link ? [link] : []);
    },
  );

  it.each(autolinks)("shows $name exactly in a paragraph and in a link's text", ({ text, link }) => {
    const paragraph = render(`x ${markdownInline(text)} y`);
    expect(textOf(paragraph)).toBe(`x ${shown(text)} y`);
    expect(links(paragraph)).toEqual(link ? [link] : []);
    const linkText = render(`[${markdownInline(text)}](#here)`);
    expect(textOf(linkText)).toBe(shown(text));
    expect(links(linkText)[0]).toBe("#here");
  });
});

describe("markdownCode", () => {
  const codeCases = [
    "rate(x[5m]) > 0.05",
    "a `tick` and ``two``",
    "`",
    "``",
    " lead",
    "trail ",
    " both ",
    "  ",
    'sum by (le) (x{a=~"1|2"})',
    "<!-- o11y:alert-table:end -->",
    "one\ntwo",
    "\u001b[31m\u202e",
  ];

  it.each(codeCases)("shows %j exactly, in a paragraph and in a table cell", (text) => {
    const expected = spellHidden(text.replace(/\r\n|[\n\r]/g, " "));
    expect(codeOf(render(`x ${markdownCode(text)} y`))).toEqual([expected]);
    const html = render(`| a | b |\n|---|---|\n| ${markdownCode(text, "table-cell")} | 2 |`);
    expect(codeOf(html)).toEqual([expected]);
    expect(elements(html, "td")[1]).toBe("2");
  });

  it("shows random hostile text exactly, in a table cell", () => {
    for (const text of randomStrings(104, 300, hostilePieces)) {
      const expected = spellHidden(text.replace(/\r\n|[\n\r\u0085\u2028\u2029]/g, " "));
      const html = render(`| a | b |\n|---|---|\n| ${markdownCode(text, "table-cell")} | 2 |`);
      // Nothing at all is shown as one space: an empty code span cannot be written.
      expect({ text, code: codeOf(html), last: elements(html, "td")[1] }).toEqual({
        text,
        code: [expected === "" ? " " : expected],
        last: "2",
      });
    }
  });
});

describe("markdownLinkDestination", () => {
  const urls = [
    "http://localhost:3000/d/gs-phoenix-metrics?viewPanel=301",
    "#alert-high-5xx-error-rate",
    "https://grafana.example.com/a b/(c)?x=<y>&z=|w|",
    "https://x/\u202e\u001b[31m",
    "https://x/a)](javascript:alert(1))",
    "https://x/<!-- o11y:alert-table:end -->",
  ];

  it.each(urls)("keeps %j one link, in a table cell, with the same target", (url) => {
    const destination = markdownLinkDestination(url);
    expect(destination).not.toMatch(/[\s<>|()\p{Cc}\p{Cf}]/u);
    const html = render(`| a | b |\n|---|---|\n| [text](${destination}) | 2 |`);
    expect(tags(html).filter((t) => !/^\/?(table|thead|tbody|tr|th|td)$/.test(t))).toEqual(["a", "/a"]);
    expect(elements(html, "td")[1]).toBe("2");
    const href = /<a href="([^"]*)"/.exec(html)![1]!;
    expect(decodeURIComponent(decode(href))).toBe(url);
  });

  it("leaves an ordinary URL as it is", () => {
    expect(markdownLinkDestination("http://localhost:3000/d/gs-phoenix-metrics?viewPanel=301")).toBe(
      "http://localhost:3000/d/gs-phoenix-metrics?viewPanel=301",
    );
  });
});
