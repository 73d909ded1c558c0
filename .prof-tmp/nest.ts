import { expressionCase } from "../test/fuzz/check-case.ts";
import { parsePromQL } from "../src/engine/promql/parse.ts";
for (const d of [500, 1000, 2000, 4000]) {
  const e = "rate(".repeat(d) + "x[5m]" + ")".repeat(d);
  let c = process.cpuUsage(); parsePromQL(e, {}); let u = process.cpuUsage(c);
  const p = (u.user + u.system) / 1000;
  c = process.cpuUsage(); expressionCase(e); u = process.cpuUsage(c);
  const s = "sum(".repeat(d) + "x" + ")".repeat(d);
  const c2 = process.cpuUsage(); expressionCase(s); const u2 = process.cpuUsage(c2);
  console.log(d, "parse", p, "check rate", (u.user + u.system) / 1000, "check sum", (u2.user + u2.system) / 1000);
}
