/** Seeded random strings for the escaping properties: the same cases on every run, so a failure can be replayed. */

/** mulberry32: a small, well-known 32-bit generator. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `count` strings of 0-`maxLength` pieces drawn from `pieces` (characters, or longer tokens such as `<!--`). */
export function randomStrings(
  seed: number,
  count: number,
  pieces: readonly string[],
  maxLength = 24,
): string[] {
  const next = generator(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(next() * (maxLength + 1));
    let text = "";
    for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)]!;
    return text;
  });
}

/** Every character that means something to Markdown, a terminal or a CI log, with some plain ones. */
export const hostilePieces: readonly string[] = [
  ..."abcxyz019 ",
  ..."\\`*_{}[]()#+-.!|<>~=&:;\"'^$%,/?",
  "\n",
  "\r",
  "\r\n",
  "\t",
  "\u0000",
  "\u0007",
  "\u001b",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u00a0",
  "\u00ad",
  "\u034f",
  "\u200b",
  "\u200d",
  "\u2028",
  "\u2029",
  "\u202e",
  "\u2066",
  "\ufeff",
  "\ud800",
  "\udc00",
  "\u{e0041}",
  "é",
  "😀",
  "::",
  "##[",
  "<!--",
  "-->",
  "<!-- o11y:alert-table:end -->",
  "### Alert: x",
  "<script>",
  "&amp;",
  "&#60;",
  "```",
  "~~~",
  "1.",
  "---",
];

/** With what would make a link of text by itself on GitHub (GFM's autolink literals): a scheme's `://`, `www.`. */
export const hostileAndUrlPieces: readonly string[] = [
  ...hostilePieces,
  "http://",
  "HTTPS://",
  "ftp://",
  "www.",
  "WWW.",
];
