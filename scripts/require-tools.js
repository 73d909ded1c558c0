#!/usr/bin/env node
// The tests run the real promtool, amtool, prometheus and alertmanager, VictoriaMetrics (victoria-metrics, vmagent,
// vmalert), kubectl (`kubectl kustomize`, which needs no cluster), PyYAML, and chromium (headless, for the preview).
// Install them from Debian when we can (root with apt-get), otherwise stop with a clear message: a test must never
// skip silently.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** What the tests need -> its Debian package. */
const tools = {
  promtool: "prometheus",
  prometheus: "prometheus",
  amtool: "prometheus-alertmanager",
  "prometheus-alertmanager": "prometheus-alertmanager",
  "victoria-metrics": "victoria-metrics",
  vmagent: "victoria-metrics",
  vmalert: "victoria-metrics",
  kubectl: "kubernetes-client",
  PyYAML: "python3-yaml",
  // The preview's browser tests and `o11y diff --pictures`; O11Y_CHROMIUM may name another Chromium or Chrome.
  chromium: "chromium",
};
const has = (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;
// PyYAML, a YAML 1.1 reader, proves that what we write reads back the same there (test/escape/yaml.test.ts).
const pythonHasYaml = (python) => spawnSync(python, ["-c", "import yaml"], { stdio: "ignore" }).status === 0;
const present = (tool) => {
  if (tool === "PyYAML") return pythonHasYaml("python3") || pythonHasYaml("/usr/bin/python3");
  if (tool === "chromium") return existsSync(process.env.O11Y_CHROMIUM || "/usr/bin/chromium");
  return has(tool);
};
const missingTools = () => Object.keys(tools).filter((tool) => !present(tool));

let missing = missingTools();
if (missing.length > 0 && process.getuid?.() === 0 && has("apt-get")) {
  const packages = [...new Set(missing.map((tool) => tools[tool]))];
  console.error(`installing ${packages.join(", ")} from Debian for ${missing.join(", ")} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], {
    stdio: "inherit",
    env,
  });
  missing = missingTools();
}
if (missing.length > 0) {
  console.error(
    `npm test needs ${missing.join(", ")} on PATH (Debian packages: ${[...new Set(missing.map((t) => tools[t]))].join(" ")}).\n` +
      "Install them with: sudo apt-get install prometheus prometheus-alertmanager victoria-metrics kubernetes-client python3-yaml chromium",
  );
  process.exit(1);
}
