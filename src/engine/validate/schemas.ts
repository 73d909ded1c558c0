/**
 * Validates every rendered artifact against its JSON Schema in schemas/, the last gate before a file is
 * written: whatever the define helpers, the Grafana SDK or a render bug produce, build/ only ever holds
 * files that satisfy our schemas.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import type { Diagnostic } from "../diagnostics.ts";
import type { Artifact } from "../render/artifact.ts";
import { projectRoot, type SourceLocation } from "../source.ts";

export const schemasDir = path.join(projectRoot, "schemas");
const suffix = ".schema.json";

/**
 * Arrays whose items are a `oneOf` of definitions, and which definition an item means. ajv reports the
 * failures of every branch of a oneOf; re-validating the item against the branch it meant names the real
 * problem instead.
 */
const branches: Record<string, Array<{ item: RegExp; definition: (value: unknown) => string }>> = {
  "grafana-dashboard": [{ item: /^\/panels\/\d+(?=\/|$)/, definition: (panel) => ((panel as { type?: unknown } | null)?.type === "row" ? "row" : "panel") }],
};

interface Registry {
  ajv: Ajv;
  /** Schema id (file name without `.schema.json`) to its `$id`, or to why it could not be loaded. */
  uris: Map<string, { uri: string } | { error: string }>;
}

let registry: Registry | undefined;

/** Loads every schema once, on first use; ajv compiles each one the first time it is asked for, then caches it. */
function getRegistry(): Registry {
  if (registry) return registry;
  // strict: a typo'd keyword in our own schemas would silently validate nothing.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
  // `.default`: under NodeNext, TypeScript types this CommonJS import as its module object.
  addFormats.default(ajv);
  const uris: Registry["uris"] = new Map();
  const files = readdirSync(schemasDir)
    .filter((name) => name.endsWith(suffix))
    .sort();
  // Every file is added before any is compiled, so that schemas may $ref each other.
  for (const file of files) {
    const id = file.slice(0, -suffix.length);
    try {
      const schema = JSON.parse(readFileSync(path.join(schemasDir, file), "utf8")) as SchemaObject;
      if (typeof schema.$id !== "string") throw new Error("it has no $id");
      ajv.addSchema(schema);
      uris.set(id, { uri: schema.$id });
    } catch (error) {
      uris.set(id, { error: errorText(error) });
    }
  }
  registry = { ajv, uris };
  return registry;
}

interface Unusable {
  problem: string;
  fix: string;
}

/** The compiled validator for a schema id, or for one of its definitions, or why there is none. */
function validatorFor(id: string, definition?: string): ValidateFunction | Unusable {
  const { ajv, uris } = getRegistry();
  const entry = uris.get(id);
  const file = `schemas/${id}${suffix}`;
  if (!entry) {
    return {
      problem: `there is no schema "${id}" (known: ${[...uris.keys()].join(", ")})`,
      fix: `add ${file}, or name an existing schema in the artifact's \`schema\``,
    };
  }
  const fix = `fix ${file}`;
  if ("error" in entry) return { problem: `${file} cannot be loaded: ${entry.error}`, fix };
  const key = definition ? `${entry.uri}#/definitions/${definition}` : entry.uri;
  try {
    return ajv.getSchema(key) ?? { problem: `${file} has no ${key}`, fix };
  } catch (error) {
    return { problem: `${file} does not compile: ${errorText(error)}`, fix };
  }
}

export function validateArtifacts(artifacts: Artifact[]): Diagnostic[] {
  return artifacts.flatMap(validateArtifact);
}

function validateArtifact(artifact: Artifact): Diagnostic[] {
  const report = (pointer: string | undefined, message: string, fix?: string): Diagnostic => {
    const at = pointer === undefined ? undefined : locate(artifact, pointer);
    return {
      check: `schema/${artifact.schema}`,
      severity: "error",
      subject: at?.subject ?? artifact.subject,
      source: at?.source ?? artifact.source,
      message,
      ...(fix ? { fix } : {}),
    };
  };

  const validate = validatorFor(artifact.schema);
  if (typeof validate !== "function") return [report(undefined, `${artifact.path} cannot be validated: ${validate.problem}`, validate.fix)];

  let document: unknown;
  try {
    document = artifact.format === "yaml" ? parseYaml(artifact.content) : JSON.parse(artifact.content);
  } catch (error) {
    // Only a render bug can get here: renderers serialize documents they built.
    const message = `${artifact.path} is not valid ${artifact.format.toUpperCase()}: ${errorText(error).split("\n")[0]}`;
    return [report(undefined, message, "fix the renderer that produced this file")];
  }

  if (validate(document)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const problem of preciseErrors(artifact.schema, document, validate.errors ?? [])) {
    const message = `${problem.pointer || "(document)"}: ${problem.message}`;
    if (seen.has(message)) continue;
    seen.add(message);
    diagnostics.push(report(problem.pointer, message, problem.fix ?? `see the rule in schemas/${artifact.schema}${suffix}`));
  }
  return diagnostics;
}

interface Problem {
  pointer: string;
  message: string;
  fix?: string;
}

/** ajv's errors in plain words, with oneOf noise replaced by the errors of the branch each item meant. */
function preciseErrors(schema: string, document: unknown, errors: ErrorObject[]): Problem[] {
  const replaced = new Map<string, Problem[]>();
  const problems: Problem[] = [];
  for (const error of errors) {
    const rule = branches[schema]?.find((b) => b.item.test(error.instancePath));
    const item = rule?.item.exec(error.instancePath)?.[0];
    if (rule && item !== undefined) {
      if (!replaced.has(item)) replaced.set(item, revalidate(schema, item, rule.definition, document));
      // An empty list means the branch accepts the item; keep ajv's own errors rather than lose the problem.
      if (replaced.get(item)!.length > 0) continue;
    }
    const problem = describe(error);
    if (problem) problems.push(problem);
  }
  return [...problems, ...[...replaced.values()].flat()];
}

function revalidate(schema: string, item: string, definition: (value: unknown) => string, document: unknown): Problem[] {
  const value = valueAt(document, item);
  const validate = validatorFor(schema, definition(value));
  if (typeof validate !== "function" || validate(value)) return [];
  return (validate.errors ?? [])
    .map((error) => describe({ ...error, instancePath: item + error.instancePath }))
    .filter((problem): problem is Problem => problem !== undefined);
}

/** One ajv error as a pointer to the offending value, what is wrong with it, and the schema's own advice. */
function describe(error: ErrorObject): Problem | undefined {
  const advice = (schema: unknown) => (typeof schema === "object" && schema !== null ? (schema as { description?: string }).description : undefined);
  const parent = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    // The branch's own errors say what is wrong; "must match then schema" adds nothing.
    case "if":
      return undefined;
    case "required": {
      const name = String(error.params.missingProperty);
      return { pointer: `${error.instancePath}/${escapePointer(name)}`, message: "is missing (required)", fix: advice(parent?.properties?.[name]) };
    }
    case "additionalProperties": {
      const name = String(error.params.additionalProperty);
      return {
        pointer: `${error.instancePath}/${escapePointer(name)}`,
        message: "is not an allowed property here",
        fix: `remove \`${name}\` (Grafana would silently ignore a misspelt key), or allow it in the schema if Grafana has it`,
      };
    }
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return { pointer: error.instancePath, message: `must be one of ${allowed}${got(error.data)}`, fix: advice(error.parentSchema) };
    }
    case "const":
      return {
        pointer: error.instancePath,
        message: `must be ${JSON.stringify(error.params.allowedValue)}${got(error.data)}`,
        fix: advice(error.parentSchema),
      };
    default:
      return { pointer: error.instancePath, message: `${error.message ?? `fails ${error.keyword}`}${got(error.data)}`, fix: advice(error.parentSchema) };
  }
}

/** The offending value, when it is short enough to quote. */
function got(data: unknown): string {
  if (data === null || ["string", "number", "boolean"].includes(typeof data)) {
    const text = JSON.stringify(data);
    return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
  }
  return "";
}

/** The finest location the renderer recorded for a pointer: the longest prefix, on a segment boundary. */
function locate(artifact: Artifact, pointer: string): { subject: string; source: SourceLocation } | undefined {
  let best: { pointer: string; subject: string; source: SourceLocation } | undefined;
  for (const location of artifact.locations ?? []) {
    const within = pointer === location.pointer || pointer.startsWith(`${location.pointer}/`);
    if (within && (!best || location.pointer.length > best.pointer.length)) best = location;
  }
  return best;
}

function valueAt(document: unknown, pointer: string): unknown {
  let value = document;
  for (const segment of pointer.split("/").slice(1)) {
    const key = segment.replaceAll("~1", "/").replaceAll("~0", "~");
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
