/**
 * What the check tests under test/checks/ share: the real project's model, running one check over an
 * expression or a model, and the standard table of bad cases (each must be flagged, as described) and
 * good cases (each must pass).
 */
import { describe, expect, it } from "vitest";
import type { Check, CheckContext, ExpressionSite } from "../../src/engine/check/check.ts";
import { checkContext, checkExpressions, checkModel } from "../../src/engine/check/run.ts";
import { formatDiagnostic, type Diagnostic, type Severity } from "../../src/engine/diagnostics.ts";
import type { DashboardModel, Model } from "../../src/engine/model.ts";
import { compile } from "../../src/engine/pipeline.ts";
import type { SourceLocation } from "../../src/engine/source.ts";
import { project } from "../../src/project.ts";

export type Kind = ExpressionSite["kind"];
export type Position = { line: number; column: number };

// ---------------------------------------------------------------------------------------------------
// The real project

let real: { model: Model; context: CheckContext } | undefined;

function memo() {
  if (!real) {
    const model = compile(project).model;
    real = { model, context: checkContext(model) };
  }
  return real;
}

/** The real project's model, compiled once per test file. */
export const realModel = (): Model => memo().model;

/** The check context of the real model. */
export const realContext = (): CheckContext => memo().context;

/** One of the real dashboards, by uid. */
export function realDashboard(uid: string): DashboardModel {
  const dashboard = realModel().dashboards.find((d) => d.uid === uid);
  if (!dashboard) throw new Error(`the real project has no dashboard ${uid}`);
  return dashboard;
}

// ---------------------------------------------------------------------------------------------------
// Running checks

export interface SiteOptions {
  /** Default "expression" (an alert or rule); the other kinds may use Grafana variables. */
  kind?: Kind;
  /** Uid of the real dashboard a dashboard query or variable belongs to (not attached to kind "expression"). */
  dashboard?: string;
  /** Default "test". */
  subject?: string;
  /** Default the real model's context. */
  context?: CheckContext;
}

const asOptions = (options: Kind | SiteOptions = {}): SiteOptions =>
  typeof options === "string" ? { kind: options } : options;

/** `options` over `defaults`, field by field; a field left undefined keeps the default. */
function over(defaults: SiteOptions, options: SiteOptions): SiteOptions {
  return {
    kind: options.kind ?? defaults.kind,
    dashboard: options.dashboard ?? defaults.dashboard,
    subject: options.subject ?? defaults.subject,
    context: options.context ?? defaults.context,
  };
}

/** A site for one expression, written at `t:1`. */
export function expressionSite(expr: string, options: Kind | SiteOptions = {}): ExpressionSite {
  const { kind = "expression", dashboard, subject = "test" } = asOptions(options);
  const site: ExpressionSite = { expr, subject, source: { file: "t", line: 1 }, kind };
  if (kind !== "expression" && dashboard !== undefined) site.dashboard = realDashboard(dashboard);
  return site;
}

/** Expression checks over explicit sites, with the real model's context unless told otherwise. */
export function runSites(
  checks: Check | Check[],
  sites: ExpressionSite[],
  context: CheckContext = realContext(),
): Diagnostic[] {
  return checkExpressions(sites, context, Array.isArray(checks) ? checks : [checks]);
}

/** Expression checks over one expression; `options` may be just its kind. */
export function runExpression(
  checks: Check | Check[],
  expr: string,
  options: Kind | SiteOptions = {},
): Diagnostic[] {
  const resolved = asOptions(options);
  return runSites(checks, [expressionSite(expr, resolved)], resolved.context);
}

/** Checks over a whole model, the real one by default. */
export function runModel(checks: Check | Check[], model: Model = realModel()): Diagnostic[] {
  return checkModel(model, Array.isArray(checks) ? checks : [checks]);
}

/** The diagnostics as the CLI prints them, for assertion messages. */
export const explain = (found: Diagnostic[]): string => found.map(formatDiagnostic).join("\n");

// ---------------------------------------------------------------------------------------------------
// What a diagnostic must say

/** What one diagnostic must say; a field left out is not checked. */
export interface Expected {
  /** The subject, exactly. */
  subject?: string;
  /** Text the subject must contain (for real panels, whose titles are not spelt out). */
  subjectContains?: string;
  /** Text the message must contain, or a pattern it must match. */
  message?: string | RegExp;
  /** The whole message, exactly. */
  messageIs?: string;
  /** Text the fix must contain; `true`: there must be a fix. */
  fix?: string | true;
  /** The source location, exactly. */
  source?: SourceLocation;
  /** The file of the source location. */
  sourceFile?: string;
  /** The position inside the expression; `null`: none (a finding about a definition, not inside an expression). */
  position?: Position | null;
}

/** Asserts that `d` is a diagnostic of check `id` at `severity` that says what `expected` says. */
export function expectDiagnostic(
  d: Diagnostic | undefined,
  id: string,
  severity: Severity,
  expected: Expected,
  context = "",
): asserts d is Diagnostic {
  expect(d, context).toBeDefined();
  expect(d!.check).toBe(id);
  expect(d!.severity).toBe(severity);
  if (expected.subject !== undefined) expect(d!.subject).toBe(expected.subject);
  if (expected.subjectContains !== undefined) expect(d!.subject).toContain(expected.subjectContains);
  if (typeof expected.message === "string") expect(d!.message).toContain(expected.message);
  else if (expected.message !== undefined) expect(d!.message).toMatch(expected.message);
  if (expected.messageIs !== undefined) expect(d!.message).toBe(expected.messageIs);
  if (expected.fix === true) expect(d!.fix).toBeTruthy();
  else if (expected.fix !== undefined) expect(d!.fix).toContain(expected.fix);
  if (expected.source !== undefined) expect(d!.source).toEqual(expected.source);
  if (expected.sourceFile !== undefined) expect(d!.source.file).toBe(expected.sourceFile);
  if (expected.position === null) expect(d!.position).toBeUndefined();
  else if (expected.position !== undefined) expect(d!.position).toEqual(expected.position);
}

/** `b` over `a`, field by field; a field left undefined keeps `a`'s. */
function merge(a: Expected, b: Expected): Expected {
  const out: Expected = { ...a };
  for (const [key, value] of Object.entries(b) as Array<[keyof Expected, Expected[keyof Expected]]>) {
    if (value !== undefined) Object.assign(out, { [key]: value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Tables of expressions

export interface GoodExpression extends SiteOptions {
  name: string;
  expr: string;
}

export interface BadExpression extends GoodExpression {
  /** Text the message must contain, or a pattern it must match. */
  message: string | RegExp;
  /** Text the fix must contain; `true`: there must be a fix. Default the table's `fix`. */
  fix?: string | true;
  position: Position;
}

export interface ExpressionTable extends SiteOptions {
  severity: Severity;
  /** Each is flagged exactly once, as described. */
  bad: BadExpression[];
  /** Each passes. */
  good: GoodExpression[];
  /** What every bad case's fix must contain when the case says nothing. */
  fix?: string | true;
  /** The name of a test that runs the check over the whole real project and expects nothing. */
  realProject?: string;
}

/** `run(expr, kind or options)`: the check over one expression, with the table's site defaults. */
export type ExpressionRunner = (expr: string, options?: Kind | SiteOptions) => Diagnostic[];

/** A runner for `check`, with `defaults` under whatever each call passes. */
export function expressionRunner(check: Check, defaults: SiteOptions = {}): ExpressionRunner {
  return (expr, options) => runExpression(check, expr, over(defaults, asOptions(options)));
}

/**
 * `describe(id)` with the standard tests of an expression check: "flags $name" for each bad case (one
 * diagnostic, of this check and severity, with the message, fix and position given), "accepts $name" for each
 * good case, and, if named, the real project test. `more` adds the file's own tests, with a runner.
 */
export function describeExpressionCheck(
  id: string,
  check: Check,
  table: ExpressionTable,
  more?: (run: ExpressionRunner) => void,
): void {
  const run = expressionRunner(check, table);
  describe(id, () => {
    it.each(table.bad)("flags $name", (bad) => {
      const found = run(bad.expr, bad);
      expect(found, explain(found)).toHaveLength(1);
      expectDiagnostic(found[0], id, table.severity, {
        message: bad.message,
        fix: bad.fix ?? table.fix,
        position: bad.position,
      });
    });

    it.each(table.good)("accepts $name", (good) => {
      expect(run(good.expr, good)).toEqual([]);
    });

    if (table.realProject !== undefined) {
      it(table.realProject, () => {
        expect(runModel(check)).toEqual([]);
      });
    }

    more?.(run);
  });
}

// ---------------------------------------------------------------------------------------------------
// Tables of models

export interface GoodModel {
  name: string;
  model: () => Model;
}

/** A model the check must flag: with one finding (this case's own fields), or `findings`. */
export interface BadModel extends GoodModel, Expected {
  findings?: Expected[];
  /** The case's own finding is reported this many times (default once). */
  times?: number;
}

/**
 * How a bad case's expected findings are matched with the check's diagnostics:
 * - "exactly": the check reports these and no others, in this order;
 * - "by subject": the check reports these and no others, each looked up by its `subject`;
 * - "message": among whatever it reports, the first diagnostic whose message contains the expected `message` says the rest;
 * - "message and subject": among whatever it reports, one diagnostic has the expected `message` and `subject`, and says the rest.
 */
export type Match = "exactly" | "by subject" | "message" | "message and subject";

export interface ModelTable {
  severity: Severity;
  match: Match;
  bad: BadModel[];
  /** Each passes: the check reports nothing. */
  good: GoodModel[];
  /** Expected of every finding of every bad case, under the case's own. */
  expect?: Expected;
  /** More assertions on every diagnostic a bad case matched. */
  alsoExpect?: (d: Diagnostic) => void;
}

function expectedOf(table: ModelTable, bad: BadModel): Expected[] {
  const { name: _name, model: _model, findings, times = 1, ...own } = bad;
  const base = table.expect ?? {};
  return findings
    ? findings.map((f) => merge(base, f))
    : Array.from({ length: times }, () => merge(base, own));
}

function textOf(expected: Expected, field: "message" | "subject"): string {
  const text = expected[field];
  if (typeof text !== "string") throw new Error(`match by ${field} needs a ${field} string`);
  return text;
}

function findOne(
  found: Diagnostic[],
  expected: Expected,
  match: Match,
): { d: Diagnostic | undefined; context: string } {
  switch (match) {
    case "by subject": {
      const subject = textOf(expected, "subject");
      return { d: found.find((d) => d.subject === subject), context: `a finding for ${subject}` };
    }
    case "message": {
      const message = textOf(expected, "message");
      return { d: found.find((d) => d.message.includes(message)), context: explain(found) };
    }
    case "message and subject": {
      const [message, subject] = [textOf(expected, "message"), textOf(expected, "subject")];
      return {
        d: found.find((d) => d.message.includes(message) && d.subject === subject),
        context: explain(found),
      };
    }
    case "exactly":
      throw new Error("exactly matches by index");
  }
}

/**
 * `describe(id)` with the standard tests of a dashboard or model check: "flags $name" for each bad case
 * (matched as `table.match` says), "accepts $name" for each good case. `more` adds the file's own tests,
 * with a runner over a model (the real one by default).
 */
export function describeModelCheck(
  id: string,
  check: Check,
  table: ModelTable,
  more?: (run: (model?: Model) => Diagnostic[]) => void,
): void {
  const run = (model?: Model) => runModel(check, model);
  describe(id, () => {
    it.each(table.bad)("flags $name", (bad) => {
      const found = run(bad.model());
      const expected = expectedOf(table, bad);
      if (table.match === "exactly" || table.match === "by subject")
        expect(found, explain(found)).toHaveLength(expected.length);
      for (const [index, e] of expected.entries()) {
        const { d, context } =
          table.match === "exactly"
            ? { d: found[index], context: explain(found) }
            : findOne(found, e, table.match);
        expectDiagnostic(d, id, table.severity, e, context);
        table.alsoExpect?.(d);
      }
    });

    it.each(table.good)("accepts $name", (good) => {
      const found = run(good.model());
      expect(found, explain(found)).toEqual([]);
    });

    more?.(run);
  });
}
