import fc from "fast-check";
import { expressions } from "../test/fuzz/check-case.ts";
const samples = fc.sample(expressions(), { numRuns: 1000, seed: 42 });
const big = samples.filter((s) => s.length > 2000).length;
const nested = samples.filter((s) => /^(\w+\(|-|\(){20}/.test(s)).length;
console.log({ big, nested });
