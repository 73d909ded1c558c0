/** Self time per function and per file (or package) from a `node --cpu-prof` profile. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { root } from "./process.ts";

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Inclusive time of the named functions (pipeline stages), callees included. */
  stages: Array<{ name: string; totalMs: number }>;
  functions: Array<{ name: string; selfMs: number }>;
  files: Array<{ name: string; selfMs: number }>;
}

/** `src/engine/x.ts`, `yaml`, `@grafana/grafana-foundation-sdk`, `node:fs`, or `(garbage collector)`. */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const file = url.startsWith("file://") ? new URL(url).pathname : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1]!;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

function top(totals: Map<string, number>, limit: number): Array<{ name: string; selfMs: number }> {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, selfMs: us / 1000 }));
}

export function summarizeProfile(file: string, stageNames: string[], limit = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  // Inclusive stage time: each sample counts once for every distinct stage on its stack.
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageUs = new Map(stageNames.map((name) => [name, 0]));
  for (const [id, us] of selfUs) {
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (stageUs.has(name)) onStack.add(name);
    }
    for (const name of onStack) stageUs.set(name, stageUs.get(name)! + us);
  }

  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = owner(url, functionName);
    // Line numbers of .ts files are those of tsx's output, not of the source: leave them out.
    const line = url.endsWith(".ts") ? "" : `:${lineNumber + 1}`;
    const name = url ? `${functionName || "(anonymous)"}  ${where}${line}` : functionName || "(anonymous)";
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(where, (files.get(where) ?? 0) + us);
    total += us;
  }
  const stages = stageNames.map((name) => ({ name, totalMs: stageUs.get(name)! / 1000 }));
  return { totalMs: total / 1000, stages, functions: top(functions, limit), files: top(files, limit) };
}
