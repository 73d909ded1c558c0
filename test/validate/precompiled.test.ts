import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/engine/pipeline.ts";
import { projectRoot } from "../../src/engine/source.ts";
import { precompiledFile, precompiledSource, validateArtifacts } from "../../src/engine/validate/schemas.ts";
import { project } from "../../src/project.ts";

describe("precompiled validators", () => {
  it("are fresh: the committed file is what schemas/ and the installed ajv generate", () => {
    const committed = readFileSync(precompiledFile, "utf8");
    const expected = precompiledSource();
    // Stale, builds still validate everything (compiling the schemas at run time), only slower.
    expect(
      committed === expected,
      `${path.relative(projectRoot, precompiledFile)} is stale: run \`node --import tsx scripts/precompile-schemas.ts\``,
    ).toBe(true);
  }, 60_000);

  it("accept the real build, and a document they reject is explained by the compiled schema", () => {
    const { artifacts } = compile(project);
    expect(validateArtifacts(artifacts)).toEqual([]);
    const dashboard = artifacts.find((a) => a.schema === "grafana-dashboard")!;
    const document = JSON.parse(dashboard.content) as { panels: Array<Record<string, unknown>> };
    document.panels[0]!.gridPos = "full width";
    const [diagnostic, ...rest] = validateArtifacts([{ ...dashboard, content: JSON.stringify(document) }]);
    expect(rest).toEqual([]);
    expect(diagnostic!.message).toBe(`/panels/0/gridPos: must be object (got "full width")`);
  });
});
