/** Part 2: runs bench/scale-child.ts once per size, each in a fresh process so its peak RSS is its own. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { root } from "./process.ts";
import type { ScaleSample } from "./scale-child.ts";

export type { ScaleSample };

export function measureScale(
  n: number,
  options: { links?: boolean; reps?: number; cpuProfDir?: string } = {},
): ScaleSample {
  const args = [
    ...(options.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir] : []),
    "--import",
    "tsx",
    path.join(root, "bench", "scale-child.ts"),
    String(n),
    ...(options.reps ? ["--reps", String(options.reps)] : []),
    ...(options.links ? ["--links"] : []),
  ];
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 2 ** 24 });
  if (child.status !== 0)
    throw new Error(`scale run N=${n} failed (${child.status ?? child.signal}):\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as ScaleSample;
}
