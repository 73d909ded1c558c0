import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/engine/pipeline.ts";
import type { Artifact } from "../../src/engine/render/artifact.ts";
import { schemasDir, validateArtifacts } from "../../src/engine/validate/schemas.ts";
import { project } from "../../src/project.ts";

const result = compile(project);

function artifact(schema: string): Artifact {
  const found = result.artifacts.find((a) => a.schema === schema);
  if (!found)
    throw new Error(`the build has no ${schema} artifact: ${JSON.stringify(result.diagnostics, null, 2)}`);
  return found;
}

// Mutations work on the parsed JSON; the helpers find panels by kind so the table survives content changes.
type Json = Record<string, any>;
const dashboard = artifact("grafana-dashboard");
const doc = (): Json => JSON.parse(dashboard.content);
const panelIndex = (kind: "row" | "panel") =>
  (doc().panels as Json[]).findIndex((p) => (p.type === "row") === (kind === "row"));
const panel = panelIndex("panel");
const row = panelIndex("row");
const panelSubject = (index: number) => {
  const p = doc().panels[index];
  return `panel ${p.id} "${p.title}"`;
};
const sourceOf = (pointer: string) => dashboard.locations?.find((l) => l.pointer === pointer)?.source;

interface Case {
  name: string;
  artifact: Artifact;
  mutate: (doc: Json) => void;
  /** Replaces the text instead, for parse failures and YAML. */
  text?: (content: string) => string;
  check: string;
  /** The start of the message: the pointer, or the file for parse failures. */
  message: string;
  subject: string;
  /** The panel whose definition the diagnostic must point at. */
  panel?: number;
}

const cases: Case[] = [
  {
    name: "a panel without a unit",
    artifact: dashboard,
    mutate: (d) => delete d.panels[panel].fieldConfig.defaults.unit,
    check: "schema/grafana-dashboard",
    message: `/panels/${panel}/fieldConfig/defaults/unit: is missing`,
    subject: panelSubject(panel),
    panel,
  },
  {
    name: "a panel with an empty description",
    artifact: dashboard,
    mutate: (d) => (d.panels[panel].description = ""),
    check: "schema/grafana-dashboard",
    message: `/panels/${panel}/description: must NOT have fewer than 1 characters`,
    subject: panelSubject(panel),
    panel,
  },
  {
    name: "a target without refId",
    artifact: dashboard,
    mutate: (d) => delete d.panels[panel].targets[0].refId,
    check: "schema/grafana-dashboard",
    message: `/panels/${panel}/targets/0/refId: is missing`,
    subject: panelSubject(panel),
    panel,
  },
  {
    name: "a panel 30 columns wide",
    artifact: dashboard,
    mutate: (d) => (d.panels[panel].gridPos.w = 30),
    check: "schema/grafana-dashboard",
    message: `/panels/${panel}/gridPos/w: must be <= 24 (got 30)`,
    subject: panelSubject(panel),
    panel,
  },
  {
    name: "a misspelt panel key",
    artifact: dashboard,
    mutate: (d) => (d.panels[panel].descripton = "typo"),
    check: "schema/grafana-dashboard",
    message: `/panels/${panel}/descripton: is not an allowed property`,
    subject: panelSubject(panel),
    panel,
  },
  {
    name: "a row without title",
    artifact: dashboard,
    mutate: (d) => delete d.panels[row].title,
    check: "schema/grafana-dashboard",
    message: `/panels/${row}/title: is missing`,
    subject: panelSubject(row),
    panel: row,
  },
  {
    name: "an expanded row holding panels",
    artifact: dashboard,
    mutate: (d) => (d.panels[row].panels = [d.panels[panel]]),
    check: "schema/grafana-dashboard",
    message: `/panels/${row}/panels: must NOT have more than 0 items`,
    subject: panelSubject(row),
    panel: row,
  },
  {
    name: "a bad dashboard uid",
    artifact: dashboard,
    mutate: (d) => (d.uid = "no spaces allowed"),
    check: "schema/grafana-dashboard",
    message: `/uid: must match pattern`,
    subject: dashboard.subject,
  },
  {
    name: "a dashboard without templating",
    artifact: dashboard,
    mutate: (d) => delete d.templating,
    check: "schema/grafana-dashboard",
    message: `/templating: is missing`,
    subject: dashboard.subject,
  },
  {
    name: "malformed JSON",
    artifact: dashboard,
    mutate: () => {},
    text: (content) => content.slice(0, content.length / 2),
    check: "schema/grafana-dashboard",
    message: `${dashboard.path} is not valid JSON: `,
    subject: dashboard.subject,
  },
  {
    name: "a datasource with a bad timeInterval",
    artifact: artifact("grafana-datasources"),
    mutate: () => {},
    text: (content) => content.replace(/timeInterval: .*/, "timeInterval: 15 seconds"),
    check: "schema/grafana-datasources",
    message: `/datasources/0/jsonData/timeInterval: must match pattern`,
    subject: artifact("grafana-datasources").subject,
  },
  {
    name: "a dashboard provider that is not a file provider",
    artifact: artifact("grafana-dashboard-providers"),
    mutate: () => {},
    text: (content) => content.replace("type: file", "type: folder"),
    check: "schema/grafana-dashboard-providers",
    message: `/providers/0/type: must be "file"`,
    subject: artifact("grafana-dashboard-providers").subject,
  },
  {
    name: "a manifest with a bad sha256",
    artifact: artifact("manifest"),
    mutate: (d) => (d.files[0].sha256 = "abc123"),
    check: "schema/manifest",
    message: `/files/0/sha256: must match pattern`,
    subject: "build manifest",
  },
];

function mutated(c: Case): Artifact {
  if (c.text) return { ...c.artifact, content: c.text(c.artifact.content) };
  const document = JSON.parse(c.artifact.content) as Json;
  c.mutate(document);
  return { ...c.artifact, content: JSON.stringify(document) };
}

describe("schema validation", () => {
  it("accepts the real build, every schema used", () => {
    expect(result.ok).toBe(true);
    expect(result.artifacts.length).toBeGreaterThan(0);
    expect(validateArtifacts(result.artifacts)).toEqual([]);
    const used = new Set(result.artifacts.map((a) => a.schema));
    for (const schema of [
      "grafana-dashboard",
      "grafana-datasources",
      "grafana-dashboard-providers",
      "manifest",
    ])
      expect(used).toContain(schema);
  });

  it.each(cases.map((c) => [c.name, c] as const))("reports %s", (_name, c) => {
    const diagnostics = validateArtifacts([mutated(c)]);
    // Exactly one: oneOf noise and duplicates are gone.
    expect(diagnostics, JSON.stringify(diagnostics, null, 2)).toHaveLength(1);
    const [d] = diagnostics;
    expect(d!.check).toBe(c.check);
    expect(d!.severity).toBe("error");
    expect(d!.message.startsWith(c.message), d!.message).toBe(true);
    expect(d!.subject).toContain(c.subject);
    expect(d!.fix).toBeTruthy();
    expect(d!.source).toEqual(c.panel === undefined ? c.artifact.source : sourceOf(`/panels/${c.panel}`));
  });

  it("reports every problem of a document, each once", () => {
    const document = doc();
    delete document.panels[panel].fieldConfig.defaults.unit;
    document.panels[panel].description = "";
    document.panels[panel].gridPos.x = 24;
    delete document.panels[row].title;
    document.uid = "";
    const messages = validateArtifacts([{ ...dashboard, content: JSON.stringify(document) }]).map(
      (d) => d.message.split(":")[0],
    );
    expect(messages.sort()).toEqual(
      [
        `/panels/${panel}/fieldConfig/defaults/unit`,
        `/panels/${panel}/description`,
        `/panels/${panel}/gridPos/x`,
        `/panels/${row}/title`,
        "/uid",
      ].sort(),
    );
  });

  it("reports an unknown schema id", () => {
    const [d, ...rest] = validateArtifacts([{ ...dashboard, schema: "no-such-schema" }]);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      check: "schema/no-such-schema",
      severity: "error",
      subject: dashboard.subject,
    });
    expect(d!.message).toContain('there is no schema "no-such-schema"');
  });

  const files = readdirSync(schemasDir).filter((f) => f.endsWith(".schema.json"));
  it.each(files)("%s is a draft-07 schema with $id and description, and compiles", (file) => {
    const schema = JSON.parse(readFileSync(path.join(schemasDir, file), "utf8"));
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.$id).toBe(`urn:global-sovereign:o11y:schema:${file.replace(".schema.json", "")}`);
    expect(schema.description).toBeTruthy();
    // Validating any document compiles the schema; a broken schema says "cannot be validated".
    const diagnostics = validateArtifacts([
      { ...dashboard, schema: file.replace(".schema.json", ""), content: "{}" },
    ]);
    expect(diagnostics.filter((d) => d.message.includes("cannot be validated"))).toEqual([]);
  });
});
