import { parseTree } from "../src/engine/promql/parse.ts";
import { parser } from "@prometheus-io/lezer-promql";
const e = "rate(".repeat(2000) + "x[5m]" + ")".repeat(2000);
const t = (f: () => unknown, n = 5) => { f(); const c = process.cpuUsage(); for (let i = 0; i < n; i++) f(); const u = process.cpuUsage(c); return ((u.user + u.system) / 1000 / n).toFixed(1); };
console.log("parseTree", t(() => parseTree(e)));
console.log("lezer parse 500", t(() => parser.parse("rate(".repeat(500) + "x[5m]" + ")".repeat(500))));
console.log("parseTree 500", t(() => parseTree("rate(".repeat(500) + "x[5m]" + ")".repeat(500))));
console.log("parseTree 300", t(() => parseTree("rate(".repeat(300) + "x[5m]" + ")".repeat(300))));
console.log("parseTree 100", t(() => parseTree("rate(".repeat(100) + "x[5m]" + ")".repeat(100))));
