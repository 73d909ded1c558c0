import fc from "fast-check";
import { definitionTextCase, texts } from "../test/fuzz/round-trip-case.ts";
const samples = fc.sample(texts, { numRuns: 300, seed: 7 });
definitionTextCase(samples[0]!);
const c = process.cpuUsage();
for (const s of samples) { try { definitionTextCase(s); } catch (e) { } }
const u = process.cpuUsage(c); console.log("per case ms", (u.user + u.system) / 1000 / samples.length);
