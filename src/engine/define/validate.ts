/**
 * Run-time validation of definitions, where they are written: a value of the wrong type, a missing field, a
 * number that is not finite, `undefined` interpolated into PromQL. The type checker catches most of these
 * first; these rules catch them when it is off, or when a value is `any` or computed. A problem is kept with
 * its definition (never thrown), so every one is reported in one run, and the definition gets a harmless
 * placeholder in its place, so that nothing downstream trips over it. Whether a value is right for Prometheus
 * or Grafana (a duration's syntax, an empty unit, a duplicate id) stays with the checks.
 */
import { closest } from "../text.ts";
import { callerLocation, formatLocation, type SourceLocation } from "../source.ts";

/** The check id of every problem found when a definition is made. */
export const definitionCheck = "definition/invalid";

/** One problem with a definition, found when it was made. */
export interface DefinitionProblem {
  /** What is wrong, led by the field: `summary is 42 (a number), not text`. */
  message: string;
  fix: string;
  source: SourceLocation;
  /** Where in a PromQL expression, counted from 1. */
  position?: { line: number; column: number };
  /** The check whose rule it breaks, when one has it; else definition/invalid. */
  check?: string;
}

const problemsByDefinition = new WeakMap<object, DefinitionProblem[]>();

/** Keeps problems with the definition (a definition object, or a builder's built object) they belong to. */
export function addProblems(definition: object, problems: DefinitionProblem[]): void {
  if (problems.length === 0) return;
  problemsByDefinition.set(definition, [...(problemsByDefinition.get(definition) ?? []), ...problems]);
}

export function problemsOf(definition: unknown): DefinitionProblem[] {
  return (typeof definition === "object" || typeof definition === "function") && definition !== null
    ? (problemsByDefinition.get(definition) ?? [])
    : [];
}

/** A value as a message shows it: `42 (a number)`, `"5m" (text)`, `a list`. */
export function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "string")
    return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)} (text)`;
  if (typeof value === "number") return Number.isFinite(value) ? `${value} (a number)` : String(value);
  if (typeof value === "boolean" || typeof value === "bigint") return `${String(value)} (a ${typeof value})`;
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return value.name ? `a function (${value.name})` : "a function";
  if (Array.isArray(value)) return "a list";
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
    ?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/** Collects a definition's problems while its rules read it. */
export class Problems {
  readonly list: DefinitionProblem[] = [];
  /** `members`: the unknown catalog members the definition took (takeUnknownMembers), to name in its PromQL's problems. */
  constructor(
    readonly source: SourceLocation,
    readonly members: readonly UnknownMember[] = [],
  ) {}

  /** `at` is the field's path (`tests[0].value`); `expected` completes "is ..., not <expected>". */
  wrong(at: string, value: unknown, expected: string, fix: string): void {
    // A list's element is never missing: it is there, and undefined.
    const message =
      value === undefined && !at.endsWith("]")
        ? `${at} is missing`
        : `${at} is ${describe(value)}, not ${expected}`;
    this.list.push({ message, fix, source: this.source });
  }

  add(problem: Omit<DefinitionProblem, "source">): void {
    this.list.push({ ...problem, source: this.source });
  }
}

/** Reads one value: returns it when it is right, else reports it and returns a placeholder of the right type. */
export type Rule<T> = (value: unknown, at: string, problems: Problems) => T;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Text; `placeholder` stands in for a wrong value where "" would itself draw a finding. */
export const text =
  (fix: string, placeholder = ""): Rule<string> =>
  (value, at, problems) => {
    if (typeof value === "string") return value;
    problems.wrong(at, value, "text", fix);
    return placeholder;
  };

/** A number that is finite; `integer`, `min` and `max` narrow it. */
export const finite =
  (fix: string, options: { integer?: boolean; min?: number; max?: number } = {}): Rule<number> =>
  (value, at, problems) => {
    const { integer = false, min, max } = options;
    const range =
      min !== undefined && max !== undefined
        ? ` from ${min} to ${max}`
        : min !== undefined
          ? ` of at least ${min}`
          : max !== undefined
            ? ` of at most ${max}`
            : "";
    const expected = `${integer ? "an integer" : "a finite number"}${range}`;
    const inRange = (n: number) => (min === undefined || n >= min) && (max === undefined || n <= max);
    if (
      typeof value === "number" &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      inRange(value)
    )
      return value;
    problems.wrong(at, value, expected, fix);
    return min ?? 0;
  };

export const boolean =
  (fix: string): Rule<boolean> =>
  (value, at, problems) => {
    if (typeof value === "boolean") return value;
    problems.wrong(at, value, "true or false", fix);
    return false;
  };

export const oneOf =
  <T extends string>(values: readonly T[], fix: string): Rule<T> =>
  (value, at, problems) => {
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
    problems.wrong(at, value, `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`, fix);
    return values[0]!;
  };

/** Absent is fine; present must follow `rule`, else it is reported and left out, as if absent. */
export const optional =
  <T>(rule: Rule<T>): Rule<T | undefined> =>
  (value, at, problems) => {
    if (value === undefined) return undefined;
    const before = problems.list.length;
    const checked = rule(value, at, problems);
    return problems.list.length === before ? checked : undefined;
  };

/** A list whose elements follow `item`; the list itself when every element does. */
export const list =
  <T>(item: Rule<T>, fix: string): Rule<T[]> =>
  (value, at, problems) => {
    if (!Array.isArray(value)) {
      problems.wrong(at, value, "a list", fix);
      return [];
    }
    let out: T[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const checked = item(value[index], `${at}[${index}]`, problems);
      if (checked !== value[index]) (out ??= value.slice(0, index) as T[]).push(checked);
      else out?.push(checked);
    }
    return out ?? (value as T[]);
  };

/** An object of text values, e.g. labels. */
export const textRecord =
  (fix: string): Rule<Record<string, string>> =>
  (value, at, problems) => {
    if (!isRecord(value)) {
      problems.wrong(at, value, "an object of text values", fix);
      return {};
    }
    // Made from entries, not assigned key by key: a key "__proto__" (a computed key, JSON) stays a key, not a prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, text(fix)(entry, `${at}.${key}`, problems)]),
    );
  };

/** Anything `accepts` says yes to; `placeholder` stands in for the rest. */
export const satisfying =
  <T>(accepts: (value: unknown) => boolean, expected: string, fix: string, placeholder: () => T): Rule<T> =>
  (value, at, problems) => {
    if (accepts(value)) return value as T;
    problems.wrong(at, value, expected, fix);
    return placeholder();
  };

export type Shape<T> = { [K in keyof T]-?: Rule<T[K]> };

/**
 * An object whose listed fields follow their rules. Fields it does not list are kept as they are. `at` is the
 * object's own path (`tests[0]`), or "" for the spec a helper was given.
 */
export function object<T extends object>(shape: Shape<T>, what: string): Rule<T> {
  // Every panel's spec passes here: the shape's entries are listed once, and a spec is copied only when a field is replaced.
  const fields = Object.entries(shape) as Array<[string, Rule<unknown>]>;
  return (value, at, problems) => {
    let report = problems;
    if (!isRecord(value)) {
      problems.wrong(
        at || "the definition",
        value,
        what.startsWith("{") ? `an object ${what}` : what,
        `pass ${what}.`,
      );
      value = {};
      // Its fields are all missing: said once, above; they only get placeholders.
      report = new Problems(problems.source, problems.members);
    }
    const given = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const [key, rule] of fields) {
      const checked = rule(given[key], at ? `${at}.${key}` : key, report);
      if (checked === given[key]) continue;
      out ??= { ...given };
      if (checked === undefined) delete out[key];
      else out[key] = checked;
    }
    return (out ?? given) as T;
  };
}

/**
 * Reads a helper's spec by its shape: the spec with placeholders where it was wrong (the spec itself when nothing
 * was: copy it before changing it), and what was wrong.
 */
export function readSpec<T extends object>(
  spec: unknown,
  shape: Shape<T>,
  what: string,
  source: SourceLocation,
  members: readonly UnknownMember[] = [],
): { spec: T; problems: DefinitionProblem[] } {
  const problems = new Problems(source, members);
  let rule = specRules.get(shape) as Rule<T> | undefined;
  if (!rule) specRules.set(shape, (rule = object(shape, what)));
  return { spec: rule(spec, "", problems), problems: problems.list };
}

const specRules = new WeakMap<object, Rule<unknown>>();

/*
 * Values that mean a mistake when they appear in PromQL: interpolating `undefined` (a misspelt catalog
 * metric, say), `null`, a number that is not finite, or an object without a `toString` of its own.
 */
const mistakenTokens = /\b(?:undefined|null|NaN|Infinity)\b|\[object [A-Za-z]+\]/g;
const anyMistakenToken = /\b(?:undefined|null|NaN|Infinity)\b|\[object [A-Za-z]+\]/;

/** Text with its PromQL string literals and comments blanked out, so that only the expression's own tokens remain. */
function withoutStringsAndComments(expr: string): string {
  return expr.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|#[^\n]*/g, (match) =>
    match.replace(/[^\n]/g, " "),
  );
}

/** 1-based line and column of an offset. */
function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** The interpolation mistakes in a PromQL text: each token with its position. `allowNonFinite` skips NaN and Infinity. */
function interpolationMistakes(
  expr: string,
  allowNonFinite = false,
): Array<{ token: string; position: { line: number; column: number } }> {
  const found: Array<{ token: string; position: { line: number; column: number } }> = [];
  // Nearly every expression holds none of them: said without blanking its strings (every panel's queries pass here).
  if (!anyMistakenToken.test(expr)) return found;
  for (const match of withoutStringsAndComments(expr).matchAll(mistakenTokens)) {
    if (allowNonFinite && (match[0] === "NaN" || match[0] === "Infinity")) continue;
    found.push({ token: match[0], position: positionAt(expr, match.index) });
  }
  return found;
}

/*
 * Catalog members read but not declared (`phoenix.httpRequestz`): JavaScript gives `undefined`, which a
 * template literal writes as the word. The catalog's groups note each such read, with where it was written.
 * A definition's spec is evaluated just before its helper is called, so the helper takes the reads noted
 * since the previous definition: if its PromQL then holds `undefined`, they name the member and its likely
 * spelling.
 */
export interface UnknownMember {
  name: string;
  suggestion: string | undefined;
  source: SourceLocation;
}
let pendingMembers: UnknownMember[] = [];

export function noteUnknownMember(group: string, member: string, known: Iterable<string>): void {
  const suggestion = closest(member, known);
  pendingMembers.push({
    name: `${group}.${member}`,
    suggestion: suggestion && `${group}.${suggestion}`,
    source: callerLocation(),
  });
}

/** The unknown members read since the last definition took them: a helper whose spec holds PromQL takes them. */
export function takeUnknownMembers(): UnknownMember[] {
  const taken = pendingMembers;
  if (taken.length) pendingMembers = [];
  return taken;
}

/** Reports every interpolation mistake in a PromQL field (`expr`, a query, a test series). `allowNonFinite` skips NaN and Infinity. */
export function checkInterpolation(
  expr: unknown,
  at: string,
  problems: Problems,
  members: readonly UnknownMember[] = [],
  allowNonFinite = false,
): void {
  if (typeof expr !== "string") return;
  for (const { token, position } of interpolationMistakes(expr, allowNonFinite)) {
    const where = `${at} holds \`${token}\``;
    if (token === "undefined" && members.length) {
      const place = (m: UnknownMember) =>
        m.source.file === problems.source.file ? `line ${m.source.line}` : formatLocation(m.source);
      const names = [...new Set(members.map((m) => `${m.name} (read at ${place(m)})`))].join(", ");
      const suggestions = [...new Set(members.flatMap((m) => (m.suggestion ? [m.suggestion] : [])))];
      problems.add({
        message: `${where}: ${names} is not in the metric catalog, so the text reads \`undefined\``,
        fix: suggestions.length
          ? `did you mean ${suggestions.join(", ")}? Otherwise declare the metric in src/catalog/.`
          : "declare the metric in src/catalog/, or correct its name.",
        position,
      });
    } else if (token === "undefined") {
      problems.add({
        message: `${where}: a value interpolated with \${...} is undefined`,
        fix: "check each ${...} in it: a misspelt name, or a variable that was never set.",
        position,
      });
    } else if (token === "null") {
      problems.add({
        message: `${where}: a value interpolated with \${...} is null`,
        fix: "check each ${...} in it: it must give a metric, a recording rule, a threshold or a number.",
        position,
      });
    } else if (token === "NaN" || token === "Infinity") {
      problems.add({
        message: `${where}: a number interpolated with \${...} is not finite`,
        fix: "check the computation that gives it: a division by zero, or a number read from text. (PromQL's own literals are written nan and inf.)",
        position,
      });
    } else {
      problems.add({
        message: `${where}: an object was interpolated with \${...}, and it does not write itself as PromQL`,
        fix: "interpolate a catalog metric, a recordingRule(...) or a threshold (they write their name or comparison), or one field of the object.",
        position,
      });
    }
  }
}

/** A PromQL text field: text, without interpolation mistakes (`members`: the unknown catalog members its definition took). */
export const promql =
  (fix: string): Rule<string> =>
  (value, at, problems) => {
    const expr = text(fix)(value, at, problems);
    checkInterpolation(expr, at, problems, problems.members);
    return expr;
  };

/** A definition as the engine may read it (placeholders where it is wrong), what is wrong with it, and its line. */
export interface Validated<T> {
  value: T;
  problems: DefinitionProblem[];
}
