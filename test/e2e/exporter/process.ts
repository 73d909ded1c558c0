/**
 * Runs synthetic exporters (exporter.ts) in a child process. In the test's own process, every stretch of work the
 * test did (parsing Prometheus's answers, compressing a hundred panel queries) held the exporters' replies back: on a
 * loaded machine its event loop stalled for seconds, so scrapes timed out (`up` 0, panels without data,
 * MetricsEndpointDown in every scenario) and the scrapes that did arrive carried seconds of events under one
 * timestamp. An application's endpoint does not wait for the monitoring's tests; these do not either.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { MetricModel } from "../../../src/engine/model.ts";
import { adopt } from "../harness.ts";
import type { ExporterPorts } from "./exporter.ts";

export interface ExporterProcess {
  /** One entry per exporter, each with its own counters and scenario. */
  ports: ExporterPorts[];
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL("./child.ts", import.meta.url));
const startWithinMs = 60_000;

/** `count` independent exporters of `metrics`, served by one child process. */
export async function startExporters(metrics: MetricModel[], count: number): Promise<ExporterProcess> {
  const child = fork(entry, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "advanced",
  });
  const release = adopt(child);
  let output = "";
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = once(child, "exit");
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    release();
  };
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<{ ports?: ExporterPorts[]; error?: string }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as { ports?: ExporterPorts[]; error?: string }));
    child.once("exit", (code) =>
      reject(new Error(`the exporter process exited with code ${code}:\n${output}`)),
    );
    timer = setTimeout(
      () =>
        reject(new Error(`the exporter process did not listen within ${startWithinMs / 1000}s:\n${output}`)),
      startWithinMs,
    );
  });
  child.send({ metrics, count });
  try {
    const { ports, error } = await answer;
    if (!ports) throw new Error(`the exporter process could not listen: ${error}\n${output}`);
    return { ports, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
