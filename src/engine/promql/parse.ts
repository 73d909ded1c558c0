import { createRequire } from "node:module";
import type { BufferCursor, NodeSet, SyntaxNode, Tree } from "@lezer/common";
import { findVariables, substituteVariables, type VariableUse } from "./grafana-variables.ts";
import { lineAt, lineStarts } from "../text.ts";

export interface ParsedExpression {
  /** As written, Grafana variables and all. */
  text: string;
  /** What was parsed: variables replaced by same-length placeholders. */
  parsed: string;
  tree: Tree;
  /** Offset of the first syntax error, if any; also set (at `tooDeepAt`) when the expression nests too deep. */
  errorAt?: number;
  /**
   * Where the expression first nests deeper than maxNestingDepth: valid PromQL, perhaps, that o11y does not
   * follow. Parsing stopped there, so `tree` covers only the text before it.
   */
  tooDeepAt?: number;
  /** The Grafana variables it uses, when parsed as a dashboard query (`grafana: true`). */
  variables?: VariableUse[];
}

/**
 * How deep o11y follows PromQL that nests (parentheses, function calls, aggregations, unary signs, the right
 * side of a binary operator, `^`, which groups to the right): at least this many levels of any one of them, and
 * up to 2,600 of the simplest (parentheses). A chain of operators that group to the left (`a or b or c ...`,
 * `a + b + c ...`) does not nest this way: it has no limit but the file's size.
 */
export const maxNestingDepth = 600;

/**
 * The parser's own stack (three entries per state) may hold this many entries. lezer cuts a stack of 8,400
 * entries short (it reduces it by force: a wrong tree, sometimes without an error node), so parsing stops
 * below that. The deepest nesting per level, `a + (...)` or `topk(k, ...)`, takes four states (665 levels).
 */
const maxParseStack = 8000;

/**
 * Steps the parser may spend recovering from syntax errors before it stops where it is. lezer recovers from each
 * error by trying insertions and deletions on up to a dozen stacks: on long junk (40,000 `""` in a selector) that
 * is seconds. An expression with this many errors is refused anyway; its first error is already found.
 */
const maxRecoverySteps = 500;

type TreeClass = typeof Tree;
type LezerPromql = typeof import("@prometheus-io/lezer-promql");

interface Grammar {
  parser: LezerPromql["parser"];
  /** The Tree class the parser builds with (the one its module instance loaded, whatever module format that was). */
  Tree: TreeClass;
  buildShallow: TreeClass["build"];
  /** By node type id: the index of its name in commonNames, or -1. */
  commonIndex: number[];
}
let loaded: Grammar | undefined;

/**
 * lezer-promql, loaded by the first parse, not when this module loads: a build whose checks' verdicts are kept
 * parses nothing (kept-verdicts.ts, kept-facts.ts), and loading the parser is ~20 ms of its start. Its CommonJS
 * build, which `require` loads there and then.
 */
function grammar(): Grammar {
  if (loaded) return loaded;
  const { parser } = createRequire(import.meta.url)("@prometheus-io/lezer-promql") as LezerPromql;
  const ParserTree = parser.parse("").constructor as TreeClass;
  loaded = {
    parser,
    Tree: ParserTree,
    buildShallow: ParserTree.build,
    commonIndex: parser.nodeSet.types.map((type) => commonNames.indexOf(type.name)),
  };
  return loaded;
}

/** A tree deeper than this is built by buildDeep: lezer's own builder recurses once per level, and flattens below 2,500. */
const shallowTreeDepth = 500;
/** Text shorter than this (most queries) makes a tree shallower than shallowTreeDepth: lezer's parse as it is. */
const shortText = 200;

/**
 * Whether the nodes in a parse buffer nest deeper than `limit`, by one pass over its records (each knows the size
 * of its subtree); read backwards from the end, as a tree builder reads it.
 */
function nestsDeeper(buffer: BufferCursor, limit: number): boolean {
  const cursor = buffer.fork();
  const ends: number[] = [];
  while (cursor.pos > 0) {
    while (ends.length && cursor.pos <= ends[ends.length - 1]!) ends.pop();
    if (cursor.size > 4) {
      ends.push(cursor.pos - cursor.size);
      if (ends.length > limit) return true;
    }
    cursor.next();
  }
  return false;
}

/** What Tree.build is given. */
interface BuildData {
  buffer: BufferCursor | readonly number[];
  nodeSet: NodeSet;
  topID: number;
  start?: number;
  length?: number;
  reused?: readonly Tree[];
  minRepeatType?: number;
}

/**
 * The tree of a parse buffer, built without recursion and without a depth cut-off: every node a Tree of its own.
 * Repeat nodes (ids from minRepeatType), which only serve incremental parsing, are dissolved into their parent,
 * as lezer's own builder does in the buffers it makes; so are look-ahead and context records.
 */
function buildDeep(data: BuildData): Tree {
  const { Tree: ParserTree } = grammar();
  const cursor = data.buffer as BufferCursor;
  const types = data.nodeSet.types;
  const minRepeatType = data.minRepeatType ?? types.length;
  const reused = data.reused ?? [];
  interface Open {
    type: number;
    start: number;
    end: number;
    /** The buffer position where its subtree's records end (the cursor reads backwards). */
    endPos: number;
    /** Children and their offsets from `start`, last first until it is closed. */
    children: Tree[];
    positions: number[];
  }
  const root: Open = {
    type: data.topID,
    start: data.start ?? 0,
    end: 0,
    endPos: -1,
    children: [],
    positions: [],
  };
  const open: Open[] = [root];
  const close = () => {
    const node = open.pop()!;
    const parent = open[open.length - 1]!;
    if (node.type >= minRepeatType) {
      // Still last first, as the parent's own children are.
      for (let i = 0; i < node.children.length; i++) {
        parent.children.push(node.children[i]!);
        parent.positions.push(node.positions[i]! + node.start - parent.start);
      }
      return;
    }
    parent.children.push(
      new ParserTree(
        types[node.type]!,
        node.children.reverse(),
        node.positions.reverse(),
        node.end - node.start,
      ),
    );
    parent.positions.push(node.start - parent.start);
  };
  while (cursor.pos > 0) {
    while (open.length > 1 && cursor.pos <= open[open.length - 1]!.endPos) close();
    const { id, start, end, size } = cursor;
    const parent = open[open.length - 1]!;
    if (size < 0) {
      cursor.next();
      if (size === -1) {
        parent.children.push(reused[id]!);
        parent.positions.push(start - parent.start);
      } else if (size !== -3 && size !== -4) throw new RangeError(`Unrecognized record size: ${size}`);
      continue;
    }
    const endPos = cursor.pos - size;
    cursor.next();
    open.push({ type: id, start, end, endPos, children: [], positions: [] });
    if (size === 4) close();
  }
  while (open.length > 1) close();
  const length = data.length ?? (root.children.length ? root.positions[0]! + root.children[0]!.length : 0);
  return new ParserTree(types[data.topID]!, root.children.reverse(), root.positions.reverse(), length);
}

/** Tree.build while we parse: lezer's own for the usual shallow tree, buildDeep for a deep one. */
function buildAnyDepth(data: BuildData): Tree {
  const { buildShallow, Tree: ParserTree } = grammar();
  if (Array.isArray(data.buffer) || !nestsDeeper(data.buffer as BufferCursor, shallowTreeDepth))
    return buildShallow.call(ParserTree, data as Parameters<TreeClass["build"]>[0]);
  return buildDeep(data);
}

/** The parser's state that parseTree reads and resets. Not lezer's public API: test/promql/deep.test.ts holds it to its word. */
interface ParseInternals {
  advance(): Tree | null;
  stopAt(pos: number): void;
  /** lezer counts reductions of one long left-grouping chain, and past 300 breaks the chain into an error. */
  bigReductionCount: number;
  stacks: Array<{ pos: number; stack: unknown[] }>;
  /** Above zero while the parser recovers from a syntax error. */
  recovering: number;
}

/**
 * lezer-promql's tree of `text`, whatever the length of its operator chains, or where it first nests deeper than
 * maxNestingDepth. lezer is made for editors, where a deep tree is rather cut than slow: it breaks a chain of more
 * than some 300 left-grouping operators of 2,000 characters (`a or b or ...`) into a syntax error, flattens a tree
 * below 2,500 levels into leaves (losing nodes, without an error), and builds trees recursively. Here the chain
 * counter is reset at every step, deep trees are built by buildDeep, and a parser stack about to be cut stops the parse,
 * as does a long recovery from syntax errors (maxRecoverySteps).
 */
export function parseTree(text: string): { tree: Tree; tooDeepAt?: number } {
  // Short text cannot meet any of the three: a chain is broken only past 2,000 characters, a stack cut only past
  // 2,800 levels, and each character opens at most two levels of the tree.
  const { parser, Tree: ParserTree, buildShallow } = grammar();
  if (text.length < shortText) return { tree: parser.parse(text) };
  const parse = parser.startParse(text) as unknown as ParseInternals;
  let tooDeepAt: number | undefined;
  let stopped = false;
  let recoverySteps = 0;
  ParserTree.build = buildAnyDepth as TreeClass["build"];
  try {
    for (;;) {
      parse.bigReductionCount = 0;
      const tree = parse.advance();
      if (tree) return tooDeepAt === undefined ? { tree } : { tree, tooDeepAt };
      if (stopped) continue;
      for (const stack of parse.stacks) {
        if (stack.stack.length <= maxParseStack) continue;
        parse.stopAt((tooDeepAt = stack.pos));
        stopped = true;
        break;
      }
      if (!stopped && parse.recovering > 0 && ++recoverySteps > maxRecoverySteps) {
        parse.stopAt(Math.min(...parse.stacks.map((stack) => stack.pos)));
        stopped = true;
      }
    }
  } finally {
    ParserTree.build = buildShallow;
  }
}

export function parsePromQL(text: string, options: { grafana: boolean }): ParsedExpression {
  const variables = options.grafana ? findVariables(text) : undefined;
  const parsed = variables ? substituteVariables(text, variables) : text;
  const { tree, tooDeepAt } = parseTree(parsed);
  const result: ParsedExpression = { text, parsed, tree };
  if (tooDeepAt !== undefined) result.tooDeepAt = result.errorAt = tooDeepAt;
  if (variables) result.variables = variables;
  // One walk over the tree: the first error node in document order (the cursor visits what tree.iterate
  // would), and the nodes of the types the checks ask every expression for.
  const common: SyntaxNode[][] = commonNames.map(() => []);
  const { commonIndex } = grammar();
  const cursor = tree.cursor();
  do {
    const type = cursor.type;
    if (type.isError && result.errorAt === undefined) result.errorAt = cursor.from;
    const index = commonIndex[type.id]!;
    if (index >= 0) common[index]!.push(cursor.node);
  } while (cursor.next());
  if (result.errorAt === undefined && parsed.trim() === "") result.errorAt = 0;
  Object.defineProperty(result, derivedKey, { value: { common } satisfies Derived });
  return result;
}

/**
 * Parses kept from one call to the next, by mode and text (a parse depends on nothing else, and is read-only once
 * made): a process that compiles the same project after every save (the watch) parses only the expressions that
 * changed. Off unless `keepParses` asked for it; at most `limit` characters of text, the least recently used out
 * first.
 */
let kept: { entries: Map<string, ParsedExpression>; chars: number; limit: number } | undefined;

export function keepParses(limitChars = 2 ** 20): void {
  kept ??= { entries: new Map(), chars: 0, limit: limitChars };
}

/** `parsePromQL`, from the kept parses when `keepParses` turned them on. */
export function parseKept(text: string, options: { grafana: boolean }): ParsedExpression {
  if (!kept) return parsePromQL(text, options);
  const key = `${options.grafana ? "g" : "p"}${text}`;
  const found = kept.entries.get(key);
  if (found) {
    kept.entries.delete(key);
    kept.entries.set(key, found);
    return found;
  }
  const parsed = parsePromQL(text, options);
  if (key.length > kept.limit) return parsed;
  kept.entries.set(key, parsed);
  kept.chars += key.length;
  for (const [oldest] of kept.entries) {
    if (kept.chars <= kept.limit) break;
    kept.entries.delete(oldest);
    kept.chars -= oldest.length;
  }
  return parsed;
}

/** The offsets where the lines of the text last asked about start: many positions are asked of one long expression. */
let lastLines: { text: string; starts: number[] } | undefined;

/** 1-based line and column of an offset, the way editors count. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  if (lastLines?.text !== text) lastLines = { text, starts: lineStarts(text) };
  const { starts } = lastLines;
  const line = lineAt(starts, offset);
  return { line, column: offset - starts[line - 1]! + 1 };
}

export function nodeText(expr: ParsedExpression, node: SyntaxNode): string {
  return expr.text.slice(node.from, node.to);
}

/**
 * Several checks look at the same expression, so what they ask of it is worked out once per parsed
 * expression (treated as read-only once parsed): the nodes of each type name asked for, and the vector
 * selectors. Callers get fresh arrays; the nodes and selector infos in them are shared. It is kept on the
 * parsed expression itself, under a key of this module's own, not enumerable.
 */
interface Derived {
  /** Nodes by type name, for the names asked for that are not among commonNames. */
  byName?: Map<string, SyntaxNode[]>;
  /** The nodes of each of commonNames, when collected while parsing. */
  common?: SyntaxNode[][];
  selectors?: SelectorInfo[];
}
const derivedKey = Symbol("derived");
/** Node types that the checks look for in every expression: collected while parsing, in the same walk. */
const commonNames = ["VectorSelector", "FunctionCall", "AggregateExpr", "BinaryExpr"];

function derivedOf(expr: ParsedExpression): Derived {
  const own = (expr as ParsedExpression & { [derivedKey]?: Derived })[derivedKey];
  if (own) return own;
  // An expression parsed elsewhere, or copied: work it out now.
  const entry: Derived = {};
  Object.defineProperty(expr, derivedKey, { value: entry });
  return entry;
}

/** Every node of a given type name, in source order. */
export function nodesNamed(expr: ParsedExpression, name: string): SyntaxNode[] {
  const derived = derivedOf(expr);
  let found = derived.common?.[commonNames.indexOf(name)] ?? derived.byName?.get(name);
  if (!found) {
    found = [];
    const cursor = expr.tree.cursor();
    do {
      if (cursor.name === name) found.push(cursor.node);
    } while (cursor.next());
    (derived.byName ??= new Map()).set(name, found);
  }
  return found.slice();
}

export interface SelectorInfo {
  node: SyntaxNode;
  /** Metric name, from the identifier or a `__name__="..."` matcher. */
  metric?: string;
  metricNode?: SyntaxNode;
  matchers: Array<{ label: string; op: string; value: string; node: SyntaxNode }>;
}

function unquote(literal: string): string {
  // Without a backslash there is nothing to unescape: what JSON.parse would give, or fall back to, below.
  if (literal.startsWith("`") || !literal.includes("\\")) return literal.slice(1, -1);
  try {
    return JSON.parse(
      literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/"/g, '\\"')}"` : literal,
    ) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

/** Every vector selector with its metric name and label matchers. */
export function selectors(expr: ParsedExpression): SelectorInfo[] {
  const entry = derivedOf(expr);
  entry.selectors ??= findSelectors(expr);
  return entry.selectors.slice();
}

/** The first child of each type name asked for (what `node.getChild(name)` gives), in one pass over the children. */
function firstChildren<Name extends string>(
  node: SyntaxNode,
  names: readonly Name[],
): Partial<Record<Name, SyntaxNode>> {
  const found: Partial<Record<string, SyntaxNode>> = {};
  const cursor = node.cursor();
  if (cursor.firstChild()) {
    do {
      const name = cursor.name;
      if ((names as readonly string[]).includes(name) && found[name] === undefined) found[name] = cursor.node;
    } while (cursor.nextSibling());
  }
  return found;
}

/**
 * One cursor per selector, no node made that is not kept: its first Identifier; then the children of its first
 * LabelMatchers, and the first LabelName, QuotedLabelName, MatchOp and StringLiteral among each matcher's own.
 */
function findSelectors(expr: ParsedExpression): SelectorInfo[] {
  const { text } = expr;
  return nodesNamed(expr, "VectorSelector").map((node) => {
    const info: SelectorInfo = { node, matchers: [] };
    const cursor = node.cursor();
    if (cursor.firstChild()) {
      do {
        if (cursor.name === "Identifier") {
          info.metric = text.slice(cursor.from, cursor.to);
          info.metricNode = cursor.node;
          break;
        }
      } while (cursor.nextSibling());
      cursor.parent();
    }
    // A quoted metric name inside braces: {"metric_name", job="x"} (Prometheus 3 syntax).
    let quotedName: SyntaxNode | undefined;
    let inMatchers = false;
    if (cursor.firstChild()) {
      do inMatchers = cursor.name === "LabelMatchers";
      while (!inMatchers && cursor.nextSibling());
    }
    if (inMatchers && cursor.firstChild()) {
      do {
        const name = cursor.name;
        if (name === "QuotedLabelName") quotedName ??= cursor.node;
        if (!name.endsWith("LabelMatcher")) continue;
        const child = cursor.node;
        // From and to of the first child of each part's name; -1: none.
        let nameFrom = -1,
          nameTo = -1,
          quotedFrom = -1,
          quotedTo = -1,
          opFrom = -1,
          opTo = -1,
          valueFrom = -1,
          valueTo = -1;
        if (cursor.firstChild()) {
          do {
            const part = cursor.name;
            if (part === "LabelName") {
              if (nameFrom < 0) ((nameFrom = cursor.from), (nameTo = cursor.to));
            } else if (part === "QuotedLabelName") {
              if (quotedFrom < 0) ((quotedFrom = cursor.from), (quotedTo = cursor.to));
            } else if (part === "MatchOp") {
              if (opFrom < 0) ((opFrom = cursor.from), (opTo = cursor.to));
            } else if (part === "StringLiteral") {
              if (valueFrom < 0) ((valueFrom = cursor.from), (valueTo = cursor.to));
            }
          } while (cursor.nextSibling());
          cursor.parent();
        }
        if ((nameFrom < 0 && quotedFrom < 0) || opFrom < 0 || valueFrom < 0) continue;
        const labelText =
          nameFrom >= 0 ? text.slice(nameFrom, nameTo) : unquote(text.slice(quotedFrom, quotedTo));
        const matcher = {
          label: labelText,
          op: text.slice(opFrom, opTo),
          value: unquote(text.slice(valueFrom, valueTo)),
          node: child,
        };
        info.matchers.push(matcher);
        if (labelText === "__name__" && matcher.op === "=" && !info.metric) {
          info.metric = matcher.value;
          info.metricNode = firstChildren(child, ["StringLiteral"]).StringLiteral;
        }
      } while (cursor.nextSibling());
    }
    if (!info.metric && quotedName) {
      info.metric = unquote(nodeText(expr, quotedName));
      info.metricNode = quotedName;
    }
    return info;
  });
}

/** What `node.getChild(name)` gives (its first child of that type or group), without a node for every other match. */
function child(node: SyntaxNode, name: string): SyntaxNode | null {
  const cursor = node.cursor();
  if (!cursor.firstChild()) return null;
  do if (cursor.type.is(name)) return cursor.node;
  while (cursor.nextSibling());
  return null;
}

/**
 * The range-vector argument of a function call, looking through offset and @ modifiers:
 * `rate(x[5m] offset 1h)` -> the MatrixSelector. Subqueries are returned as they are.
 */
export function rangeArgument(call: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | null | undefined = child(call, "FunctionCallBody");
  while (node) {
    const found = child(node, "MatrixSelector") ?? child(node, "SubqueryExpr");
    if (found) return found;
    node = child(node, "OffsetExpr") ?? child(node, "StepInvariantExpr");
  }
  return undefined;
}
