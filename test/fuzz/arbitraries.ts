/**
 * What the fuzz properties share: how a property is run (how many cases, which seed, how a failure is
 * replayed), hostile values, mutations of a tree of plain data, mutated PromQL, and rule files.
 *
 * `FUZZ_RUNS` sets the cases per property (`npm test`: a small default; `npm run fuzz`: 10,000).
 * `FUZZ_SEED` (and `FUZZ_PATH`, to go straight to a shrunk case) replays a failure: every run prints
 * its seed before it starts, so even a case that hangs or crashes the worker can be replayed.
 */
import path from "node:path";
import fc from "fast-check";
import { expect } from "vitest";
import { stringify as yamlStringify } from "yaml";
import { projectRoot } from "../../src/engine/source.ts";

// ---------------------------------------------------------------------------------------------------
// Running a property

/** Cases per property: FUZZ_RUNS, else `fallback` (the share of `npm test`). */
export function fuzzRuns(fallback = 100): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : fallback;
}

/** A seed fast-check accepts: FUZZ_SEED, else a fresh one. */
function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  if (given !== undefined && given !== "") return Number(given);
  return (Date.now() ^ Math.floor(Math.random() * 0x100000000)) | 0;
}

/** How long a property test may run: 10,000 cases of the slowest take minutes. */
export const fuzzTimeout = 30 * 60_000;

/**
 * Runs `property` for `runs` cases (FUZZ_RUNS, else `fallback`) and throws, on a failure, what fast-check
 * found (seed, path, the shrunk counterexample, cut short, and its error) with the command that replays it.
 */
export function checkProperty<Ts>(
  name: string,
  property: fc.IProperty<Ts>,
  options: { fallback?: number; runs?: number } = {},
): void {
  const numRuns = options.runs ?? fuzzRuns(options.fallback);
  const seed = fuzzSeed();
  const path = process.env.FUZZ_PATH || undefined;
  // Printed first: a case that hangs or kills the worker never reaches the report below.
  process.stdout.write(`fuzz: ${name}: ${numRuns} cases, seed ${seed}${path ? `, path ${path}` : ""}\n`);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const format = Error.prepareStackTrace;
  let details: fc.RunDetails<Ts>;
  try {
    Error.prepareStackTrace = framesKept(format);
    details = fc.check(property, { numRuns, seed, path, endOnFailure: path !== undefined });
  } finally {
    Error.prepareStackTrace = format;
  }
  const used = process.cpuUsage(cpu);
  // The CPU time too: on a shared machine the wall time says as much about the others as about the property.
  process.stdout.write(
    `fuzz: ${name}: ${details.numRuns} cases in ${Math.round(performance.now() - started)} ms (CPU ${Math.round((used.user + used.system) / 1000)} ms)\n`,
  );
  if (!details.failed) return;
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    [
      `${name}: failed after ${details.numRuns} cases, shrunk ${details.numShrinks} times`,
      `seed ${details.seed}, path ${details.counterexamplePath}`,
      `replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ""} ${replayCommand()}`,
      `counterexample: ${show(details.counterexample, 3000)}`,
      `error: ${error.length > 3000 ? `${error.slice(0, 3000)}...` : error}`,
    ].join("\n"),
  );
}

type StackFormat = (error: Error, sites: NodeJS.CallSite[]) => unknown;
const keptFormats = new WeakMap<StackFormat, StackFormat>();

/**
 * The stack formatter a property runs with: `format` (vitest's, which source-maps every frame), writing each
 * frame it has written before from memory. Every definition takes a stack for its location (source.ts reads
 * it from the stack text, as stacks are not Node's own here), and every case defines its project at the same
 * lines: formatting those frames again was a tenth of a compile case. A frame's text is `format`'s own for a
 * frame with everything its text is made of (file, position, names, eval origin), so every stack reads as
 * `format` alone would write it, locations alike (stack-frames.test.ts). Node's own formatter (the engine
 * takes call sites then) is left as it is.
 */
export function framesKept<T extends StackFormat | undefined>(format: T): T {
  if (!format || format.name === "ErrorPrepareStackTrace") return format;
  const found = keptFormats.get(format);
  if (found) return found as T;
  const frames = new Map<string, string>();
  const kept: StackFormat = (error, sites) => {
    // `format` writes the error's header, then each frame on a line of its own.
    const header = String(format(error, []));
    let text = header;
    for (const site of sites) {
      const key = frameKey(site);
      let frame = frames.get(key);
      if (frame === undefined) {
        frame = String(format(error, [site])).slice(header.length);
        frames.set(key, frame);
      }
      text += frame;
    }
    return text;
  };
  keptFormats.set(format, kept);
  return kept as T;
}

/** Everything a frame's text is written from: where it is, what is called there, and how. */
function frameKey(site: NodeJS.CallSite): string {
  return [
    site.getFileName(),
    site.getScriptNameOrSourceURL(),
    site.getLineNumber(),
    site.getColumnNumber(),
    site.getFunctionName(),
    site.getMethodName(),
    site.isToplevel() ? "" : site.getTypeName(),
    site.isNative(),
    site.isConstructor(),
    site.isToplevel(),
    site.isAsync(),
    site.isPromiseAll() ? site.getPromiseIndex() : "",
    site.isEval() ? site.getEvalOrigin() : "",
  ].join("\u0000");
}

/** `npx vitest run <this file> -t <this test>`, for the test that is running. */
function replayCommand(): string {
  const { testPath, currentTestName } = expect.getState();
  const file = testPath ? path.relative(projectRoot, testPath) : "test/fuzz";
  // -t is a pattern over the test's full name: its own name, with the pattern's special characters escaped.
  const own = (currentTestName ?? "").split(" > ").at(-1) ?? "";
  return `npx vitest run ${file}${own ? ` -t '${own.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replaceAll("'", "'\\''")}'` : ""}`;
}

/** The CPU time a case took, and the heap it grew by, for the bounded-time-and-memory properties. */
export function measured<T>(run: () => T): { value: T; ms: number; heapGrowthMb: number } {
  const heapBefore = process.memoryUsage().heapUsed;
  // CPU time, not wall time: the work a case costs, whatever else the machine (or the suite) runs meanwhile.
  const started = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  return { value, ms, heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 };
}

// ---------------------------------------------------------------------------------------------------
// Hostile values

/** Strings that mean something to YAML, Markdown, PromQL, templates, terminals or file systems. */
export const trickyStrings = [
  "",
  " ",
  "  leading and trailing  ",
  "yes",
  "no",
  "on",
  "off",
  "y",
  "n",
  "true",
  "False",
  "null",
  "Null",
  "~",
  "1:20",
  "0o17",
  "017",
  "0x1F",
  "1e3",
  ".inf",
  "-.inf",
  ".NaN",
  "- item",
  "-",
  "? key",
  "# comment",
  "a # comment",
  "key: value",
  "a:b",
  ": ",
  "&anchor",
  "*alias",
  "!!str tag",
  "!tag",
  "%YAML 1.2",
  "---",
  "...",
  "|",
  ">",
  "'single'",
  '"double"',
  "`back`",
  "{flow: map}",
  "[flow, seq]",
  "@at",
  "a|b",
  "| cell |",
  "line\nbreak",
  "\n",
  "trailing newline\n",
  "\r\n",
  "carriage\rreturn",
  "tab\there",
  "\t",
  "nul\u0000byte",
  "bell\u0007",
  "escape \u001b[31mred\u001b[0m",
  "del\u007f",
  "next line\u0085",
  "line separator\u2028para\u2029",
  "bom\ufeff",
  "zero\u200bwidth",
  "rtl\u202eevil",
  "lone \ud800 surrogate",
  "lone \udfff low",
  "emoji 👩‍💻🔥",
  "ünïcödé ß 日本語 العربية",
  "../../etc/passwd",
  "..",
  ".",
  "/absolute/path",
  "a/b",
  "a\\b",
  "C:\\windows",
  "con",
  "{{ $value }}",
  "{{",
  "}}",
  "{{ .Labels.x }}",
  "$job",
  "${datasource}",
  "$__rate_interval",
  "<script>alert(1)</script>",
  "[link](http://x)",
  "www.x.com/a\\b|c",
  "**bold**",
  "<!-- o11y:alert-table:end -->",
  "__proto__",
  "constructor",
  "toString",
  "sum(rate(x[5m]))",
  '{job="a"}',
  "x".repeat(5000),
];

/** Any string: the tricky ones, arbitrary code units (lone surrogates, controls), graphemes, and long ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...trickyStrings), weight: 4 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }), weight: 2 },
  // An array joined rather than fc.string over these units: fast-check's string bias maps every unit back each time, which is slow.
  {
    arbitrary: fc
      .array(fc.constantFrom(..."\n\r\t :#-?&*!|>'\"%@`{}[],~\\\u0000\u001b\u0085\u2028 yYnN"), {
        maxLength: 30,
      })
      .map((units) => units.join("")),
    weight: 3,
  },
  {
    arbitrary: fc
      .array(fc.constantFrom(...trickyStrings.filter((s) => s.length < 100)), { minLength: 2, maxLength: 4 })
      .map((parts) => parts.join("")),
    weight: 2,
  },
  { arbitrary: fc.nat({ max: 5000 }).map((n) => "é".repeat(n)), weight: 1 },
);

/** Up to 100,000 characters: for the properties that bound the time a case may take by its size. */
export const hugeString: fc.Arbitrary<string> = fc
  .record({
    unit: fc.constantFrom("é", "a", "(", "$", "{", "a b ", "x{", '"'),
    count: fc.nat({ max: 100_000 }),
  })
  .map(({ unit, count }) => unit.repeat(Math.ceil(count / unit.length)));

/** Numbers a field can be given by mistake. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    5,
    100,
    1e21,
    2 ** 53 + 1,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
  fc.integer(),
  fc.double(),
);

/** Anything a JavaScript author (or a cast) can put in a field of a definition. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyString, weight: 6 },
  { arbitrary: anyNumber, weight: 3 },
  { arbitrary: fc.constantFrom(undefined, null, true, false), weight: 2 },
  { arbitrary: fc.constantFrom(10n, -(2n ** 70n)), weight: 1 },
  {
    arbitrary: fc.constantFrom<unknown>({}, [], [[]], { toString: "not a function" }, () => "a function"),
    weight: 1,
  },
  { arbitrary: fc.anything({ maxDepth: 2, maxKeys: 3 }), weight: 2 },
);

/** What YAML can hold: hostile values for the trees that become rule files. */
export const yamlValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyString, weight: 6 },
  { arbitrary: anyNumber, weight: 2 },
  { arbitrary: fc.constantFrom(null, true, false), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
);

// ---------------------------------------------------------------------------------------------------
// Mutating a tree of plain data

/**
 * One change at one place of a tree: the place is picked among all the tree's nodes by `at` (modulo
 * their count), so the same mutation fits any tree, and shrinking keeps it meaningful.
 */
export interface Mutation {
  /** `retext`: a string, number or boolean gets another value of its own type, a list loses or repeats an element. */
  op: "replace" | "delete" | "duplicate" | "transplant" | "retext";
  at: number;
  /** For transplant: the node whose copy replaces the one at `at`. */
  from: number;
  value: unknown;
}

export const mutation = (values: fc.Arbitrary<unknown> = hostileValue): fc.Arbitrary<Mutation> =>
  fc.record({
    op: fc.constantFrom("replace", "replace", "replace", "delete", "duplicate", "transplant"),
    at: fc.nat(),
    from: fc.nat(),
    value: values,
  });

/** A value of the same type: the definitions stay well typed, their values hostile. */
export const retextMutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant("retext" as const),
  at: fc.nat(),
  from: fc.nat(),
  value: fc.record({ text: anyString, number: anyNumber }),
});

type Path = Array<string | number>;
type Container = Record<string | number, unknown>;

const isContainer = (value: unknown): value is Container =>
  value !== null &&
  typeof value === "object" &&
  (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype);

/** Every node below the root, parents before children; `skip` leaves out a node and what is under it. */
export function paths(root: unknown, skip: (path: Path) => boolean = () => false): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: Path) => {
    if (!isContainer(node)) return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      const child = [...path, key];
      if (skip(child)) continue;
      out.push(child);
      walk(node[key], child);
    }
  };
  walk(root, []);
  return out;
}

const at = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (isContainer(node) ? node[key] : undefined), root);

/** A deep copy of plain data; anything else (functions, class instances) is shared, as an author would share it. */
export function copy<T>(value: T): T {
  if (!isContainer(value)) return value;
  if (Array.isArray(value)) return value.map(copy) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
}

/** A value as a counterexample shows it, cut short. */
export function show(value: unknown, max = 200): string {
  const text = fc.stringify(value);
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/** Where a retext can act: on a string, number or boolean, or a list. */
const retextable = (value: unknown) => !isContainer(value) || Array.isArray(value);

/** Applies `mutations` to `root` in place, in order; says what each one did, for failure messages. */
export function mutate(root: unknown, mutations: Mutation[], skip?: (path: Path) => boolean): string[] {
  const done: string[] = [];
  for (const m of mutations) {
    const all = paths(root, skip).filter((path) => m.op !== "retext" || retextable(at(root, path)));
    if (all.length === 0) continue;
    const path = all[m.at % all.length]!;
    const where = path.join(".");
    const parent = at(root, path.slice(0, -1)) as Container;
    const key = path.at(-1)!;
    switch (m.op) {
      case "replace":
        parent[key] = copy(m.value);
        done.push(`${where} = ${show(m.value)}`);
        break;
      case "delete":
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        done.push(`delete ${where}`);
        break;
      case "duplicate":
        if (Array.isArray(parent)) parent.splice((key as number) + 1, 0, copy(parent[key as number]));
        else parent[key] = [copy(parent[key]), copy(parent[key])];
        done.push(`duplicate ${where}`);
        break;
      case "transplant": {
        const from = all[m.from % all.length]!;
        parent[key] = copy(at(root, from));
        done.push(`${where} = copy of ${from.join(".")}`);
        break;
      }
      case "retext": {
        const { text, number } = m.value as { text: string; number: number };
        const old = parent[key];
        if (Array.isArray(old)) {
          if (old.length === 0) break;
          const index = Math.abs(Math.trunc(number)) % old.length || 0;
          if (number < 0) old.splice(index, 1);
          else old.splice(index, 0, copy(old[index]));
          done.push(`${number < 0 ? "delete" : "repeat"} ${where}.${index}`);
        } else {
          parent[key] =
            typeof old === "number"
              ? number
              : typeof old === "boolean"
                ? !old
                : typeof old === "string"
                  ? text
                  : old;
          done.push(`${where} = ${show(parent[key])}`);
        }
        break;
      }
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------------------------
// PromQL

const tokenPattern =
  /\s+|[A-Za-z_:][\w:]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[smhdwy]?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|=~|!~|!=|==|>=|<=|\$\{\w+\}|\$\w+|#[^\n]*|[\s\S]/g;

export function tokens(expr: string): string[] {
  return expr.match(tokenPattern) ?? [];
}

/** Tokens worth inserting: PromQL's own punctuation and keywords, Grafana's variables, and junk. */
const insertable = [
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  ",",
  '"',
  "'",
  "`",
  "=",
  "=~",
  "!~",
  "!=",
  "==",
  ">",
  "<",
  " ",
  "\n",
  "+",
  "-",
  "*",
  "/",
  "%",
  "^",
  "@",
  ":",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "start()",
  "end()",
  "sum",
  "rate",
  "increase",
  "delta",
  "histogram_quantile",
  "label_replace",
  "absent",
  "count_values",
  "topk",
  "quantile_over_time",
  "vector(1)",
  "time()",
  "5m",
  "1h",
  "[5m:1m]",
  "1e309",
  "-Inf",
  "NaN",
  "0x1F",
  "le",
  'le="0.5"',
  "$__rate_interval",
  "$__interval",
  "${datasource}",
  "$job",
  "# o11y-disable promql/regexp: reason",
  "# o11y-disable",
  "\u0000",
  "é",
  "{{",
  "up",
];

/** One edit of a token list: delete, duplicate, insert, swap or replace a token. */
const tokenEdit = fc.record({
  op: fc.constantFrom("delete", "duplicate", "insert", "swap", "replace"),
  at: fc.nat(),
  other: fc.nat(),
  token: fc.oneof(
    { arbitrary: fc.constantFrom(...insertable), weight: 4 },
    { arbitrary: anyString, weight: 1 },
  ),
});

/** Wraps an expression `depth` times in something that nests: parentheses, a function, an aggregation, a unary minus. */
const nesting = fc.record({
  depth: fc.oneof(
    { arbitrary: fc.nat({ max: 20 }), weight: 40 },
    // Rarely: past the parser's own limit every depth takes the same path, which costs lezer a third of a second.
    { arbitrary: fc.nat({ max: 20_000 }), weight: 1 },
  ),
  open: fc.constantFrom("(", "sum(", "abs(", "-", "rate(", "sum by (job) ("),
  close: fc.boolean(),
});

/**
 * `arbitrary` in `times` cases out of `outOf`, else null. (fc.option's `freq` is the other way round: null once in
 * `freq` cases, so a rare input would be in nearly every case, and the cheap cases that find most bugs rare.)
 */
const now = <T>(arbitrary: fc.Arbitrary<T>, times: number, outOf: number): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: outOf - times }, { arbitrary, weight: times });

/** A real expression from `pool`, changed at the token level, sometimes nested deep. */
export function mutatedExpression(pool: readonly string[]): fc.Arbitrary<string> {
  return fc
    .record({
      base: fc.constantFrom(...pool),
      edits: fc.array(tokenEdit, { maxLength: 6 }),
      // Now and then a long run of one thing, where a parser's cost per character shows.
      huge: now(fc.record({ text: hugeString, at: fc.nat() }), 1, 40),
      nest: now(nesting, 1, 6),
    })
    .map(({ base, edits, huge, nest }) => {
      const list = tokens(base);
      for (const e of edits) {
        const i = list.length ? e.at % list.length : 0;
        const j = list.length ? e.other % list.length : 0;
        if (e.op === "delete") list.splice(i, 1);
        else if (e.op === "duplicate" && list.length) list.splice(i, 0, list[i]!);
        else if (e.op === "insert") list.splice(i, 0, e.token);
        else if (e.op === "swap" && list.length) [list[i], list[j]] = [list[j]!, list[i]!];
        else if (list.length) list[i] = e.token;
      }
      if (huge) list.splice(list.length ? huge.at % list.length : 0, 0, huge.text);
      const expr = list.join("");
      if (!nest) return expr;
      const closing = nest.open === "-" || !nest.close ? "" : nest.open === "rate(" ? "[5m])" : ")";
      return `${nest.open.repeat(nest.depth)}${expr}${closing.repeat(nest.depth)}`;
    });
}

// ---------------------------------------------------------------------------------------------------
// Rule files

/** A rule file's skeleton, with `expr`s to be filled. */
function ruleFileTree(expressions: fc.Arbitrary<string>) {
  const labels = fc.dictionary(
    fc.constantFrom("severity", "team", "service", "le", "__name__", "bad-name", ""),
    yamlValue,
    { maxKeys: 3 },
  );
  const alertRule = fc.record({
    alert: fc.constantFrom("HighErrorRate", "QueueBacklog", "Fuzz_Alert", ""),
    expr: expressions,
    for: fc.constantFrom("5m", "0s", "1h30m", "-1m", "5", "forever"),
    labels: fc
      .record({ severity: fc.constantFrom("critical", "high", "medium", "low", "page") })
      .chain((base) => labels.map((extra) => ({ ...extra, ...base }))),
    annotations: fc.record({
      summary: anyString,
      description: fc.constantFrom(
        "{{ $value }}",
        "{{ $labels.job }} is down",
        "{{ humanize $value",
        "plain",
      ),
      runbook_url: fc.constantFrom("https://example.invalid/runbook#x", ""),
    }),
  });
  const recordRule = fc.record({
    record: fc.constantFrom("job:shop_requests:rate5m", "job:fuzz:ratio", "not a name", ""),
    expr: expressions,
    labels: fc.option(labels, { nil: undefined }),
  });
  const group = fc.record({
    name: fc.constantFrom("fuzz", "fuzz-2", "", "a/b"),
    interval: fc.option(fc.constantFrom("30s", "1m", "0s", "bogus"), { nil: undefined }),
    rules: fc.array(fc.oneof(alertRule, recordRule), { maxLength: 4 }),
  });
  return fc.record({ groups: fc.array(group, { minLength: 1, maxLength: 3 }) });
}

/** Text edits that break YAML in the ways people do: a character, an indent, a line, an anchor. */
const textEdit = fc.record({
  op: fc.constantFrom("insert", "delete", "duplicate-line", "indent", "dedent"),
  at: fc.nat(),
  length: fc.nat({ max: 20 }),
  text: fc.constantFrom(
    ":",
    "- ",
    "  ",
    "\t",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!int ",
    "|",
    ">-",
    "{",
    "[",
    "'",
    '"',
    "\n",
    "---\n",
    "? ",
    "%TAG ! x\n",
    "\ufeff",
  ),
});

function editText(
  text: string,
  edits: Array<{ op: string; at: number; length: number; text: string }>,
): string {
  let out = text;
  for (const e of edits) {
    const i = out.length ? e.at % out.length : 0;
    const lineStart = out.lastIndexOf("\n", i - 1) + 1;
    const lineEnd = out.indexOf("\n", i) < 0 ? out.length : out.indexOf("\n", i) + 1;
    if (e.op === "insert") out = out.slice(0, i) + e.text + out.slice(i);
    else if (e.op === "delete") out = out.slice(0, i) + out.slice(i + e.length);
    else if (e.op === "duplicate-line")
      out = out.slice(0, lineEnd) + out.slice(lineStart, lineEnd) + out.slice(lineEnd);
    else if (e.op === "indent") out = `${out.slice(0, lineStart)}  ${out.slice(lineStart)}`;
    else out = out.slice(0, lineStart) + out.slice(lineStart).replace(/^ {1,2}/, "");
  }
  return out;
}

/**
 * Anchors that refer to anchors: `levels` deep, `width` aliases each, so the tree they spell out has
 * width^levels leaves. Kept to a few million here so that a reader that expands them is slow, not stuck;
 * the whole-process test tries the billion-leaf kind.
 */
export function aliasBomb(levels: number, width: number, placement: "rules" | "labels" | "top"): string {
  const lines = ["x0: &a0 [lol, lol]"];
  for (let level = 1; level <= levels; level++)
    lines.push(`x${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(", ")}]`);
  const top = `*a${levels}`;
  if (placement === "top") return `${lines.join("\n")}\ngroups: ${top}\n`;
  if (placement === "rules") return `${lines.join("\n")}\ngroups:\n  - name: bomb\n    rules: ${top}\n`;
  return `${lines.join("\n")}\ngroups:\n  - name: bomb\n    rules:\n      - alert: Bomb\n        expr: up < 1\n        labels: {severity: low, x: ${top}}\n        annotations: {summary: s, description: d, runbook_url: u}\n`;
}

/** Text for `o11y check <file>`: a rule file (maybe broken at the text level), random YAML, or an alias bomb. */
export function ruleFileText(expressions: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const tree = fc
    .record({ tree: ruleFileTree(expressions), mutations: fc.array(mutation(yamlValue), { maxLength: 3 }) })
    .map(({ tree, mutations }) => {
      mutate(tree, mutations);
      return yamlStringify(tree, { lineWidth: 0 });
    });
  const keys = fc.constantFrom(
    "groups",
    "name",
    "rules",
    "alert",
    "record",
    "expr",
    "for",
    "labels",
    "annotations",
    "interval",
    "<<",
    "x",
  );
  const randomYaml = fc
    .dictionary(
      keys,
      fc.oneof(yamlValue, fc.array(fc.dictionary(keys, yamlValue, { maxKeys: 4 }), { maxLength: 3 })),
      { maxKeys: 4 },
    )
    .map((value) => yamlStringify(value, { lineWidth: 0 }));
  const bomb = fc
    .record({
      levels: fc.integer({ min: 1, max: 7 }),
      width: fc.integer({ min: 2, max: 8 }),
      placement: fc.constantFrom<"rules" | "labels" | "top">("rules", "labels", "top"),
    })
    // At most ~2^22 leaves.
    .filter(({ levels, width }) => levels * Math.log2(width) <= 22)
    .map(({ levels, width, placement }) => aliasBomb(levels, width, placement));
  return fc.oneof(
    { arbitrary: tree, weight: 5 },
    {
      arbitrary: fc
        .record({ text: tree, edits: fc.array(textEdit, { minLength: 1, maxLength: 4 }) })
        .map(({ text, edits }) => editText(text, edits)),
      weight: 4,
    },
    { arbitrary: randomYaml, weight: 2 },
    { arbitrary: anyString, weight: 1 },
    { arbitrary: bomb, weight: 1 },
  );
}
