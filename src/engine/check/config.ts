/**
 * A team's configuration for rule files this project did not write (`.o11y.yaml`, or `o11y check --config <file>`):
 * which house rules apply to which files, with the team's own parameters, and which checks are off. Correctness
 * checks run on every file unless turned off; the project's own definitions never read this file.
 * docs/checks/configuration.md is the user's page; schemas/o11y-config.schema.json the shape.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import picomatch from "picomatch";
import {
  isDocument,
  isMap,
  isNode,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
} from "yaml";
import type { Diagnostic } from "../diagnostics.ts";
import { isDuration } from "../duration.ts";
import { projectRoot } from "../source.ts";
import { closest } from "../text.ts";
import type { Check } from "./check.ts";
import { annotationsCheck, houseAnnotations } from "./checks/alerts/annotations.ts";
import { labelsCheck } from "./checks/alerts/labels.ts";
import { severityCheck } from "./checks/alerts/severity.ts";
import { allChecks, artifactChecks } from "./checks/index.ts";
import { ruleNameCheck } from "./checks/rules/name.ts";
import type { ForeignOptions } from "./run.ts";
import { foreignChecks } from "./run.ts";

/** The file `o11y check` looks for in the working directory. */
export const configFileName = ".o11y.yaml";
const schemaFile = path.join(projectRoot, "schemas", "o11y-config.schema.json");

type Switch = boolean | "on" | "off";
type Setting = Switch | Record<string, unknown>;

interface Entry {
  match: string | string[];
  checks?: Record<string, Setting>;
  scrapeInterval?: string;
}

/** What applies to one rule file: the checks, and the files that share them (same key) run together. */
export interface FileSettings {
  checks: Check[];
  key: string;
  options: ForeignOptions;
}

export interface Config {
  /** Where it was read from, for messages; undefined when there is none (the defaults). */
  file?: string;
  settingsFor(ruleFile: string): FileSettings;
}

/** Checks a team may turn on with parameters: the instance for them. The schema says what each takes. */
const configurable: Record<string, (parameters: Record<string, unknown>) => Check> = {
  "alerts/severity": (p) => severityCheck(p.levels as string[]),
  "alerts/annotations": (p) =>
    annotationsCheck({
      required: (p.required as string[] | undefined) ?? houseAnnotations.required,
      fixedSummary: (p.fixedSummary as boolean | undefined) ?? true,
    }),
  "alerts/labels": (p) => labelsCheck(p.required as string[]),
  "rules/name": (p) =>
    ruleNameCheck({
      pattern: new RegExp(`^(?:${p.pattern as string})$`),
      mismatch: `does not match ${p.pattern as string}`,
    }),
};

const byId = new Map(allChecks.map((check) => [check.id, check]));
/** What can judge a rule file: not what reads only our definitions, our dashboards, or our routing policies. */
const onRuleFiles = new Set(
  artifactChecks
    .filter((check) => check.scope !== "dashboard" && check.id !== "alerts/routing")
    .map((check) => check.id),
);

/** No configuration: every correctness check on every file, the project's scrape interval. */
export const defaultConfig: Config = { settingsFor: () => settingsOf([], undefined) };

function settingsOf(entries: Entry[], scrapeInterval: string | undefined): FileSettings {
  const chosen = new Map<string, Check>(foreignChecks.map((check) => [check.id, check]));
  const parameters = new Map<string, unknown>();
  for (const entry of entries) {
    for (const [id, setting] of Object.entries(entry.checks ?? {})) {
      if (setting === false || setting === "off") {
        chosen.delete(id);
        parameters.delete(id);
      } else if (setting === true || setting === "on") {
        chosen.set(id, byId.get(id)!);
        parameters.delete(id);
      } else {
        chosen.set(id, configurable[id]!(setting));
        parameters.set(id, setting);
      }
    }
  }
  // allChecks' order, so output and runs do not depend on the order of the configuration.
  const checks = allChecks.flatMap((check) => (chosen.has(check.id) ? [chosen.get(check.id)!] : []));
  const options: ForeignOptions = { catalogLabels: chosen.has("promql/unknown-metric") };
  if (scrapeInterval) options.scrapeInterval = scrapeInterval;
  const key = JSON.stringify([checks.map((c) => c.id), [...parameters].sort(), scrapeInterval ?? null]);
  return { checks, key, options };
}

/**
 * The configuration `o11y check` uses: `--config <file>` if given, else `.o11y.yaml` in the working directory if there
 * is one, else the defaults. Problems are diagnostics at their line of the file, all of them; no config is used then.
 */
export function loadConfig(
  explicit: string | undefined,
  cwd = process.cwd(),
): { config?: Config; diagnostics: Diagnostic[] } {
  const file = explicit ?? (existsSync(path.join(cwd, configFileName)) ? configFileName : undefined);
  if (file === undefined) return { config: defaultConfig, diagnostics: [] };
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "there is no such file"
        : code === "EISDIR"
          ? "it is a folder"
          : error instanceof Error
            ? error.message
            : String(error);
    return {
      diagnostics: [
        problem(
          file,
          1,
          `cannot be read: ${why}`,
          "pass the path of a YAML configuration file (see docs/checks/configuration.md).",
        ),
      ],
    };
  }
  return parseConfig(file, text, path.dirname(path.resolve(cwd, file)));
}

const problem = (file: string, line: number, message: string, fix?: string): Diagnostic => ({
  check: "config/file",
  severity: "error",
  subject: file,
  source: { file, line },
  message,
  ...(fix ? { fix } : {}),
});

/** The configuration in `text`, read from `file`, whose globs are relative to `baseDir`. */
export function parseConfig(
  file: string,
  text: string,
  baseDir: string,
): { config?: Config; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lines.linePos(offset).line;
  if (doc.errors.length)
    return {
      diagnostics: doc.errors.map((e) =>
        problem(file, lineAt(e.pos[0]), `not valid YAML: ${e.message.split("\n")[0]}`),
      ),
    };
  const value = doc.toJS() as unknown;
  const diagnostics = [
    ...schemaProblems(value).map((p) =>
      problem(file, lineOf(doc, p.pointer, p.atKey, lineAt), `${readable(p.pointer)}: ${p.message}`, p.fix),
    ),
    ...meaningProblems(value as { ruleFiles?: Entry[] }, doc, file, lineAt),
  ];
  if (diagnostics.length) return { diagnostics };
  const entries = (value as { ruleFiles: Entry[] }).ruleFiles.map((entry) => ({
    entry,
    matches: picomatch(entry.match, { dot: true }),
  }));
  return {
    diagnostics: [],
    config: {
      file,
      settingsFor(ruleFile) {
        const relative = path.relative(baseDir, path.resolve(ruleFile)).split(path.sep).join("/");
        const applying = entries.filter(({ matches }) => matches(relative)).map(({ entry }) => entry);
        return settingsOf(
          applying,
          applying.reduce<string | undefined>(
            (interval, entry) => entry.scrapeInterval ?? interval,
            undefined,
          ),
        );
      },
    },
  };
}

interface SchemaProblem {
  pointer: string;
  message: string;
  fix?: string;
  /** Place it at the key (an unknown property), not at its value. */
  atKey?: boolean;
}

/** Compiled on first use: a run without a configuration file never loads ajv. */
let validate: ValidateFunction | undefined;

/** What schemas/o11y-config.schema.json says of the value, one problem per place. ajv is loaded only when there is a file. */
function schemaProblems(value: unknown): SchemaProblem[] {
  if (!validate) {
    const require = createRequire(import.meta.url);
    const { Ajv } = require("ajv") as typeof import("ajv");
    validate = new Ajv({ allErrors: true, strict: true, verbose: true }).compile(
      JSON.parse(readFileSync(schemaFile, "utf8")),
    );
  }
  if (validate(value)) return [];
  // A oneOf reports every branch: at each place, keep the errors of the branch of the value's own kind (a mapping of
  // parameters, or on/off), unless that leaves none.
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of validate.errors ?? []) {
    // A key that is no check id is meaningProblems' to say, with the closest id.
    if (
      error.keyword === "oneOf" ||
      error.keyword === "if" ||
      error.keyword === "propertyNames" ||
      error.propertyName !== undefined
    )
      continue;
    byPath.set(error.instancePath, [...(byPath.get(error.instancePath) ?? []), error]);
  }
  const ofItsKind = (error: ErrorObject) => {
    const at = valueAt(value, error.instancePath);
    const isObject = typeof at === "object" && at !== null && !Array.isArray(at);
    if (isObject)
      return error.keyword !== "enum" && !(error.keyword === "type" && error.params.type !== "object");
    return !(
      error.keyword === "required" ||
      error.keyword === "additionalProperties" ||
      (error.keyword === "type" && error.params.type === "object")
    );
  };
  const byPlace = new Map<string, SchemaProblem & { messages: string[] }>();
  for (const errors of byPath.values()) {
    const kept = errors.filter(ofItsKind);
    for (const error of kept.length ? kept : errors) {
      const at = valueAt(value, error.instancePath);
      let pointer = error.instancePath;
      let message = error.message ?? `fails ${error.keyword}`;
      let atKey = false;
      if (error.keyword === "additionalProperties") {
        const name = String(error.params.additionalProperty);
        pointer = `${pointer}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
        const known = Object.keys(
          (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {},
        );
        const suggestion = closest(name, known);
        message = `is not a known key${suggestion ? ` (did you mean ${suggestion}?)` : known.length ? ` (known: ${known.join(", ")})` : ""}`;
        atKey = true;
      } else if (error.keyword === "required") {
        message = `needs \`${String(error.params.missingProperty)}\``;
        atKey = true;
      } else if (error.keyword === "enum") {
        // A mapping where on/off is wanted: a check that takes no parameters, which meaningProblems says.
        if (typeof at === "object" && at !== null) continue;
        message = `must be on or off (true or false), not ${JSON.stringify(at)}`;
      }
      const place = byPlace.get(pointer);
      if (place) {
        if (!place.messages.includes(message)) place.messages.push(message);
        continue;
      }
      const schema = error.parentSchema as
        { description?: string; properties?: Record<string, { description?: string }> } | undefined;
      // What the value should be; for a missing key, what that key is; an unknown key's message says enough.
      const fix =
        error.keyword === "required"
          ? schema?.properties?.[String(error.params.missingProperty)]?.description
          : atKey
            ? undefined
            : schema?.description;
      byPlace.set(pointer, { pointer, message, messages: [message], atKey, ...(fix ? { fix } : {}) });
    }
  }
  return [...byPlace.values()].map(({ messages, ...rest }) => ({ ...rest, message: messages.join(", or ") }));
}

/** What the schema cannot say: check ids that do not exist or cannot run on a rule file, patterns that do not compile. */
function meaningProblems(
  value: { ruleFiles?: Entry[] },
  doc: Document,
  file: string,
  lineAt: (offset: number) => number,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const isMapping = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  // What is not even the right shape, the schema has said.
  for (const [index, entry] of (Array.isArray(value?.ruleFiles) ? value.ruleFiles : []).entries()) {
    if (!isMapping(entry)) continue;
    for (const [id, setting] of Object.entries(isMapping(entry.checks) ? entry.checks : {})) {
      const pointer = `/ruleFiles/${index}/checks/${id.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      const line = lineOf(doc, pointer, true, lineAt);
      const check = byId.get(id);
      if (!check) {
        const suggestion = closest(id, byId.keys());
        out.push(
          problem(
            file,
            line,
            `there is no check ${id || '""'}`,
            suggestion ? `did you mean ${suggestion}?` : "see docs/checks/README.md for the checks' ids.",
          ),
        );
        continue;
      }
      const on = setting !== false && setting !== "off";
      if (on && !onRuleFiles.has(id)) {
        out.push(
          problem(
            file,
            line,
            `${id} cannot run on a rule file: it reads what only this project's TypeScript definitions carry`,
            `remove it; see docs/checks/${id}.md.`,
          ),
        );
        continue;
      }
      if (typeof setting === "object" && setting !== null && !configurable[id]) {
        out.push(problem(file, line, `${id} takes no parameters`, `write \`${id}: on\`.`));
        continue;
      }
      if (id === "rules/name" && typeof setting === "object" && setting !== null) {
        try {
          new RegExp(String((setting as { pattern: unknown }).pattern));
        } catch (error) {
          out.push(
            problem(
              file,
              lineOf(doc, `${pointer}/pattern`, false, lineAt),
              `pattern is not a regular expression: ${(error as Error).message}`,
            ),
          );
        }
      }
    }
    // The schema says what is not written as a duration; this, what is written as one of none.
    if (
      typeof entry.scrapeInterval === "string" &&
      /^([0-9]+(ms|s|m|h|d|w|y))+$/.test(entry.scrapeInterval) &&
      !isDuration(entry.scrapeInterval)
    ) {
      out.push(
        problem(
          file,
          lineOf(doc, `/ruleFiles/${index}/scrapeInterval`, false, lineAt),
          `scrapeInterval: "${entry.scrapeInterval}" is not a positive duration`,
          'write it like "30s" or "1m".',
        ),
      );
    }
  }
  return out;
}

/** `/ruleFiles/0/checks/alerts~1severity` as `ruleFiles[0].checks.alerts/severity`. */
function readable(pointer: string): string {
  if (!pointer) return "the file";
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join("");
}

function valueAt(value: unknown, pointer: string): unknown {
  let at = value;
  for (const segment of pointer.split("/").slice(1)) {
    const key = segment.replaceAll("~1", "/").replaceAll("~0", "~");
    at = typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at;
}

/** The line of the node at a JSON pointer (or of its key), or of the deepest node on the way there. */
function lineOf(
  doc: Document,
  pointer: string,
  atKey: boolean | undefined,
  lineAt: (offset: number) => number,
): number {
  let node: unknown = doc.contents;
  let line = 1;
  const segments = pointer
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      const target = last && atKey ? pair.key : pair.value;
      if (isNode(target) && (target as YamlNode).range) line = lineAt((target as YamlNode).range![0]);
      else if (isNode(pair.key) && (pair.key as YamlNode).range)
        line = lineAt((pair.key as YamlNode).range![0]);
      node = pair.value;
    } else if (
      node &&
      typeof node === "object" &&
      "items" in node &&
      Array.isArray((node as { items: unknown[] }).items)
    ) {
      const item = (node as { items: unknown[] }).items[Number(segment)];
      if (!isNode(item)) break;
      if ((item as YamlNode).range) line = lineAt((item as YamlNode).range![0]);
      node = item;
    } else {
      break;
    }
  }
  if (segments.length === 0 && isDocument(doc) && isNode(doc.contents) && doc.contents.range)
    line = lineAt(doc.contents.range[0]);
  return line;
}
