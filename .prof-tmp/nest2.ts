import { expressionCase } from "../test/fuzz/check-case.ts";
const e = "rate(".repeat(2000) + "x[5m]" + ")".repeat(2000);
expressionCase(e);
const c = process.cpuUsage();
for (let i = 0; i < 5; i++) expressionCase(e);
const u = process.cpuUsage(c); console.log("per case", (u.user + u.system) / 5000);
