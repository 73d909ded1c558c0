import { nestingDepth } from "../../../src/engine/check/checks/promql/nesting-depth.ts";
import { maxNestingDepth } from "../../../src/engine/promql/parse.ts";
import { describeExpressionCheck, type BadExpression, type GoodExpression } from "../../helpers/checks.ts";

/** `open` repeated n times around `inner`, each closed by `close`. */
const nest = (n: number, open: string, inner: string, close: string) =>
  `${open.repeat(n)}${inner}${close.repeat(n)}`;
const chain = (n: number, op: string) =>
  Array.from({ length: n }, (_, i) => `up{instance="host-${i}"}`).join(` ${op} `);

const message = `the expression nests deeper than o11y follows (more than some ${maxNestingDepth} levels of brackets, function calls, aggregations or operators), so none of it is checked`;

const bad: BadExpression[] = [
  {
    name: "3,000 levels of parentheses",
    expr: nest(3000, "(", "up", ")"),
    kind: "expression",
    message,
    position: { line: 1, column: 2668 },
  },
  {
    name: "1,000 levels of topk",
    expr: nest(1000, "topk(5, ", "up", ")"),
    kind: "expression",
    message,
    position: { line: 1, column: 5335 },
  },
  {
    name: "1,000 right-hand sides",
    expr: nest(1000, "up + (", "up", ")"),
    kind: "expression",
    message,
    position: { line: 1, column: 4003 },
  },
  {
    name: "a chain of 2,000 ^, which groups to the right",
    expr: chain(2000, "^"),
    kind: "expression",
    message,
    position: { line: 1, column: 22990 },
  },
];

const good: GoodExpression[] = [
  {
    name: "600 levels of the deepest kinds of nesting",
    expr: `${nest(maxNestingDepth, "topk(5, ", "up", ")")} + ${nest(maxNestingDepth, "up + (", "up", ")")}`,
    kind: "expression",
  },
  {
    name: "600 levels of aggregation",
    expr: nest(maxNestingDepth, "sum by (job) (", "up", ")"),
    kind: "expression",
  },
  { name: "2,000 levels of parentheses", expr: nest(2000, "(", "up", ")"), kind: "expression" },
  { name: "600 levels of ^", expr: chain(maxNestingDepth, "^"), kind: "expression" },
  { name: "a chain of 10,000 or", expr: chain(10_000, "or"), kind: "expression" },
  { name: "a chain of 10,000 +", expr: chain(10_000, "+"), kind: "expression" },
];

describeExpressionCheck("promql/nesting-depth", nestingDepth, {
  severity: "error",
  fix: true,
  bad,
  good,
  realProject: "accepts every expression of the real project",
});
