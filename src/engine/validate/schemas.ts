import type { Diagnostic } from "../diagnostics.ts";
import type { Artifact } from "../render/artifact.ts";

export function validateArtifacts(_artifacts: Artifact[]): Diagnostic[] {
  return [];
}
