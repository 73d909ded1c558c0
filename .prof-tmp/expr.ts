import fc from "fast-check";
import { expressionCase, expressions } from "../test/fuzz/check-case.ts";
const n = Number(process.env.N ?? 300);
const samples = fc.sample(expressions(), { numRuns: n, seed: 42 });
const t0 = process.cpuUsage();
let worst: Array<[number, number, string]> = [];
for (const s of samples) {
  const c = process.cpuUsage();
  expressionCase(s);
  const u = process.cpuUsage(c); const ms = (u.user + u.system) / 1000;
  worst.push([ms, s.length, s.slice(0, 80)]);
}
const u = process.cpuUsage(t0);
console.log("total cpu ms", (u.user + u.system) / 1000, "per case", (u.user + u.system) / 1000 / n);
worst.sort((a, b) => b[0] - a[0]);
for (const w of worst.slice(0, 12)) console.log(w[0].toFixed(1), w[1], JSON.stringify(w[2]));
const byLen = { small: 0, big: 0 }; for (const w of worst) byLen[w[1] > 2000 ? "big" : "small"] += w[0];
console.log(byLen);
