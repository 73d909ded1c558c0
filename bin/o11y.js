#!/usr/bin/env node
// Loads the TypeScript CLI through tsx's ESM hooks (faster start than the tsx CLI).
import { register } from "tsx/esm/api";

// A head start for the plain-JavaScript dependencies (hundreds of CommonJS files, most of them the Grafana
// SDK's): loaded before tsx's hooks are registered, they skip the hooks' worker thread, and Node reads no
// source maps for them. The TypeScript sources import them as usual and get these same module instances.
// Only a shortcut: a name missing here is loaded later all the same, one that fails to load is left to fail
// where it is really imported.
const plainDependencies = [
  // The CLI and the engine.
  "@lezer/common",
  "@prometheus-io/lezer-promql",
  "commander",
  "yaml",
  // The definitions, which every command loads (`--help` does not).
  "@grafana/grafana-foundation-sdk/common",
  "@grafana/grafana-foundation-sdk/dashboard",
  "@grafana/grafana-foundation-sdk/heatmap",
  "@grafana/grafana-foundation-sdk/prometheus",
  "@grafana/grafana-foundation-sdk/stat",
  "@grafana/grafana-foundation-sdk/table",
  "@grafana/grafana-foundation-sdk/timeseries",
];
const args = process.argv.slice(2);
const helpOnly = args.length === 0 || args[0] === "help" || args.some((arg) => arg === "--help" || arg === "-h" || arg === "--version" || arg === "-V");
const preload = helpOnly ? plainDependencies.filter((name) => !name.startsWith("@grafana/")) : plainDependencies;
await Promise.allSettled(preload.map((name) => import(name)));

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(args);
