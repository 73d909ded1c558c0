/**
 * Runs the synthetic exporter by hand: `node --import tsx test/e2e/exporter/main.ts [appPort] [natsPort]`,
 * then `curl localhost:<appPort>/metrics` and `curl -X POST localhost:<appPort>/scenario/5xx-spike`.
 */
import { compile } from "../../../src/engine/pipeline.ts";
import { project } from "../../../src/project.ts";
import { Exporter } from "./exporter.ts";

const exporter = new Exporter(compile(project).model.metrics);
const ports = await exporter.listen({
  app: Number(process.argv[2] ?? 4000),
  nats: Number(process.argv[3] ?? 7777),
});
console.log(`global-sovereign on 127.0.0.1:${ports.app}/metrics, nats on 127.0.0.1:${ports.nats}/metrics`);
if (exporter.unexported.length) console.log(`not exported (no values): ${exporter.unexported.join(", ")}`);
