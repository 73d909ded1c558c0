/** schemas/diff-report.schema.json, compiled once: what `o11y diff --format json` promises machines. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { expect } from "vitest";
import { projectRoot } from "../../src/engine/source.ts";

let validate: ValidateFunction | undefined;

export const reportSchema = () =>
  JSON.parse(readFileSync(path.join(projectRoot, "schemas/diff-report.schema.json"), "utf8"));

/** Asserts that a parsed report satisfies the schema, naming every violation. */
export function expectValidReport(report: unknown): void {
  validate ??= new Ajv({ allErrors: true, strict: true }).compile(reportSchema());
  const ok = validate(report);
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
}
