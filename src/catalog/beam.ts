import { counter, gauge } from "../engine/define/catalog.ts";

const pollerEvent = "telemetry_poller [:vm, :memory] measurement";

export const memoryTotal = gauge({
  name: "vm_memory_total_bytes",
  help: "Memory allocated by the BEAM, all kinds together (erlang:memory(total)).",
  unit: "bytes",
  labels: {},
  origin: { kind: "telemetry", detail: `${pollerEvent} total`, status: "exported" },
});

/** erlang:memory/0 kinds beyond the total; the runbook asks for processes and ETS. */
function memoryKind(kind: string, help: string) {
  return gauge({
    name: `vm_memory_${kind}_bytes`,
    help,
    unit: "bytes",
    labels: {},
    origin: {
      kind: "telemetry",
      detail: `${pollerEvent} ${kind}; export it like vm_memory_total_bytes`,
      status: "required",
    },
  });
}

export const memoryProcesses = memoryKind("processes", "Memory used by Erlang processes (heaps and stacks).");
export const memoryEts = memoryKind("ets", "Memory used by ETS tables, Cachex included.");
export const memoryBinary = memoryKind("binary", "Memory used by reference-counted binaries.");
export const memoryAtom = memoryKind("atom", "Memory used by the atom table.");
export const memoryCode = memoryKind("code", "Memory used by loaded code.");
export const memorySystem = memoryKind(
  "system",
  "Memory used by the emulator itself, not attributable to processes.",
);

export const processCount = gauge({
  name: "vm_total_processes",
  help: "Erlang processes alive on the node.",
  unit: "short",
  labels: {},
  origin: {
    kind: "telemetry",
    detail: "telemetry_poller [:vm, :system_counts] process_count",
    status: "exported",
  },
});

export const reductions = gauge({
  name: "vm_total_reductions",
  help: "Reductions (units of BEAM CPU work) executed since the node started.",
  unit: "short",
  labels: {},
  monotonic: true,
  origin: {
    kind: "telemetry",
    detail: "a poller measurement of :erlang.statistics(:reductions), exported as a last_value gauge",
    status: "exported",
  },
  notes:
    "No library exports this name; the application's own poller does, as a gauge (telemetry last_value) holding a " +
    "running total that resets when the node restarts. It is declared monotonic, so the runbook's `rate()` is right; " +
    "the dashboard uses `$__rate_interval` instead of the runbook's fixed `[1m]`, which is too short for a 15 s scrape.",
});

export const garbageCollections = counter({
  name: "vm_garbage_collections_total",
  help: "Garbage collections run by the node (erlang:statistics(garbage_collection)).",
  unit: "short",
  labels: {},
  origin: {
    kind: "telemetry",
    detail:
      "a poller measurement of :erlang.statistics(:garbage_collection) number_of_gcs, exported as a counter",
    status: "required",
  },
  notes: "The runbook asks for garbage-collection frequency; nothing exports it yet.",
});

export const garbageReclaimed = counter({
  name: "vm_garbage_collection_reclaimed_bytes_total",
  help: "Bytes reclaimed by garbage collection (words_reclaimed × word size).",
  unit: "bytes",
  labels: {},
  origin: {
    kind: "telemetry",
    detail:
      "a poller measurement of :erlang.statistics(:garbage_collection) words_reclaimed, in bytes, as a counter",
    status: "required",
  },
});

export const runQueueLength = gauge({
  name: "vm_run_queue_length",
  help: "Processes and ports ready to run but waiting for a scheduler.",
  unit: "short",
  labels: { kind: "cpu (normal schedulers) or io (dirty IO schedulers)." },
  origin: {
    kind: "telemetry",
    detail: "telemetry_poller [:vm, :total_run_queue_lengths] cpu and io",
    status: "required",
  },
  notes: "A run queue that stays above zero means the schedulers are saturated: the BEAM's CPU signal.",
});

export const memoryLimit = gauge({
  name: "global_sovereign_memory_limit_bytes",
  help: "Memory the instance may use before it is killed: the container or VM limit (cgroup memory.max).",
  unit: "bytes",
  labels: {},
  origin: {
    kind: "telemetry",
    detail:
      "read once at boot from /sys/fs/cgroup/memory.max (or the Fly machine size) and exported as a gauge",
    status: "required",
  },
  notes: 'The runbook\'s "memory usage > 80%" needs a denominator; nothing exports the limit yet.',
});
