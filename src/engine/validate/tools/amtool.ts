/**
 * `amtool check-config` over the staged alertmanager.yml: the Alertmanager that will load it parses it, with its
 * receivers, routes and matchers; our schema only knows the shape.
 */
import type { Diagnostic } from "../../diagnostics.ts";
import { artifactAt, fileDiagnostic, type ExternalTool } from "./tool.ts";
import type { Artifact } from "../../render/artifact.ts";

const configPath = "alertmanager/alertmanager.yml";

function diagnose(output: string, artifacts: Artifact[], name: string): Diagnostic[] {
  const config = artifactAt(artifacts, configPath)!;
  // `Checking 'alertmanager.yml'  FAILED: <why>`, then a summary line that says no more.
  const failed = /FAILED: (.*)$/m.exec(output)?.[1]?.trim();
  const why = failed || output.trim() || "it failed and printed nothing";
  return [
    fileDiagnostic(
      amtool,
      config,
      `${name} (check-config) rejects ${configPath}: ${why}`,
      "Alertmanager would refuse to start with this file: fix the receivers and routes in src/alerts/severities.ts.",
    ),
  ];
}

export const amtool: ExternalTool = {
  id: "tool/amtool",
  command: "amtool",
  envVar: "O11Y_AMTOOL",
  debianPackage: "prometheus-alertmanager",
  entry: configPath,
  args: (entryName) => ["check-config", "--", entryName],
  readsEntryOnce: true,
  diagnose,
};
