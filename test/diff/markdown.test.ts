/**
 * The review comment's text escaping (src/engine/diff/markdown.ts), judged by a real GitHub-flavoured Markdown
 * renderer: a bare URL stays text that shows exactly as written, in a table cell and in prose (GitHub would make
 * a link of it and show its escapes doubled); an e-mail address is linked by GitHub whatever it is escaped with,
 * and shows as written.
 */
import { describe, expect, it } from "vitest";
import { escapeText } from "../../src/engine/diff/markdown.ts";
import { decode, elements, render, textOf } from "../escape/rendered-markdown.ts";

const cases: Array<{ name: string; text: string; link?: string }> = [
  { name: "an http URL", text: "see http://example.com/a_b?x=1 now" },
  { name: "an https URL followed by a backslash", text: "https://grafana.example.com/d/x\\y" },
  { name: "an upper-case scheme", text: "HTTPS://EXAMPLE.COM/*x*" },
  { name: "an ftp URL (GitHub links it too)", text: "ftp://files.example.com/x" },
  { name: "a www. address with a pipe", text: "open www.example.com/a|b today" },
  { name: "an upper-case WWW. address", text: "WWW.EXAMPLE.COM" },
  { name: "a Markdown link around a URL", text: "[link](http://x)after\\" },
  { name: "a URL with brackets and backticks after it", text: "http://x/[a]`b`" },
  { name: "a URL at the end", text: "dashboard: https://grafana.example.com/d/x" },
  { name: "a URL at the start", text: "http://x/\\" },
  { name: "an e-mail address", text: "owner oncall@example.com", link: "mailto:oncall@example.com" },
];

describe("escapeText keeps bare URLs text", () => {
  const links = (html: string) => [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => decode(m[1]!));

  it.each(cases)("shows $name exactly in a table cell", ({ text, link }) => {
    const html = render(`| a | b |\n|---|---|\n| ${escapeText(text)} | 2 |`);
    expect(elements(html, "td")).toEqual([text, "2"]);
    expect(links(html)).toEqual(link ? [link] : []);
  });

  it.each(cases)("shows $name exactly in a list item", ({ text, link }) => {
    const html = render(`- ${escapeText(text)}: more`);
    expect(textOf(html)).toBe(`${text}: more`);
    expect(links(html)).toEqual(link ? [link] : []);
  });
});
