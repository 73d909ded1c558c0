import { beam } from "../catalog/index.ts";
import { query, row, sel, stat, timeseries } from "../engine/define/dashboard-kit.ts";
import { thresholds } from "../alerts/thresholds.ts";
import { serviceDashboard } from "./common.ts";

const memoryKinds = [
  [beam.memoryProcesses, "processes"],
  [beam.memoryEts, "ets"],
  [beam.memoryBinary, "binary"],
  [beam.memoryAtom, "atom"],
  [beam.memoryCode, "code"],
  [beam.memorySystem, "system"],
] as const;

export const beamHealth = serviceDashboard({
  uid: "gs-beam-health",
  title: "BEAM Health",
  description:
    "The Erlang VM under Phoenix: memory, reductions (CPU work), processes, scheduler run queues and garbage collection.",
  tags: ["beam", "vm"],
  anchorMetric: beam.memoryTotal.name,
})
  .withRow(row(100, "Overview"))
  .withPanel(
    stat({
      id: 101,
      title: "Total memory",
      description: "Memory allocated by the BEAM, summed over the selected instances.",
      unit: "bytes",
      queries: [query(`sum(${beam.memoryTotal}{${sel}})`, "total")],
    }),
  )
  .withPanel(
    stat({
      id: 102,
      title: "Processes",
      description: "Erlang processes alive, summed over the selected instances.",
      unit: "short",
      queries: [query(`sum(${beam.processCount}{${sel}})`, "processes")],
    }),
  )
  .withPanel(
    stat({
      id: 103,
      title: "Reductions per second",
      description: "BEAM CPU work: reductions executed per second.",
      unit: "cps",
      queries: [query(`sum(rate(${beam.reductions}{${sel}}[$__rate_interval]))`, "reductions/s")],
    }),
  )
  .withPanel(
    stat({
      id: 104,
      title: "Run queue",
      description: "Processes waiting for a scheduler. Above zero for long means the CPU is saturated.",
      unit: "short",
      queries: [query(`sum(${beam.runQueueLength}{${sel}})`, "waiting")],
    }),
  )
  .withRow(row(200, "Memory"))
  .withPanel(
    timeseries({
      id: 201,
      title: "Total memory by instance",
      description: "Memory allocated by the BEAM on each instance.",
      unit: "bytes",
      queries: [query(`sum by (instance) (${beam.memoryTotal}{${sel}})`, "{{instance}}")],
    }),
  )
  .withPanel(
    timeseries({
      id: 202,
      title: "Memory by kind",
      description:
        "Memory by erlang:memory/0 kind. Processes and ETS are the usual suspects when total memory climbs.",
      unit: "bytes",
      stack: true,
      queries: memoryKinds.map(([metric, kind]) => query(`sum(${metric}{${sel}})`, kind)),
    }),
  )
  .withPanel(
    timeseries({
      id: 203,
      title: "Memory usage of limit",
      description:
        "BEAM memory as a share of the instance's memory limit. The red line is the BeamMemoryHigh alert's threshold.",
      unit: "percentunit",
      min: 0,
      queries: [
        query(
          `sum by (instance) (${beam.memoryTotal}{${sel}})\n/\nsum by (instance) (${beam.memoryLimit}{${sel}})`,
          "{{instance}}",
        ),
      ],
      thresholds: [thresholds.beamMemoryUsageRatio],
    }),
  )
  .withRow(row(300, "Work"))
  .withPanel(
    timeseries({
      id: 301,
      title: "Reductions per second",
      description: "Reductions executed per second on each instance: the BEAM's measure of CPU work.",
      unit: "cps",
      queries: [
        query(`sum by (instance) (rate(${beam.reductions}{${sel}}[$__rate_interval]))`, "{{instance}}"),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 302,
      title: "Process count",
      description:
        "Erlang processes alive on each instance. Steady growth without traffic growth is a process leak.",
      unit: "short",
      queries: [query(`sum by (instance) (${beam.processCount}{${sel}})`, "{{instance}}")],
    }),
  )
  .withPanel(
    timeseries({
      id: 303,
      title: "Run queue length",
      description: "Processes ready to run but waiting, by scheduler kind.",
      unit: "short",
      queries: [query(`sum by (kind) (${beam.runQueueLength}{${sel}})`, "{{kind}}")],
    }),
  )
  .withRow(row(400, "Garbage collection"))
  .withPanel(
    timeseries({
      id: 401,
      title: "Garbage collections per second",
      description: "Garbage collections run per second on each instance.",
      unit: "cps",
      queries: [
        query(
          `sum by (instance) (rate(${beam.garbageCollections}{${sel}}[$__rate_interval]))`,
          "{{instance}}",
        ),
      ],
    }),
  )
  .withPanel(
    timeseries({
      id: 402,
      title: "Memory reclaimed per second",
      description: "Bytes freed by garbage collection per second on each instance.",
      unit: "Bps",
      queries: [
        query(`sum by (instance) (rate(${beam.garbageReclaimed}{${sel}}[$__rate_interval]))`, "{{instance}}"),
      ],
    }),
  );
