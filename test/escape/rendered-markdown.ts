/**
 * Markdown as GitHub shows it, for the tests that judge what we write into Markdown: rendered by a real
 * GitHub-flavoured Markdown renderer (micromark with its GFM extension, raw HTML allowed through as GitHub's
 * sanitizer would see it), and the text of its elements read back.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { spellHidden } from "../../src/engine/escape.ts";

export const render = (markdown: string) =>
  micromark(markdown, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
    allowDangerousProtocol: true,
  });

/** The element names of the HTML, in order (micromark writes text `<` as `&lt;`, so every `<` left is a tag or a comment). */
export const tags = (html: string) => [...html.matchAll(/<(!--|\/?[a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!);
export const decode = (html: string) =>
  html
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
/** The text of the HTML, its tags dropped. */
export const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, "")).trim();
/** The text each element of a kind shows, e.g. every `<td>`. */
export const elements = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`<${name}[^>]*>([\\s\\S]*?)</${name}>`, "g"))].map((m) => textOf(m[1]!));

/** What each `<code>` holds, exactly (no trimming). */
export const codeOf = (html: string) =>
  [...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => decode(m[1]!));

/**
 * GitHub links an e-mail address in text (a GFM autolink literal) whatever it is escaped with, but shows it as
 * written; a bare URL (`http://`, `www.`) our escaping keeps from becoming a link.
 */
export const linked = (text: string) => (/@/.test(text) ? ["a", "/a"] : []);
export const without = (list: string[], drop: string[]) => list.filter((t) => !drop.includes(t));

/** What escaped text must show: itself on one line, hidden characters spelled out, without edge spaces. */
export const shown = (text: string) =>
  spellHidden(text.replace(/\r\n|[\n\r\u0085\u2028\u2029]/g, " ")).trim();
