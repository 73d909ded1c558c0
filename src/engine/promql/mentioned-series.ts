/**
 * The series an expression may read, from its tokens alone: no parse. A superset, for decisions where reading too
 * much only costs time (which rule files a promtool test loads), made where a parse costs more than the rest of the
 * work: lezer's first parses in a process run cold, ~30 ms for the rules of a build that has nothing else to parse.
 *
 * `names` holds every identifier outside string literals and comments, so every metric name a selector writes is
 * in it (with label names, function names and keywords beside them). `unnamed` is set when the text may select a
 * series it does not name: a `{` that does not follow a name (`{__name__=~"..."}`, `{"utf8.name"}`), or one after a
 * keyword (`x and {job="a"}`), or any mention of `__name__` or of the alerts' state series.
 */

/** Keywords that may come right before a selector's `{` (and other words PromQL reserves): never a metric name there. */
const keywords = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "by",
  "without",
  "offset",
  "atan2",
  "start",
  "end",
  "step",
  "inf",
  "nan",
  "sum",
  "avg",
  "count",
  "min",
  "max",
  "group",
  "stddev",
  "stdvar",
  "topk",
  "bottomk",
  "count_values",
  "quantile",
  "limitk",
  "limit_ratio",
]);

/** Series whose reading depends on what is not written in the text: another rule's state, or any name. */
const readsUnnamed = new Set(["__name__", "ALERTS", "ALERTS_FOR_STATE"]);

const identifierStart = /[A-Za-z_:]/;
const identifierPart = /[A-Za-z0-9_:]/;
const numberStart = /[0-9.]/;
const numberPart = /[A-Za-z0-9_.:]/;

export interface MentionedSeries {
  names: Set<string>;
  unnamed: boolean;
}

export function mentionedSeries(text: string): MentionedSeries {
  const names = new Set<string>();
  let unnamed = false;
  // The previous token when it was an identifier (a name a `{` may follow), else undefined.
  let previous: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (c === '"' || c === "'") {
      // As lezer-promql reads one: to its closing quote, or up to a line's end (left unclosed, with no error).
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      i = text[j] === c ? j + 1 : j;
      previous = undefined;
      continue;
    }
    if (c === "`") {
      const end = text.indexOf("`", i + 1);
      i = end < 0 ? text.length : end + 1;
      previous = undefined;
      continue;
    }
    if (identifierStart.test(c)) {
      let j = i + 1;
      while (j < text.length && identifierPart.test(text[j]!)) j++;
      previous = text.slice(i, j);
      names.add(previous);
      if (readsUnnamed.has(previous)) unnamed = true;
      i = j;
      continue;
    }
    if (numberStart.test(c)) {
      let j = i + 1;
      while (j < text.length && numberPart.test(text[j]!)) j++;
      i = j;
      previous = undefined;
      continue;
    }
    if (c === "{" && (previous === undefined || keywords.has(previous.toLowerCase()))) unnamed = true;
    previous = undefined;
    i++;
  }
  return { names, unnamed };
}
