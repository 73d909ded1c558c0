import { parseTree } from "../src/engine/promql/parse.ts";
const e = "rate(".repeat(2000) + "x[5m]" + ")".repeat(2000);
for (let i = 0; i < 20; i++) parseTree(e);
