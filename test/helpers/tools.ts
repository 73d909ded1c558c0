import { spawnSync } from "node:child_process";

/** Runs one of the real Prometheus tools; the test command guarantees they are installed. */
export function run(tool: "promtool" | "amtool", args: string[], cwd?: string) {
  const result = spawnSync(tool, args, { cwd, encoding: "utf8" });
  if (result.error)
    throw new Error(
      `${tool} could not run (${result.error.message}); install Debian's prometheus and prometheus-alertmanager`,
    );
  return { code: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}
