/**
 * node --import tsx scripts/precompile-schemas.ts
 *
 * Regenerates src/engine/validate/schemas.precompiled.cjs, the precompiled (ajv standalone) validators a
 * build checks its documents with. Run it after changing anything in schemas/ or upgrading ajv; until then
 * builds compile the schemas at run time (slower, same verdicts) and a test fails.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { precompiledFile, precompiledSource } from "../src/engine/validate/schemas.ts";
import { projectRoot } from "../src/engine/source.ts";

writeFileSync(precompiledFile, precompiledSource());
process.stdout.write(`wrote ${path.relative(projectRoot, precompiledFile)}\n`);
