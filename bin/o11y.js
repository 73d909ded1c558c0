#!/usr/bin/env node
// Loads the TypeScript CLI through tsx's ESM hooks (faster start than the tsx CLI).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
