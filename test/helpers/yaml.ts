/** The classic billion laughs as a rule file: nine levels of nine aliases each, some 10^9 strings once expanded. */
export const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi"
    .split("")
    .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`),
  "groups:",
  "  - name: laughs",
  "    rules:",
  "      - alert: Laughs",
  "        expr: up == 0",
  "        labels: {lol: *i}",
].join("\n");
