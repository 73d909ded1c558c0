/**
 * Offline checker for Prometheus alert templates (annotation and label values), which are Go text/template
 * strings. Prometheus (`promtool check rules` and rule loading) parses every template after prepending
 *
 *   {{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}
 *
 * and rejects the rule group if the parse fails. This module re-implements the rules of that parse (Go's
 * text/template lexer and parser as of Go 1.19, which built the Prometheus 2.42 we test against) so the build can
 * reject a bad template before writing anything, and say where the problem is. Unlike Go, which stops at the first
 * error, it recovers and reports every problem it can find.
 *
 * On top of what Go's parser rejects it reports three things Prometheus only notices when it renders the template
 * (so `promtool check rules` accepts them): a stray "}}" in plain text, assigning with "=" to a variable that was
 * never declared, and a top-level field other than .Labels, .ExternalLabels, .ExternalURL and .Value.
 */
import { closest, compareText } from "../text.ts";

export interface TemplateProblem {
  /** What is wrong, in plain words, with a hint on how to fix it. */
  message: string;
  /** Offset into the template text (UTF-16 code units, like every JavaScript string index). */
  offset: number;
}

/** The functions Prometheus gives alert templates: its own plus Go's text/template builtins. */
export const alertTemplateFunctions: ReadonlySet<string> = new Set([
  // Prometheus (template/template.go)
  "args",
  "externalURL",
  "first",
  "graphLink",
  "humanize",
  "humanize1024",
  "humanizeDuration",
  "humanizePercentage",
  "humanizeTimestamp",
  "label",
  "match",
  "parseDuration",
  "pathPrefix",
  "query",
  "reReplaceAll",
  "safeHtml",
  "sortByLabel",
  "stripDomain",
  "stripPort",
  "strvalue",
  "tableLink",
  "title",
  "toLower",
  "toTime",
  "toUpper",
  "value",
  // Go text/template builtins
  "and",
  "call",
  "eq",
  "ge",
  "gt",
  "html",
  "index",
  "js",
  "le",
  "len",
  "lt",
  "ne",
  "not",
  "or",
  "print",
  "printf",
  "println",
  "slice",
  "urlquery",
]);

/** Variables Prometheus defines before the template text (see the module comment), plus Go's `$`. */
export const alertTemplateVariables: readonly string[] = [
  "$",
  "$labels",
  "$externalLabels",
  "$externalURL",
  "$value",
];

/** Fields of the value `.` holds at the top level of an alert template. */
const alertDataFields = ["Labels", "ExternalLabels", "ExternalURL", "Value"];

/** Names people reach for from other template languages, and what Prometheus calls them. */
const functionAliases: Record<string, string> = {
  upper: "toUpper",
  lower: "toLower",
  humanise: "humanize",
  humanisePercentage: "humanizePercentage",
  humaniseDuration: "humanizeDuration",
  humaniseTimestamp: "humanizeTimestamp",
};

export function checkAlertTemplate(text: string): TemplateProblem[] {
  return analyse(text).problems;
}

/**
 * The label names the template reads through `$labels.<name>` (also `$.Labels.<name>`, `.Labels.<name>` at the top
 * level, and `index $labels "<name>"`), sorted and without repeats. Best effort on a template with problems: it lists
 * what the parts that parse refer to.
 */
export function templateVariables(text: string): string[] {
  return [...new Set(analyse(text).labels)].sort(compareText);
}

function analyse(text: string): { problems: TemplateProblem[]; labels: string[] } {
  const problems: TemplateProblem[] = [];
  const segments = new Lexer(text, problems).run();
  const parser = new Parser(text, problems);
  parser.run(segments);
  // One problem per place and wording; in text order.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.offset}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.offset - b.offset);
  return { problems: unique, labels: parser.labels };
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer: splits the text into plain text and actions, and each action into tokens.

type TokenKind =
  | "space"
  | "identifier" // a function name
  | "field" // .Name
  | "variable" // $ or $name
  | "dot" // .
  | "bool"
  | "nil"
  | "keyword" // block break continue define else end if range template with
  | "number"
  | "complex" // 1+2i
  | "charConstant" // 'a'
  | "string" // "..."
  | "rawString" // `...`
  | "pipe"
  | "declare" // :=
  | "assign" // =
  | "leftParen"
  | "rightParen"
  | "char" // any other printable ASCII character, e.g. a stray comma
  | "close" // }} or -}}
  | "broken"; // the lexer already reported a problem here; nothing after it in the action can be trusted

interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
}

type Segment = { type: "text"; from: number; to: number } | { type: "action"; open: number; tokens: Token[] };

const keywords = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

/** Go's spaces inside actions (since Go 1.16 an action may span lines). */
function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

const alphaNumeric = /^[\p{L}\p{Nd}_]$/u;

/** Letters (any script), decimal digits and underscore, as Go's identifiers. */
function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && alphaNumeric.test(c);
}

/** The whole code point at i (two code units for characters outside the BMP). */
function codePointAt(s: string, i: number): string | undefined {
  const cp = s.codePointAt(i);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

/** A piece of the template, quoted for a message; string literals are shown as they are written. */
function quoted(s: string): string {
  const short = s.length > 24 ? `${s.slice(0, 24)}...` : s;
  return /^["'`]/.test(s) ? short : JSON.stringify(short);
}

class Lexer {
  private readonly segments: Segment[] = [];

  constructor(
    private readonly src: string,
    private readonly problems: TemplateProblem[],
  ) {}

  private problem(offset: number, message: string): void {
    this.problems.push({ message, offset });
  }

  run(): Segment[] {
    let pos = 0;
    for (;;) {
      const open = this.src.indexOf("{{", pos);
      this.text(pos, open === -1 ? this.src.length : open);
      if (open === -1) break;
      pos = this.action(open);
    }
    return this.segments;
  }

  /** Plain text. Go copies it as is, "}}" included; we report "}}" because it is almost always a typo. */
  private text(from: number, to: number): void {
    if (to <= from) return;
    this.segments.push({ type: "text", from, to });
    for (let i = this.src.indexOf("}}", from); i !== -1 && i + 2 <= to; i = this.src.indexOf("}}", i + 2)) {
      const brace = this.src.lastIndexOf("{", i);
      const hint =
        brace >= from && this.src[brace + 1] !== "{"
          ? `an action starts with "{{", not "{" (see offset ${brace})`
          : `to print "}}" literally write {{ "}}" }}`;
      this.problem(i, `"}}" without a matching "{{" before it (${hint})`);
    }
  }

  /** Where to carry on after a problem inside an action: after its "}}", or at a "{{" that comes first. */
  private resume(from: number): number {
    const close = this.src.indexOf("}}", from);
    const open = this.src.indexOf("{{", from);
    if (open !== -1 && (close === -1 || open < close)) return open;
    return close === -1 ? this.src.length : close + 2;
  }

  /** Scans the action at `open` (the offset of "{{") and returns where the following text starts. */
  private action(open: number): number {
    const src = this.src;
    let p = open + 2;
    if (src[p] === "-" && isSpace(src[p + 1])) p += 2; // left trim marker "{{- "
    if (src.startsWith("/*", p)) return this.comment(p);

    const tokens: Token[] = [];
    const parens: number[] = [];
    const push = (kind: TokenKind, from: number, to: number) =>
      tokens.push({ kind, text: src.slice(from, to), offset: from });
    const fail = (offset: number, message: string, resumeFrom: number): number => {
      this.problem(offset, message);
      push("broken", offset, offset);
      this.segments.push({ type: "action", open, tokens });
      return this.resume(resumeFrom);
    };
    const unclosed = (resumeAt: number, message: string): number => {
      this.problem(
        open,
        message +
          (tokens.some((t) => t.kind === "char" && t.text === "}")
            ? ` (a single "}" does not end it; write "}}")`
            : ""),
      );
      // Keep only a leading keyword, so that `{{ if ...` still opens a block and its {{ end }} still matches,
      // without also reporting whatever the unclosed action swallowed.
      const first = tokens.find((t) => t.kind !== "space");
      const kept: Token[] = first?.kind === "keyword" ? [first] : [];
      kept.push({ kind: "broken", text: "", offset: open });
      this.segments.push({ type: "action", open, tokens: kept });
      return resumeAt;
    };

    for (;;) {
      // The end of the action: "}}", or a space then "-}}".
      if (src.startsWith("}}", p) || (isSpace(src[p]) && src.startsWith("-}}", p + 1))) {
        const end = src.startsWith("}}", p) ? p + 2 : p + 4;
        if (parens.length > 0) {
          return fail(
            parens[parens.length - 1]!,
            `unclosed "(" (add ")" before the "}}" at offset ${end - 2})`,
            p,
          );
        }
        push("close", p, end);
        this.segments.push({ type: "action", open, tokens });
        return end;
      }
      if (p >= src.length) return unclosed(src.length, `unclosed action: "{{" has no matching "}}"`);
      const c = codePointAt(src, p)!;
      const start = p;
      if (isSpace(c)) {
        // A run of spaces; it stops before a space followed by "-}}", which is the trim marker of the end.
        do p++;
        while (isSpace(src[p]) && !src.startsWith("-}}", p + 1));
        push("space", start, p);
        continue;
      }
      if (c === "{" && src[p + 1] === "{") {
        return unclosed(p, `unclosed action: "{{" is not closed before the next "{{" at offset ${p}`);
      }
      switch (c) {
        case ":":
          if (src[p + 1] !== "=") {
            return fail(p, `":" must be followed by "=" (declare a variable with {{ $name := ... }})`, p + 1);
          }
          push("declare", p, p + 2);
          p += 2;
          continue;
        case "=":
          push("assign", p, p + 1);
          p++;
          continue;
        case "|":
          push("pipe", p, p + 1);
          p++;
          continue;
        case "(":
          parens.push(p);
          push("leftParen", p, p + 1);
          p++;
          continue;
        case ")":
          if (parens.length === 0) return fail(p, `")" without a matching "("`, p + 1);
          parens.pop();
          push("rightParen", p, p + 1);
          p++;
          continue;
        case '"':
        case "'": {
          const end = this.quotedEnd(p);
          if (typeof end === "string") {
            return fail(p, end, p + 1);
          }
          push(c === '"' ? "string" : "charConstant", p, end);
          p = end;
          continue;
        }
        case "`": {
          const end = src.indexOf("`", p + 1);
          if (end === -1)
            return fail(p, "unterminated raw string: no closing ` before the end of the template", p + 1);
          push("rawString", p, end + 1);
          p = end + 1;
          continue;
        }
      }
      if (c === "$" || (c === "." && !isDigit(src[p + 1]))) {
        // A variable ($, $name) or a field (.Name), or the dot itself.
        p++;
        if (this.atTerminator(p)) {
          push(c === "$" ? "variable" : "dot", start, p);
          continue;
        }
        while (isAlphaNumeric(codePointAt(src, p))) p += codePointAt(src, p)!.length;
        if (!this.atTerminator(p)) return this.badCharacter(p, start, fail);
        push(c === "$" ? "variable" : "field", start, p);
        continue;
      }
      if (c === "." || c === "+" || c === "-" || isDigit(c)) {
        const number = this.number(p);
        if (number.bad) {
          let shown = number.end;
          while (isAlphaNumeric(codePointAt(src, shown)) || src[shown] === ".")
            shown += codePointAt(src, shown)!.length;
          const trim = /[-+]$/.test(src.slice(p, number.end)) && src.startsWith("}}", number.end);
          const hint = trim
            ? `a trim marker needs a space before it: " -}}"`
            : "a number cannot run into letters; separate arguments with spaces";
          return fail(
            p,
            `invalid number ${quoted(src.slice(p, Math.max(shown, number.end)))} (${hint})`,
            number.end,
          );
        }
        push(number.complex ? "complex" : "number", p, number.end);
        p = number.end;
        continue;
      }
      if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(codePointAt(src, p))) p += codePointAt(src, p)!.length;
        if (!this.atTerminator(p)) return this.badCharacter(p, start, fail);
        const word = src.slice(start, p);
        push(
          keywords.has(word)
            ? "keyword"
            : word === "nil"
              ? "nil"
              : word === "true" || word === "false"
                ? "bool"
                : "identifier",
          start,
          p,
        );
        continue;
      }
      if (c >= " " && c <= "~") {
        push("char", p, p + 1);
        p++;
        continue;
      }
      const name = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
      const shown = c >= " " && c !== "\u007f" ? `"${c}" (${name})` : name;
      return fail(
        p,
        `unexpected character ${shown} in an action (only names, numbers, strings, $variables, .fields, "|", "(" and ")" may appear between "{{" and "}}")`,
        p + c.length,
      );
    }
  }

  /** Go requires a name to end at a space, one of . , | : ( ) or the "}" of "}}". */
  private atTerminator(p: number): boolean {
    const c = this.src[p];
    return (
      c === undefined ||
      isSpace(c) ||
      c === "." ||
      c === "," ||
      c === "|" ||
      c === ":" ||
      c === ")" ||
      c === "(" ||
      c === "}"
    );
  }

  private badCharacter(
    p: number,
    start: number,
    fail: (offset: number, message: string, resumeFrom: number) => number,
  ): number {
    const c = codePointAt(this.src, p)!;
    // Show the whole name, e.g. "$labels.job" rather than just ".job".
    while (start > 0 && /[\p{L}\p{Nd}_.$]/u.test(this.src[start - 1]!)) start--;
    const name = this.src.slice(start, p);
    let hint: string;
    if ("-+*/%<>=!".includes(c)) {
      hint = `templates have no operators: put spaces between arguments and use functions such as eq, gt or printf`;
      if (c === "-" && name.startsWith("$labels."))
        hint = `a name may contain only letters, digits and "_", and Prometheus label names never contain "-"`;
      if (c === "=") hint = `put spaces around "=" and ":="`;
    } else if (c === '"' || c === "'" || c === "`") {
      hint = "separate arguments with spaces";
    } else {
      hint = `a name may contain only letters, digits and "_"`;
    }
    return fail(p, `unexpected ${quoted(c)} right after ${quoted(name)} (${hint})`, p + c.length);
  }

  /** The end of a "..." string or '...' character constant starting at p, or why it is unterminated. */
  private quotedEnd(p: number): number | string {
    const src = this.src;
    const quote = src[p]!;
    for (let i = p + 1; ; i++) {
      const c = src[i];
      if (c === "\\") {
        i++;
        if (src[i] !== undefined && src[i] !== "\n") continue;
      }
      if (c === quote) return i + 1;
      if (c === "\\" || c === undefined || c === "\n") {
        const what = quote === '"' ? "string" : "character constant";
        const where = src[i] === "\n" ? "before the end of the line" : "before the end of the template";
        const hint =
          quote === '"'
            ? `a "..." string cannot span lines; use a \`raw string\` for that`
            : `use double quotes for text: "..."`;
        return `unterminated ${what}: no closing ${quote} ${where} (${hint})`;
      }
    }
  }

  /** Scans a number the way Go's lexer does; `bad` when a letter follows it or a complex number is malformed. */
  private number(p: number): { end: number; bad: boolean; complex: boolean } {
    const first = this.scanNumber(p);
    if (!first.ok) return { end: first.end, bad: true, complex: false };
    const sign = this.src[first.end];
    if (sign === "+" || sign === "-") {
      const second = this.scanNumber(first.end);
      const bad = !second.ok || this.src[second.end - 1] !== "i";
      return { end: second.end, bad, complex: !bad };
    }
    return { end: first.end, bad: false, complex: false };
  }

  private scanNumber(p: number): { end: number; ok: boolean } {
    const src = this.src;
    const acceptOne = (set: string) => {
      if (src[p] !== undefined && set.includes(src[p]!)) {
        p++;
        return true;
      }
      return false;
    };
    const acceptRun = (set: string) => {
      while (src[p] !== undefined && set.includes(src[p]!)) p++;
    };
    acceptOne("+-");
    let digits = "0123456789_";
    let base = 10;
    if (acceptOne("0")) {
      if (acceptOne("xX")) [digits, base] = ["0123456789abcdefABCDEF_", 16];
      else if (acceptOne("oO")) [digits, base] = ["01234567_", 8];
      else if (acceptOne("bB")) [digits, base] = ["01_", 2];
    }
    acceptRun(digits);
    if (acceptOne(".")) acceptRun(digits);
    if (base === 10 && acceptOne("eE")) {
      acceptOne("+-");
      acceptRun("0123456789_");
    }
    if (base === 16 && acceptOne("pP")) {
      acceptOne("+-");
      acceptRun("0123456789_");
    }
    acceptOne("i");
    if (isAlphaNumeric(codePointAt(src, p))) return { end: p + codePointAt(src, p)!.length, ok: false };
    return { end: p, ok: true };
  }

  /** A comment action: "{{/*" or "{{- /*" up to "*\/}}" or "*\/ -}}". Returns where the text resumes. */
  private comment(p: number): number {
    const close = this.src.indexOf("*/", p + 2);
    if (close === -1) {
      this.problem(p, `unclosed comment: "/*" has no matching "*/"`);
      return this.src.length;
    }
    const e = close + 2;
    if (this.src.startsWith("}}", e)) return e + 2;
    if (isSpace(this.src[e]) && this.src.startsWith("-}}", e + 1)) return e + 4;
    this.problem(
      close,
      `a comment must end right at "}}": write "*/}}" or "*/ -}}" with nothing else in between`,
    );
    return this.resume(e);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser: the structure of blocks, pipelines and commands, variables in scope, and functions.

interface Frame {
  kind: "if" | "range" | "with" | "define" | "block";
  /** Offset of the keyword. */
  offset: number;
  /** For if/range/with: how many variables were in scope before it; they are dropped again at its end. */
  varMark: number;
  sawElse: boolean;
  /** For define/block, which start afresh with only `$`: the variables and range depth outside. */
  outerVars?: string[];
  outerRangeDepth?: number;
  name?: string;
  /** Whether a define/block has anything but white space in it (Go allows redefining empty templates). */
  nonEmpty: boolean;
}

interface Node {
  kind: TokenKind | "pipeline" | "chain";
  text: string;
  offset: number;
  fields: string[];
}

/** Thrown to abandon the rest of an action after a problem that leaves nothing sensible to parse. */
class Bail extends Error {}

type Context =
  "command" | "if" | "range" | "with" | "parenthesized pipeline" | "block clause" | "template clause";

const contextWords: Record<string, string> = {
  command: "this action",
  operand: "this action",
  if: "the if condition",
  range: "the range expression",
  with: "the with expression",
  "parenthesized pipeline": "parentheses",
  "block clause": "block",
  "template clause": "template",
  "define clause": "define",
  else: "else",
  end: "end",
  break: "break",
  continue: "continue",
};

/** How deep parenthesized pipelines may nest: each level is a few calls deep here. */
const maxParenDepth = 1000;

class Parser {
  readonly labels: string[] = [];
  private parenDepth = 0;
  private readonly stack: Frame[] = [];
  /** How many open frames are not `if` (they rebind `.`), and the open define/block frames. */
  private framesNotIf = 0;
  private readonly templateFrames: Frame[] = [];
  private vars: string[] = [...alertTemplateVariables];
  /** Every variable ever declared, to explain a use after its block ended. */
  private readonly declared = new Set<string>();
  private rangeDepth = 0;
  /** Defined template names, and whether their body is non-empty. */
  private readonly templates = new Map<string, boolean>();
  private tokens: Token[] = [];
  private i = 0;
  private open = 0;

  constructor(
    private readonly src: string,
    private readonly problems: TemplateProblem[],
  ) {}

  private problem(offset: number, message: string): void {
    this.problems.push({ message, offset });
  }

  private fail(offset: number, message: string): never {
    this.problem(offset, message);
    throw new Bail();
  }

  run(segments: Segment[]): void {
    for (const segment of segments) {
      if (segment.type === "text") {
        if (this.src.slice(segment.from, segment.to).trim() !== "") this.markNonEmpty();
        continue;
      }
      this.tokens = segment.tokens;
      this.i = 0;
      this.open = segment.open;
      try {
        this.action();
      } catch (error) {
        if (!(error instanceof Bail)) throw error;
      }
    }
    for (const frame of this.stack) {
      this.problem(frame.offset, `"${frame.kind}" is never closed (add {{ end }} where it should stop)`);
    }
  }

  // Token access. Running into a broken token abandons the action: the lexer has reported it.

  private next(): Token {
    const token = this.tokens[this.i++];
    if (!token || token.kind === "broken") throw new Bail();
    return token;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private nextNonSpace(): Token {
    let token = this.next();
    while (token.kind === "space") token = this.next();
    return token;
  }

  private peekNonSpace(): Token | undefined {
    while (this.tokens[this.i]?.kind === "space") this.i++;
    return this.tokens[this.i];
  }

  private unexpected(token: Token, context: string): never {
    const where = contextWords[context] ?? context;
    if (token.kind === "close") this.fail(token.offset, `unexpected end of ${where} at "}}"`);
    let hint = "";
    if (token.kind === "char" && token.text === ",") hint = " (separate arguments with spaces, not commas)";
    else if (token.kind === "char" && token.text === "/" && this.src[token.offset + 1] === "*") {
      hint = ` (a comment must start right after "{{" or "{{- ", as in {{/* ... */}})`;
    } else if (token.kind === "char" && (token.text === "{" || token.text === "}")) {
      hint = ` (braces cannot appear inside an action, which is written {{ ... }})`;
    } else if (token.kind === "keyword") {
      hint = ` ("${token.text}" must start its own action, as in {{ ${token.text} ... }})`;
    } else if (token.kind === "pipe") {
      hint = ` (a "|" must have a command on each side, as in {{ $value | humanize }})`;
    } else if (token.kind === "declare" || token.kind === "assign") {
      hint = ` (only a $variable at the start of an action can be assigned: {{ $name ${token.text} ... }})`;
    } else if (context === "operand") {
      hint = " (separate arguments with spaces)";
    }
    this.fail(token.offset, `unexpected ${quoted(token.text)} in ${where}${hint}`);
  }

  private expectClose(context: string): void {
    const token = this.nextNonSpace();
    if (token.kind !== "close") this.unexpected(token, context);
  }

  // What the open frames add up to, kept as they open and close: blocks may nest thousands deep.

  private pushFrame(frame: Frame): void {
    this.stack.push(frame);
    if (frame.kind !== "if") this.framesNotIf++;
    if (frame.kind === "define" || frame.kind === "block") this.templateFrames.push(frame);
  }

  private popFrame(): Frame | undefined {
    const frame = this.stack.pop();
    if (frame && frame.kind !== "if") this.framesNotIf--;
    if (frame && (frame.kind === "define" || frame.kind === "block")) this.templateFrames.pop();
    return frame;
  }

  /** Marks the innermost define/block as having content. */
  private markNonEmpty(): void {
    const frame = this.templateFrames[this.templateFrames.length - 1];
    if (frame) frame.nonEmpty = true;
  }

  /** Whether `.` and `$` still hold the alert data: not rebound by with/range, not inside a define/block. */
  private dotIsAlertData(): boolean {
    return this.framesNotIf === 0;
  }

  private dollarIsAlertData(): boolean {
    return this.templateFrames.length === 0;
  }

  // Actions.

  private action(): void {
    const token = this.nextNonSpace();
    const keyword = token.kind === "keyword" ? token.text : "";
    if (keyword !== "end") this.markNonEmpty();
    switch (keyword) {
      case "if":
      case "range":
      case "with":
        return this.control(token, keyword);
      case "else":
        return this.elseAction(token);
      case "end":
        return this.endAction(token);
      case "define":
        return this.define(token);
      case "block":
        return this.block(token);
      case "template":
        return this.template();
      case "break":
      case "continue":
        this.expectClose(keyword);
        if (this.rangeDepth === 0)
          this.problem(token.offset, `{{ ${keyword} }} is only allowed inside {{ range }}`);
        return;
    }
    this.backup();
    this.pipeline("command");
  }

  private control(token: Token, kind: "if" | "range" | "with"): void {
    this.pushFrame({
      kind,
      offset: token.offset,
      varMark: this.vars.length,
      sawElse: false,
      nonEmpty: false,
    });
    if (kind === "range") this.rangeDepth++;
    this.pipeline(kind, token);
  }

  private elseAction(token: Token): void {
    const frame = this.stack[this.stack.length - 1];
    if (!frame || frame.kind === "define" || frame.kind === "block") {
      const where = frame ? ` (it is directly inside "${frame.kind}", which has no else)` : "";
      this.fail(token.offset, `{{ else }} outside an if, range or with block${where}`);
    }
    const after = this.peekNonSpace();
    if (frame.sawElse) {
      this.problem(
        token.offset,
        `a second {{ else }} in the same "${frame.kind}" (only {{ end }} may follow its {{ else }}; use {{ else if ... }} before it for more branches)`,
      );
    }
    if (after?.kind === "keyword" && (after.text === "if" || after.text === "with")) {
      if (after.text === "with") {
        this.fail(
          after.offset,
          `"else with" is not supported by Prometheus's template engine (write {{ else }}{{ with ... }}...{{ end }} and one more {{ end }})`,
        );
      }
      if (frame.kind !== "if") {
        this.fail(
          after.offset,
          `"else if" is only allowed in an if block, not in "${frame.kind}" (write {{ else }}{{ if ... }}...{{ end }} and one more {{ end }})`,
        );
      }
      this.nextNonSpace();
      // {{ else if b }} is {{ else }}{{ if b }} sharing the outer {{ end }}: its variables last until that end too.
      this.pipeline("if", after);
      return;
    }
    // Go allows {{ break }} and {{ continue }} only in the body of a range, not in its else branch.
    if (frame.kind === "range" && !frame.sawElse) this.rangeDepth--;
    frame.sawElse = true;
    this.expectClose("else");
  }

  private endAction(token: Token): void {
    const frame = this.popFrame();
    if (!frame) this.fail(token.offset, `{{ end }} without a matching if, range, with, define or block`);
    this.closeFrame(frame);
    this.expectClose("end");
  }

  private closeFrame(frame: Frame): void {
    if (frame.kind === "range" && !frame.sawElse) this.rangeDepth--;
    if (frame.kind === "define" || frame.kind === "block") {
      this.vars = frame.outerVars!;
      this.rangeDepth = frame.outerRangeDepth!;
      if (frame.name !== undefined) {
        const existing = this.templates.get(frame.name);
        if (existing && frame.nonEmpty) {
          this.problem(
            frame.offset,
            `template ${quoted(frame.name)} is defined twice (give one of them another name)`,
          );
        } else if (!existing) {
          this.templates.set(frame.name, frame.nonEmpty);
        }
      }
    } else {
      this.vars.length = frame.varMark;
    }
  }

  /** Pushes a define/block frame: its body sees only `$`. */
  private pushTemplateFrame(kind: "define" | "block", offset: number, name: string | undefined): void {
    this.pushFrame({
      kind,
      offset,
      varMark: 0,
      sawElse: false,
      outerVars: this.vars,
      outerRangeDepth: this.rangeDepth,
      name,
      nonEmpty: false,
    });
    this.vars = ["$"];
    this.rangeDepth = 0;
  }

  private define(token: Token): void {
    if (this.stack.length > 0) {
      // Reported, but still opened below so that its {{ end }} is not taken for the enclosing block's.
      this.problem(
        token.offset,
        `"define" is only allowed at the top level, not inside "${this.stack[this.stack.length - 1]!.kind}" (move it out, and use {{ template }} here)`,
      );
    }
    // Open the frame first so that its {{ end }} still matches if the rest of the action is wrong.
    this.pushTemplateFrame("define", token.offset, undefined);
    const frame = this.stack[this.stack.length - 1]!;
    frame.name = this.templateName(this.nextNonSpace(), "define");
    this.expectClose("define clause");
  }

  private block(token: Token): void {
    let name: string | undefined;
    try {
      name = this.templateName(this.nextNonSpace(), "block");
      this.pipeline("block clause", token);
    } finally {
      this.pushTemplateFrame("block", token.offset, name);
    }
  }

  private template(): void {
    this.templateName(this.nextNonSpace(), "template");
    if (this.nextNonSpace().kind === "close") return;
    this.backup();
    this.pipeline("template clause");
  }

  private templateName(token: Token, keyword: string): string {
    if (token.kind !== "string" && token.kind !== "rawString") {
      const got = token.kind === "close" ? "nothing" : quoted(token.text);
      this.fail(
        token.offset,
        `"${keyword}" needs a quoted template name, as in {{ ${keyword} "name"${keyword === "define" ? "" : " ."} }}; got ${got}`,
      );
    }
    return this.stringValue(token);
  }

  // Pipelines, commands and operands.

  private pipeline(context: Context, opener?: Token): void {
    let declarations = 0;
    let declared: Token | undefined;
    // Declarations: $x := ..., $x = ..., and in range $i, $v := ...
    for (;;) {
      const v = this.peekNonSpace();
      if (v?.kind !== "variable") break;
      const save = this.i;
      this.i++;
      const after = this.peekNonSpace();
      if (after?.kind === "declare" || after?.kind === "assign") {
        this.i++;
        this.declare(v, after.kind === "assign");
        declared = v;
        break;
      }
      if (after?.kind === "char" && after.text === ",") {
        this.i++;
        this.declare(v, false);
        declarations++;
        if (context === "range" && declarations < 2) {
          const following = this.peekNonSpace();
          if (
            following?.kind === "variable" ||
            following?.kind === "close" ||
            following?.kind === "rightParen"
          )
            continue;
          this.fail(
            following?.offset ?? v.offset,
            `range can only declare variables before ":=", as in {{ range $i, $v := ... }}`,
          );
        }
        this.fail(
          after.offset,
          `too many variables declared in ${contextWords[context] ?? context} (only range declares two: {{ range $i, $v := ... }})`,
        );
      }
      this.i = save;
      break;
    }
    const commands: Node[][] = [];
    for (;;) {
      const token = this.nextNonSpace();
      if (token.kind === "close" || token.kind === "rightParen") {
        if (token.kind === "rightParen") this.backup();
        break;
      }
      if (isOperandStart(token.kind)) {
        this.backup();
        commands.push(this.command());
        continue;
      }
      if (token.kind === "pipe" && commands.length === 0 && context === "command") {
        this.fail(
          token.offset,
          `nothing before "|" (a pipeline starts with a value, as in {{ $value | humanize }})`,
        );
      }
      this.unexpected(token, context);
    }
    if (commands.length === 0) this.emptyPipeline(context, opener, declared);
    commands.forEach((command, stage) => {
      const first = command[0]!;
      if (stage > 0 && isLiteral(first.kind)) {
        this.problem(
          first.offset,
          `cannot pipe into ${quoted(first.text)}: after "|" must come a function that takes the value, as in {{ $value | humanize }}`,
        );
      }
    });
  }

  private emptyPipeline(context: Context, opener: Token | undefined, declared: Token | undefined): never {
    const at = opener?.offset ?? this.open;
    if (declared)
      this.fail(
        declared.offset,
        `nothing to assign to ${declared.text} (write {{ ${declared.text} := <value> }})`,
      );
    if (context === "command")
      this.fail(this.open, `empty action "{{ }}" (put a value or function inside it, or remove it)`);
    if (context === "parenthesized pipeline") this.fail(at, `empty parentheses "()"`);
    if (context === "block clause")
      this.fail(at, `"block" needs a value after its name, as in {{ block "name" . }}`);
    const example = context === "if" ? "gt $value 0.5" : 'query "up"';
    this.fail(at, `"${context}" needs a value, as in {{ ${context} ${example} }}`);
  }

  private declare(v: Token, assign: boolean): void {
    if (assign && !this.vars.includes(v.text)) {
      // Go's parser accepts this and fails when the alert fires.
      this.problem(
        v.offset,
        `undefined variable ${quoted(v.text)}: "=" changes an existing variable (declare it with ${v.text} := ...)`,
      );
    }
    this.vars.push(v.text);
    this.declared.add(v.text);
  }

  private command(): Node[] {
    const args: Node[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const token = this.next();
      if (token.kind === "space") continue;
      if (token.kind === "close" || token.kind === "rightParen") {
        this.backup();
        break;
      }
      if (token.kind === "pipe") break;
      this.unexpected(token, "operand");
    }
    // `index $labels "name"` reads a label too.
    const [fn, map, key] = args;
    const labelsMap =
      map?.kind === "variable" &&
      map.text === "$labels" &&
      map.fields.length === 0 &&
      this.vars.includes("$labels");
    if (fn?.kind === "identifier" && fn.text === "index" && labelsMap) {
      if (key && (key.kind === "string" || key.kind === "rawString"))
        this.labels.push(this.stringValueOf(key.text));
    }
    return args;
  }

  private operand(): Node | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek()?.kind !== "field") return node;
    const fieldOffset = this.peek()!.offset;
    while (this.peek()?.kind === "field") node.fields.push(this.next().text.slice(1));
    if (isLiteral(node.kind)) {
      this.problem(
        fieldOffset,
        `cannot take a field of ${quoted(node.text)} (fields follow ".", a $variable or parentheses)`,
      );
      return node;
    }
    if (node.kind === "variable") this.variableFields(node);
    if (node.kind === "field") this.topLevelField(node, [node.text.slice(1), ...node.fields]);
    if (node.kind === "identifier" || node.kind === "pipeline") node.kind = "chain";
    return node;
  }

  private variableFields(node: Node): void {
    if (node.text === "$labels" && node.fields[0] !== undefined && this.vars.includes("$labels"))
      this.labels.push(node.fields[0]);
    if (node.text === "$" && this.dollarIsAlertData()) this.topLevelField(node, node.fields);
  }

  /** `.X` where `.` is the alert data: X must be one of its fields. Go only finds out when rendering. */
  private topLevelField(node: Node, fields: string[]): void {
    const [first, second] = fields;
    if (first === undefined) return;
    if (node.kind === "field" && !this.dotIsAlertData()) return;
    if (first === "Labels" && second !== undefined) this.labels.push(second);
    if (alertDataFields.includes(first)) return;
    const near = closest(first, alertDataFields);
    const hint = near
      ? `did you mean .${near}?`
      : /^[A-Za-z_][A-Za-z0-9_]*$/.test(first)
        ? `to print a label write $labels.${first}`
        : "";
    const prefix = node.kind === "field" ? "" : "$";
    this.problem(
      node.offset,
      `unknown field ${quoted(`${prefix}.${first}`)}: the alert data has only .Labels, .ExternalLabels, .ExternalURL and .Value${hint ? ` (${hint})` : ""}`,
    );
  }

  private term(): Node | undefined {
    const token = this.nextNonSpace();
    const node = (kind: Node["kind"] = token.kind): Node => ({
      kind,
      text: token.text,
      offset: token.offset,
      fields: [],
    });
    switch (token.kind) {
      case "identifier":
        if (!alertTemplateFunctions.has(token.text)) this.unknownFunction(token);
        return node();
      case "dot":
      case "nil":
      case "bool":
        return node();
      case "field": {
        const n = node();
        // A field on its own (no chain after it) is checked here; chained ones in operand().
        if (this.peek()?.kind !== "field") this.topLevelField(n, [token.text.slice(1)]);
        return n;
      }
      case "variable":
        this.useVariable(token);
        return node();
      case "number":
      case "complex":
      case "charConstant": {
        const problem =
          token.kind === "charConstant"
            ? checkCharConstant(token.text)
            : checkNumber(token.text, token.kind === "complex");
        if (problem) this.problem(problem.offset + token.offset, problem.message);
        return node();
      }
      case "string":
      case "rawString":
        this.stringValue(token);
        return node();
      case "leftParen": {
        // Go stops at 10,000 levels ("max expression depth exceeded"); this parser recurses, and stops sooner.
        if (this.parenDepth >= maxParenDepth)
          this.fail(
            token.offset,
            `parentheses nest more than ${maxParenDepth} deep, more than o11y follows (remove some)`,
          );
        this.parenDepth++;
        try {
          this.pipeline("parenthesized pipeline", token);
        } finally {
          this.parenDepth--;
        }
        const close = this.next();
        if (close.kind !== "rightParen") this.fail(token.offset, `unclosed "(" (add ")")`);
        return node("pipeline");
      }
    }
    this.backup();
    return undefined;
  }

  private unknownFunction(token: Token): void {
    const name = token.text;
    const near = functionAliases[name] ?? closest(name, alertTemplateFunctions);
    let hint: string;
    const following = this.tokens.slice(this.i).find((t) => t.kind !== "space");
    if (following?.kind === "declare" || following?.kind === "assign")
      hint = `a variable starts with "$": {{ $${name} ${following.text} ... }}`;
    else if (near) hint = `did you mean ${near}?`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      hint = `Prometheus alert templates have no such function; to print a label write $labels.${name}, a variable starts with "$"`;
    } else hint = "Prometheus alert templates have no such function";
    this.problem(token.offset, `unknown function ${quoted(name)} (${hint})`);
  }

  private useVariable(token: Token): void {
    const name = token.text;
    if (this.vars.includes(name)) return;
    let hint: string;
    const near = closest(name, this.vars);
    const inTemplate = !this.dollarIsAlertData();
    if (near && near !== "$") hint = `did you mean ${near}?`;
    else if (inTemplate && alertTemplateVariables.includes(name)) {
      hint = `inside "define" and "block" only $ is defined; pass what the template needs as its argument, as in {{ template "name" . }}`;
    } else if (this.declared.has(name)) {
      hint = `it was declared inside a block that has ended; a variable lasts until the {{ end }} of the block that declares it`;
    } else hint = `declare it first: {{ ${name} := ... }}`;
    this.problem(token.offset, `undefined variable ${quoted(name)} (${hint})`);
  }

  /** The value of a string literal token, reporting an invalid escape. */
  private stringValue(token: Token): string {
    if (token.kind === "rawString") return token.text.slice(1, -1);
    const bad = badEscape(token.text, '"');
    if (bad !== undefined) {
      const escape = token.text.slice(bad, bad + 2);
      this.problem(
        token.offset + bad,
        `invalid escape "${escape}" in a string (write \\\\ for a backslash, or use a \`raw string\`)`,
      );
    }
    return this.stringValueOf(token.text);
  }

  private stringValueOf(text: string): string {
    if (text.startsWith("`")) return text.slice(1, -1);
    try {
      return JSON.parse(text) as string;
    } catch {
      return text.slice(1, -1);
    }
  }
}

function isOperandStart(kind: TokenKind): boolean {
  return [
    "bool",
    "charConstant",
    "complex",
    "dot",
    "field",
    "identifier",
    "number",
    "nil",
    "rawString",
    "string",
    "variable",
    "leftParen",
  ].includes(kind);
}

/** Literals: they cannot take fields, and cannot receive a piped value. */
function isLiteral(kind: Node["kind"]): boolean {
  return ["bool", "dot", "nil", "number", "complex", "charConstant", "string", "rawString"].includes(kind);
}

// ---------------------------------------------------------------------------------------------------------------
// Literal syntax, as Go's strconv checks it when the template is parsed.

/**
 * Offset (within the literal) of the first invalid escape in a quoted literal, or undefined. Go allows
 * \a \b \f \n \r \t \v \\, the literal's own quote, \xHH, \uHHHH, \UHHHHHHHH (a valid code point) and \OOO (<= 255).
 */
function badEscape(literal: string, quote: string): number | undefined {
  for (let i = 1; i < literal.length - 1; i++) {
    if (literal[i] !== "\\") continue;
    const length = escapeLength(literal, i, quote);
    if (length === undefined) return i;
    i += length - 1;
  }
  return undefined;
}

/** Length of the valid escape sequence at i (which holds a backslash), or undefined if it is invalid. */
function escapeLength(s: string, i: number, quote: string): number | undefined {
  const c = s[i + 1];
  if (c === undefined) return undefined;
  if ("abfnrtv\\".includes(c) || c === quote) return 2;
  const hex = (n: number) => {
    const digits = s.slice(i + 2, i + 2 + n);
    return digits.length === n && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : undefined;
  };
  if (c === "x") return hex(2) === undefined ? undefined : 4;
  if (c === "u" || c === "U") {
    const n = c === "u" ? 4 : 8;
    const value = hex(n);
    if (value === undefined || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return undefined;
    return n + 2;
  }
  if (c >= "0" && c <= "7") {
    const digits = s.slice(i + 1, i + 4);
    return /^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 255 ? 4 : undefined;
  }
  return undefined;
}

function checkCharConstant(text: string): TemplateProblem | undefined {
  const body = text.slice(1, -1);
  const message = `invalid character constant ${text} (single quotes hold exactly one character; use double quotes for text: "...")`;
  if (body === "") return { offset: 0, message };
  if (body.startsWith("\\")) {
    const length = escapeLength(text, 1, "'");
    if (length === undefined)
      return {
        offset: 1,
        message: `invalid escape ${quoted(body.slice(0, 2))} in character constant ${text}`,
      };
    return length === body.length ? undefined : { offset: 0, message };
  }
  return codePointAt(body, 0)!.length === body.length ? undefined : { offset: 0, message };
}

const uint64Max = (1n << 64n) - 1n;
const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;

/** Underscores may only separate digits (a base prefix counts as a digit), as Go's number syntax says. */
function underscoresOk(s: string, hex: boolean): boolean {
  const body = s.replace(/^[+-]/, "");
  const prefixed = /^0[xXbBoO]/.test(body);
  const isDigitAt = (k: number) => {
    const c = body[k];
    if (c === undefined) return false;
    if (prefixed && k === 1) return true; // the base prefix counts as a digit
    return (c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c));
  };
  for (let k = 0; k < body.length; k++) {
    if (body[k] === "_" && (!isDigitAt(k - 1) || !isDigitAt(k + 1) || body[k + 1] === "_")) return false;
  }
  return true;
}

/** strconv.ParseUint(s, 0, 64) / ParseInt(s, 0, 64) succeed: the value as a BigInt, or undefined. */
function parseGoInteger(s: string): bigint | undefined {
  const sign = s[0] === "-" || s[0] === "+" ? s[0] : "";
  const body = s.slice(sign.length);
  let digits: string;
  let radix: number;
  let pattern: RegExp;
  if (/^0[xX]./.test(body)) [digits, radix, pattern] = [body.slice(2), 16, /^[0-9a-fA-F_]+$/];
  else if (/^0[bB]./.test(body)) [digits, radix, pattern] = [body.slice(2), 2, /^[01_]+$/];
  else if (/^0[oO]./.test(body)) [digits, radix, pattern] = [body.slice(2), 8, /^[0-7_]+$/];
  else if (body.startsWith("0")) [digits, radix, pattern] = [body.slice(1), 8, /^[0-7_]*$/];
  else [digits, radix, pattern] = [body, 10, /^[0-9_]+$/];
  if (!pattern.test(digits) || !underscoresOk(s, radix === 16)) return undefined;
  const clean = digits.replace(/_/g, ""); // empty only for "0" itself
  let value = 0n;
  for (const d of clean) value = value * BigInt(radix) + BigInt(parseInt(d, radix));
  return sign === "-" ? -value : value;
}

/** strconv.ParseFloat(s, 64) succeeds: decimal or hexadecimal (with a p exponent) syntax and no overflow. */
function isGoFloat(s: string): boolean {
  const decimal = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
  const hex = /^[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9][0-9_]*$/;
  if (decimal.test(s)) {
    if (!/[0-9]/.test(s.replace(/[eE].*$/, "")) || !underscoresOk(s, false)) return false;
    return Number.isFinite(Number(s.replace(/_/g, "")));
  }
  if (hex.test(s)) {
    const mantissa = s.replace(/^[+-]?0[xX]/, "").replace(/[pP].*$/, "");
    if (!/[0-9a-fA-F]/.test(mantissa) || !underscoresOk(s, true)) return false;
    const [whole = "", fraction = ""] = mantissa.replace(/_/g, "").split(".");
    const exponent = Number(s.replace(/^.*[pP]/, "").replace(/_/g, ""));
    const value =
      parseInt(whole || "0", 16) + (fraction ? parseInt(fraction, 16) / 16 ** fraction.length : 0);
    return Number.isFinite(value * 2 ** exponent) || value === 0;
  }
  return false;
}

/** Go's check of a number literal when the template is parsed; offset relative to the literal. */
function checkNumber(text: string, complex: boolean): TemplateProblem | undefined {
  const invalid = (why: string): TemplateProblem => ({
    offset: 0,
    message: `invalid number ${quoted(text)} (${why})`,
  });
  if (complex) {
    const split = text.slice(1).search(/(?<![eEpP])[+-]/) + 1;
    const ok = split > 0 && isGoFloat(text.slice(0, split)) && isGoFloat(text.slice(split, -1));
    return ok ? undefined : invalid("not a valid complex number");
  }
  if (text.endsWith("i"))
    return isGoFloat(text.slice(0, -1)) ? undefined : invalid("not a valid imaginary number");
  const integer = parseGoInteger(text);
  if (integer !== undefined) {
    const unsigned = !/^[+-]/.test(text) && integer <= uint64Max;
    if (unsigned || (integer >= int64Min && integer <= int64Max)) return undefined;
    return invalid("too large: integers must fit in 64 bits");
  }
  if (isGoFloat(text)) {
    if (/[.eEpP]/.test(text)) return undefined;
    if (/^[+-]?0[0-9_]+$/.test(text))
      return invalid("a leading 0 makes it octal, which has no digits 8 or 9");
    return invalid("too large: integers must fit in 64 bits");
  }
  if (text === "-" || text === "+") {
    return invalid(
      `a sign alone is not a number; a trim marker needs a space next to it, as in "{{- " and " -}}"`,
    );
  }
  return invalid("not valid number syntax");
}
