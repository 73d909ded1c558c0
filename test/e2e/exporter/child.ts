/**
 * Synthetic exporters in a process of their own, started by process.ts: the catalog's metrics and how many exporters
 * to run arrive over IPC, their ports go back the same way, and the process exits when its parent disconnects.
 */
import type { MetricModel } from "../../../src/engine/model.ts";
import { Exporter } from "./exporter.ts";

process.once("message", ({ metrics, count }: { metrics: MetricModel[]; count: number }) => {
  const exporters = Array.from({ length: count }, () => new Exporter(metrics));
  Promise.all(exporters.map((e) => e.listen())).then(
    (ports) => process.send!({ ports }),
    (error: unknown) => process.send!({ error: String(error) }),
  );
});
process.once("disconnect", () => process.exit(0));
