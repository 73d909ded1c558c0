/**
 * Long and deep PromQL: valid expressions are never syntax errors, however many operands they chain, and the
 * trees are whole; nesting beyond what the parser follows is said to be that, not a syntax error. It also holds
 * lezer to what parseTree relies on (its internals), so that an upgrade that changes them fails here first.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { Tree } from "@lezer/common";
import { describe, expect, it } from "vitest";
import { checkContext, checkExpressions } from "../../src/engine/check/run.ts";
import { topComparison } from "../../src/engine/promql/comparison.ts";
import {
  maxNestingDepth,
  nodesNamed,
  parsePromQL,
  parseTree,
  positionOf,
  selectors,
} from "../../src/engine/promql/parse.ts";
import { isScalar, resultLabels, seriesLabels, type Semantics } from "../../src/engine/promql/semantics.ts";
import { ruleDependency } from "../../src/engine/check/checks/rules/dependency.ts";
import type { Model, RecordingRuleModel } from "../../src/engine/model.ts";
import { realModel } from "../helpers/checks.ts";

const terms = (n: number, term: (i: number) => string) => Array.from({ length: n }, (_, i) => term(i));
const orChain = (n: number) => terms(n, (i) => `up{instance="host-${i}"}`).join(" or ");
const summedSelectors = (n: number) =>
  terms(n, (i) => `sum(rate(http_requests_total{job="api-${i}", code=~"5.."}[5m]))`).join(" + ");
const nest = (n: number, open: string, inner: string, close: string) =>
  `${open.repeat(n)}${inner}${close.repeat(n)}`;

/** Node counts by name, errors included, in one pass. */
function count(tree: Tree): Record<string, number> {
  const counts: Record<string, number> = {};
  const cursor = tree.cursor();
  do
    counts[cursor.type.isError ? "error" : cursor.name] =
      (counts[cursor.type.isError ? "error" : cursor.name] ?? 0) + 1;
  while (cursor.next());
  return counts;
}

/** The deepest node's depth, walked without recursion. */
function depth(tree: Tree): number {
  const cursor = tree.cursor();
  let level = 0;
  let deepest = 0;
  for (;;) {
    if (cursor.firstChild()) deepest = Math.max(deepest, ++level);
    else {
      while (!cursor.nextSibling()) {
        if (!cursor.parent()) return deepest;
        level--;
      }
    }
  }
}

describe("chains of operators", () => {
  it.each([
    { name: "1,000 `or` terms", text: orChain(1000), selectors: 1000 },
    { name: "220 summed selectors", text: summedSelectors(220), selectors: 220 },
    { name: "10,000 `or` terms", text: orChain(10_000), selectors: 10_000 },
    { name: "10,000 summed selectors", text: summedSelectors(10_000), selectors: 10_000 },
  ])("parse $name into a whole tree, with no error", ({ text, selectors: n }) => {
    const parsed = parsePromQL(text, { grafana: false });
    expect(parsed.errorAt).toBeUndefined();
    expect(parsed.tooDeepAt).toBeUndefined();
    expect(parsed.tree.length).toBe(text.length);
    const counts = count(parsed.tree);
    expect(counts.error).toBeUndefined();
    expect([counts.VectorSelector, counts.BinaryExpr]).toEqual([n, n - 1]);
    // Left-grouped: each operator's left side is the chain before it, so the tree is as deep as the chain is long.
    expect(depth(parsed.tree)).toBeGreaterThan(n);
    const last = selectors(parsed).at(-1)!;
    expect(text.slice(last.node.from, last.node.to)).toMatch(new RegExp(`"(host|api)-${n - 1}"`));
  });

  it("are what lezer alone breaks into syntax errors, or silently shortens: the reason for parseTree", () => {
    expect(count(parser.parse(orChain(1000))).error).toBeGreaterThan(0);
    expect(count(parser.parse(summedSelectors(220))).error).toBeGreaterThan(0);
    const { tree } = parseTree(orChain(1000));
    expect(count(tree).error).toBeUndefined();
  });

  it.each([
    { name: "a shorter chain", text: `${summedSelectors(40)} > 1 or ${orChain(30)}`, deeperThan: 40 },
    // Deep enough for parseTree to build it itself, shallow enough for lezer: lists of matchers and arguments too.
    {
      name: "a deep tree",
      text: nest(
        300,
        "clamp(label_replace(",
        'up{a="1", b=~"2", c!="3"} offset 5m',
        ', "x", "$1", "y", "(.*)"), 0, 1)',
      ),
      deeperThan: 600,
    },
  ])("keep the shape lezer gives $name", ({ text, deeperThan }) => {
    const ours = parseTree(text).tree;
    const lezer = parser.parse(text);
    expect(count(lezer).error).toBeUndefined();
    expect(depth(lezer)).toBeGreaterThan(deeperThan);
    expect(ours.toString()).toBe(lezer.toString());
  });

  it("are read by the walks over the tree in linear time: labels, scalars, the top comparison", () => {
    const text = `${terms(10_000, (i) => `rate(phoenix_http_request_total{path="/r${i}"}[5m])`).join(" + ")} > 1`;
    const parsed = parsePromQL(text, { grafana: false });
    const ctx = checkContext(realModel());
    const start = performance.now();
    const sum = nodesNamed(parsed, "BinaryExpr")[1]!;
    expect(isScalar(sum, parsed)).toBe(false);
    expect([...resultLabels(parsed, sum, ctx)!].sort()).toEqual([
      "instance",
      "job",
      "method",
      "path",
      "status",
    ]);
    for (const node of nodesNamed(parsed, "BinaryExpr")) resultLabels(parsed, node, ctx);
    expect(topComparison(text)).toMatchObject({ op: ">", value: 1 });
    expect(positionOf(text, text.length - 1)).toEqual({ line: 1, column: text.length });
    expect(performance.now() - start).toBeLessThan(20_000);
  });

  it("are checked by every check, each problem found", () => {
    // Raw counters in an `or` chain: each one is a problem of its own.
    const text = terms(2000, (i) => `phoenix_http_request_total{path="/r${i}"}`).join(" or ");
    const diagnostics = checkExpressions(
      [{ expr: text, subject: "chain", source: { file: "t", line: 1 }, kind: "expression" }],
      checkContext(realModel()),
    );
    expect(diagnostics.map((d) => d.check)).toEqual(Array(2000).fill("promql/counter-without-rate"));
    expect(diagnostics.at(-1)!.position).toEqual({ line: 1, column: text.lastIndexOf("phoenix") + 1 });
  });
});

describe("nesting", () => {
  it.each([
    { name: "parentheses", text: nest(2000, "(", "up", ")") },
    { name: "aggregations", text: nest(maxNestingDepth, "sum by (job) (", "up", ")") },
    { name: "right-hand sides", text: nest(maxNestingDepth, "up + (", "up", ")") },
    { name: "function calls with several arguments", text: nest(maxNestingDepth, "topk(5, ", "up", ")") },
    { name: "`^`, which groups to the right", text: terms(maxNestingDepth, (i) => `m${i}`).join(" ^ ") },
  ])("is followed to its bound: $name", ({ text }) => {
    const parsed = parsePromQL(text, { grafana: false });
    expect([parsed.errorAt, parsed.tooDeepAt]).toEqual([undefined, undefined]);
    expect(count(parsed.tree).error).toBeUndefined();
  });

  it.each([
    { name: "parentheses", text: nest(5000, "(", "up", ")") },
    { name: "unary minus", text: `${"-".repeat(5000)}up` },
    { name: "`^`, which groups to the right", text: terms(5000, (i) => `m${i}`).join(" ^ ") },
    { name: "function calls", text: nest(100_000, "abs(", "up", ")") },
  ])(
    "beyond its bound is said to be too deep, not a syntax error, and stops the parse: $name",
    ({ text }) => {
      const start = performance.now();
      const parsed = parsePromQL(text, { grafana: false });
      expect(performance.now() - start).toBeLessThan(10_000);
      expect(parsed.tooDeepAt).toBeGreaterThan(0);
      expect(parsed.errorAt).toBe(parsed.tooDeepAt);
    },
  );

  it("is what lezer cuts short, sometimes into a tree without an error node: the reason for stopping", () => {
    // 5,000 `^` regrouped by force: every operand there, no error, the wrong tree.
    const pow = terms(5000, (i) => `m${i}`).join(" ^ ");
    const tree = parser.parse(pow);
    expect(count(tree).error).toBeUndefined();
    expect(depth(tree)).toBeLessThan(5000);
  });
});

describe("long junk", () => {
  // Each `""` is one more error to recover from: lezer alone takes seconds on 40,000 of them.
  const junk = (pairs: number) => `sum(rate(up{job=~"$job"}${'""'.repeat(pairs)}[5m]))`;

  it.each([
    { name: "a few errors: the same first error as lezer's own whole parse", pairs: 20 },
    { name: "hundreds of errors: the same first error, though the parse stops early", pairs: 2_000 },
  ])("$name", ({ pairs }) => {
    const text = junk(pairs);
    const whole = parser.parse(text);
    let lezerFirstError: number | undefined;
    whole.iterate({
      enter: (node) => {
        if (node.type.isError && lezerFirstError === undefined) lezerFirstError = node.from;
      },
    });
    expect(lezerFirstError).toBeDefined();
    expect(parsePromQL(text, { grafana: false }).errorAt).toBe(lezerFirstError);
  });

  it("40,000 errors: the first is reported, and the parser stops recovering long before the end", () => {
    const text = junk(40_000);
    const { tree } = parseTree(text);
    expect(tree.length).toBeLessThan(text.length / 4);
    const parsed = parsePromQL(text, { grafana: false });
    expect(parsed.errorAt).toBe(parsePromQL(junk(20), { grafana: false }).errorAt);
    const [diagnostic] = checkExpressions(
      [{ expr: text, subject: "expression", source: { file: "--expr", line: 1 }, kind: "expression" }],
      checkContext(realModel()),
    ).filter((d) => d.check === "promql/syntax");
    expect(diagnostic?.severity).toBe("error");
  });
});

describe("chains of recording rules", () => {
  /** `level:m<i>:sum` reads `level:m<i-1>:sum`; the first reads `first`, and keeps label `k<i>` where i % 1000 == 0. */
  function chain(n: number, first: string): RecordingRuleModel[] {
    return Array.from({ length: n }, (_, i) => ({
      record: `level:m${i}:sum`,
      expr: `sum by (job${i % 1000 === 0 ? `, k${i}` : ""}) (${i === 0 ? first : `level:m${i - 1}:sum`})`,
      labels: (i === n - 1 ? { team: "web" } : {}) as Record<string, string>,
      tests: [],
      group: "g",
      source: { file: "rules.yaml", line: i + 1 },
    }));
  }
  const semantics = (rules: RecordingRuleModel[]): Semantics => ({
    seriesIndex: new Map(),
    recordingRules: new Map(rules.map((r) => [r.record, r])),
  });
  /** The real project's catalog, with these rules and nothing that reads them. */
  const modelWith = (rules: RecordingRuleModel[]): Model => ({
    ...realModel(),
    recordingRules: rules,
    alerts: [],
    dashboards: [],
  });

  it("knows the labels at the end of a chain of 12,000 rules, and finds no cycle in it", () => {
    const rules = chain(12_000, "up");
    expect([...seriesLabels("level:m11999:sum", semantics(rules))!].sort()).toEqual(["job", "team"]);
    const model = modelWith(rules);
    expect(ruleDependency.check(model, checkContext(model))).toEqual([]);
  });

  it("knows no labels for the rules of a cycle, or for what reads them, and reports the cycle once", () => {
    const rules = chain(5000, "level:m4999:sum");
    const reader: RecordingRuleModel = {
      ...rules[0]!,
      record: "level:reader:sum",
      expr: "sum by (job) (level:m2500:sum)",
    };
    const sem = semantics([...rules, reader]);
    expect(seriesLabels("level:reader:sum", sem)).toEqual(new Set(["job"]));
    expect([seriesLabels("level:m0:sum", sem), seriesLabels("level:m4999:sum", sem)]).toEqual([
      undefined,
      undefined,
    ]);
    const model = modelWith(rules);
    const findings = ruleDependency.check(model, checkContext(model));
    expect(findings.map((f) => f.subject)).toEqual(["recording rule level:m0:sum"]);
  });
});
