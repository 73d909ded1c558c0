import fc from "fast-check";
import { compileCase, wellTypedMutations, definitionMutations } from "../test/fuzz/compile-case.ts";
for (const [name, arb] of [["hostile", wellTypedMutations], ["mutated", definitionMutations]] as const) {
  const samples = fc.sample(arb as fc.Arbitrary<any>, { numRuns: 200, seed: 7 });
  compileCase(samples[0]);
  const c = process.cpuUsage();
  for (const s of samples) { try { compileCase(s); } catch (e) { } }
  const u = process.cpuUsage(c); console.log(name, "per case ms", (u.user + u.system) / 1000 / samples.length);
}
