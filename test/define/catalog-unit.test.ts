import { describe, expect, it } from "vitest";
import { gauge, validatedMetric } from "../../src/engine/define/catalog.ts";

/** A gauge of the catalog with its unit as given. */
const metric = (unit: string) =>
  gauge({
    name: "vm_memory_total_bytes",
    help: "Memory allocated by the BEAM.",
    unit,
    labels: {},
    origin: { kind: "telemetry", detail: "vm.memory total", status: "exported" },
  });

describe("a catalog metric's unit is a Grafana unit id", () => {
  it.each([
    ["seconds", 'did you mean "s"?'],
    ["Bytes", 'did you mean "bytes"?'],
    ["ratio", 'did you mean "percentunit"?'],
  ])("%s is reported where the metric is declared, with a suggestion", (unit, fix) => {
    const { problems } = validatedMetric(metric(unit));
    expect(problems.map((p) => [p.message, p.source.file])).toEqual([
      [`unit "${unit}" is not a Grafana unit id`, "test/define/catalog-unit.test.ts"],
    ]);
    expect(problems[0]!.fix).toContain(fix);
  });

  it.each(["bytes", "s", "short", "reqps", "currencyUSD", "bool", "suffix:msg"])("%s is one", (unit) => {
    expect(validatedMetric(metric(unit)).problems).toEqual([]);
  });
});
