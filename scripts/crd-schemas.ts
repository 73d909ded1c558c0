/**
 * Converts a CustomResourceDefinition's OpenAPI v3 schema into a JSON Schema of schemas/, which the build
 * validates each Kubernetes resource against before it writes it:
 *
 *   node --import tsx scripts/crd-schemas.ts --crd <file.yaml> --source "<repository, path, commit>" --version "<version>" --id <schema id>
 *
 * (several --crd ... --id ... groups may follow each other). The schema records the source and version it came
 * from. What OpenAPI has and JSON Schema has not is translated: `x-kubernetes-int-or-string`, Go's `(?i)` in
 * patterns, and the CEL rules (`x-kubernetes-validations`) this script knows; a rule about the object's previous
 * state (`oldSelf`) cannot apply to a new object and is dropped; any other rule stops the script, so a new CRD
 * version cannot lose one silently. Objects are closed (`additionalProperties: false`), as `kubectl apply`'s
 * strict field validation treats them, `metadata` is Kubernetes' own ObjectMeta rules
 * (schemas/kubernetes-object-meta.schema.json), and `status`, which no one writes, is left out.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

type Schema = Record<string, unknown>;

/** CEL rules a JSON Schema can say, by their text: what to add to the object's schema instead. */
const knownRules: Record<string, Schema> = {
  "(has(self.folderUID) && !(has(self.folderRef))) || (has(self.folderRef) && !(has(self.folderUID))) || !(has(self.folderRef) && (has(self.folderUID)))":
    { not: { properties: { folderUID: true, folderRef: true }, required: ["folderUID", "folderRef"] } },
  "(has(self.folder) && !(has(self.folderRef) || has(self.folderUID))) || !(has(self.folder))": {
    not: {
      anyOf: [
        { properties: { folder: true, folderRef: true }, required: ["folder", "folderRef"] },
        { properties: { folder: true, folderUID: true }, required: ["folder", "folderUID"] },
      ],
    },
  },
  "!format.uuid().validate(self).hasValue()": {
    pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  },
};

const normalizeRule = (rule: string) => rule.replace(/\s+/g, " ").trim();

/** Go's case-insensitive flag at the start of a pattern, as JavaScript can read it: each letter as a class. */
function jsPattern(pattern: string): string {
  const flag = /^\^?\(\?i\)/;
  if (!flag.test(pattern)) return pattern;
  const body = pattern.replace(flag, pattern.startsWith("^") ? "^" : "");
  return body.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

function convert(node: unknown, where: string): unknown {
  if (Array.isArray(node)) return node.map((item, i) => convert(item, `${where}/${i}`));
  if (node === null || typeof node !== "object") return node;
  const source = node as Schema;
  const out: Schema = {};
  const extra: Schema[] = [];
  for (const [key, value] of Object.entries(source)) {
    if (key === "x-kubernetes-validations") {
      for (const { rule } of value as Array<{ rule: string }>) {
        const text = normalizeRule(rule);
        if (/\boldSelf\b/.test(text)) continue;
        const known = knownRules[text];
        if (!known) throw new Error(`${where}: no JSON Schema for the CEL rule ${JSON.stringify(text)}`);
        extra.push(known);
      }
      continue;
    }
    if (key.startsWith("x-kubernetes-")) continue;
    if (key === "nullable") continue;
    if (key === "pattern") out.pattern = jsPattern(String(value));
    else if (key === "properties") {
      const properties: Schema = {};
      for (const [name, child] of Object.entries(value as Schema))
        properties[name] = convert(child, `${where}/properties/${name}`);
      out.properties = properties;
    } else out[key] = convert(value, `${where}/${key}`);
  }
  if (source.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  if (source["x-kubernetes-int-or-string"] === true && !out.anyOf)
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  const open = source["x-kubernetes-preserve-unknown-fields"] === true;
  if (out.type === "object" && out.properties && !("additionalProperties" in out) && !open)
    out.additionalProperties = false;
  for (const rule of extra) {
    if (rule.pattern !== undefined && out.pattern === undefined) out.pattern = rule.pattern;
    else out.allOf = [...((out.allOf as Schema[]) ?? []), rule];
  }
  return out;
}

interface Job {
  crd: string;
  source: string;
  version: string;
  id: string;
}

function readJobs(args: string[]): Job[] {
  const jobs: Job[] = [];
  let job: Partial<Job> = {};
  const flush = () => {
    if (Object.keys(job).length === 0) return;
    for (const key of ["crd", "source", "version", "id"] as const)
      if (!job[key]) throw new Error(`--${key} is missing for ${job.crd ?? "a CRD"}`);
    jobs.push(job as Job);
    job = {};
  };
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (!/^--(crd|source|version|id)$/.test(flag) || value === undefined)
      throw new Error(`unexpected argument ${flag}`);
    const key = flag.slice(2) as keyof Job;
    if (key === "crd") flush();
    job[key] = value;
  }
  flush();
  return jobs;
}

export function crdSchema(crdText: string, job: Omit<Job, "crd">, file: string): Schema {
  const crd = parse(crdText) as {
    kind?: string;
    spec?: {
      group: string;
      names: { kind: string };
      versions: Array<{ name: string; storage?: boolean; schema?: { openAPIV3Schema?: Schema } }>;
    };
  };
  if (crd.kind !== "CustomResourceDefinition" || !crd.spec) throw new Error(`${file} is not a CRD`);
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const openApi = version?.schema?.openAPIV3Schema;
  if (!version || !openApi) throw new Error(`${file} has no openAPIV3Schema`);
  const apiVersion = `${crd.spec.group}/${version.name}`;
  const kind = crd.spec.names.kind;
  const converted = convert(openApi, "#") as Schema;
  const { status: _status, ...properties } = converted.properties as Schema;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: `urn:global-sovereign:o11y:schema:${job.id}`,
    $comment: `Generated by scripts/crd-schemas.ts from ${path.basename(file)} (${job.source}; version ${job.version}). Do not edit: run the script again.`,
    title: `${kind} (${apiVersion})`,
    description: `The ${kind} resource as its CustomResourceDefinition's OpenAPI v3 schema accepts it (${job.source}, version ${job.version}), with Kubernetes' ObjectMeta rules for its metadata.`,
    ...converted,
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      ...properties,
      apiVersion: { const: apiVersion },
      kind: { const: kind },
      metadata: { $ref: "urn:global-sovereign:o11y:schema:kubernetes-object-meta" },
    },
    additionalProperties: false,
  };
}

function main(): void {
  const jobs = readJobs(process.argv.slice(2));
  if (jobs.length === 0) {
    console.error(
      'usage: node --import tsx scripts/crd-schemas.ts --crd <file.yaml> --source "<repository, path, commit>" --version <version> --id <schema id> ...',
    );
    process.exit(2);
  }
  for (const job of jobs) {
    const schema = crdSchema(readFileSync(job.crd, "utf8"), job, job.crd);
    const out = path.join(import.meta.dirname, "..", "schemas", `${job.id}.schema.json`);
    writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) main();
