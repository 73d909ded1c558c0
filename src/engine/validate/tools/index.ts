import path from "node:path";
import type { Diagnostic } from "../../diagnostics.ts";
import type { Artifact } from "../../render/artifact.ts";
import { amtool } from "./amtool.ts";
import { promtool } from "./promtool.ts";
import { artifactAt, fileDiagnostic, findExecutable, runTool, type ExternalTool, type ToolsMode } from "./tool.ts";

export { toolsModes, type ToolsMode } from "./tool.ts";

export const externalTools: ExternalTool[] = [promtool, amtool];

export interface ToolsVerdict {
  diagnostics: Diagnostic[];
  /** What the user should know that is not a problem: a tool that is not installed, in `auto` mode. */
  notes: string[];
}

/**
 * Runs every tool whose file is in the build over the staged copy in `stagedDir`, all at once. Their
 * diagnostics are errors: the staged build must not replace build/.
 */
export async function judgeWithTools(stagedDir: string, artifacts: Artifact[], mode: ToolsMode, env: NodeJS.ProcessEnv = process.env): Promise<ToolsVerdict> {
  if (mode === "off") return { diagnostics: [], notes: [] };
  const verdicts = await Promise.all(
    externalTools.map(async (tool): Promise<ToolsVerdict> => {
      const artifact = artifactAt(artifacts, tool.entry);
      if (!artifact) return { diagnostics: [], notes: [] };
      const install = `install Debian's ${tool.debianPackage} package, or set ${tool.envVar} to the executable`;
      const found = findExecutable(tool, env);
      if ("missing" in found) {
        if (mode === "require") {
          return { diagnostics: [fileDiagnostic(tool, artifact, `${tool.command} must judge ${tool.entry} (--tools require), but ${found.missing}`, `${install}.`)], notes: [] };
        }
        return { diagnostics: [], notes: [`${tool.command} did not judge ${tool.entry}: ${found.missing} (${install}; --tools require makes this an error)`] };
      }
      const entry = path.join(stagedDir, tool.entry);
      const run = await runTool(found.file, tool.args(path.basename(entry)), path.dirname(entry));
      if (run.error) return { diagnostics: [fileDiagnostic(tool, artifact, `${found.file} could not judge ${tool.entry}: ${run.error}`, `check that ${found.file} runs; ${install}.`)], notes: [] };
      return { diagnostics: run.code === 0 ? [] : tool.diagnose(run.output, artifacts), notes: [] };
    }),
  );
  return { diagnostics: verdicts.flatMap((v) => v.diagnostics), notes: verdicts.flatMap((v) => v.notes) };
}
