import { createHash } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { Artifact } from "../render/artifact.ts";
import { stringifyJson } from "../compile/canonical-json.ts";

export const manifestPath = "manifest.json";

export function sha256(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** The manifest lists every file of the build with its sha256, so a deploy can verify what it received. */
export function manifestArtifact(artifacts: Artifact[]): Artifact {
  const files = [...artifacts]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((a) => ({ path: a.path, sha256: sha256(a.content), bytes: Buffer.byteLength(a.content, "utf8") }));
  return {
    path: manifestPath,
    schema: "manifest",
    format: "json",
    subject: "build manifest",
    source: { file: "src/project.ts", line: 1 },
    content: stringifyJson({ generatedBy: "o11y", files }),
  };
}

/** A build written beside `outDir`, not yet in its place: judge its files in `dir`, then commit or discard. */
export interface StagedBuild {
  dir: string;
  /** Replaces `outDir` with the staged files: two renames, so a crash never leaves a half-written build. */
  commit(): void;
  /** Removes the staged files; `outDir` stays as it was. */
  discard(): void;
}

/** Writes the files to a sibling temporary folder of `outDir`, leaving `outDir` untouched. */
export function stage(outDir: string, artifacts: Artifact[]): StagedBuild {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = path.join(parent, `.o11y-tmp-${path.basename(target)}-${stamp}`);
  const retired = path.join(parent, `.o11y-tmp-${path.basename(target)}-old-${stamp}`);
  const discard = () => {
    try {
      rmSync(staging, { recursive: true, force: true });
    } catch {
      // Nothing was staged where nothing can be written; the error that matters is the caller's.
    }
  };
  try {
    makeDirectories(parent);
    mkdirSync(staging);
    for (const artifact of artifacts) {
      const file = path.join(staging, artifact.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, artifact.content, "utf8");
    }
  } catch (error) {
    discard();
    throw error;
  }
  return {
    dir: staging,
    discard,
    commit() {
      try {
        if (existsSync(target)) renameSync(target, retired);
        renameSync(staging, target);
      } catch (error) {
        if (!existsSync(target) && existsSync(retired)) renameSync(retired, target);
        throw error;
      } finally {
        discard();
        rmSync(retired, { recursive: true, force: true });
      }
    },
  };
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops forever where a parent refuses new entries
 * (under /proc), instead of failing.
 */
function makeDirectories(dir: string): void {
  if (existsSync(dir)) return;
  makeDirectories(path.dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** Replaces `outDir` with exactly these files (stage, then commit). */
export function emit(outDir: string, artifacts: Artifact[]): void {
  stage(outDir, artifacts).commit();
}
