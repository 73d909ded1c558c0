/** The SLO flags of `o11y diff`, on builds of fixture SLOs: removed, objective lowered, SLI query changed. */
import { describe, expect, it } from "vitest";
import { sloFlags } from "../../src/engine/diff/slos.ts";
import type { Snapshot } from "../../src/engine/diff/snapshot.ts";
import type { RecordingRuleModel } from "../../src/engine/model.ts";

const source = { file: "src/slos/shop.ts", line: 3 };
const ids = (id: string) => ({ sloth_id: id, sloth_service: "shop", sloth_slo: id.replace(/^shop-/, "") });
const rule = (record: string, expr: string, labels: Record<string, string>): RecordingRuleModel => ({
  record,
  expr,
  labels,
  tests: [],
  group: "g",
  source,
});
const errors = 'sum(rate(shop_orders_total{outcome="failed"}[5m]))\n/\nsum(rate(shop_orders_total[5m]))';
const build = (slos: Array<{ id: string; objective: string; sli?: string }>): Snapshot => ({
  alerts: [],
  ruleGroups: [],
  dashboards: [],
  others: new Map(),
  recordingRules: slos.flatMap(({ id, objective, sli = errors }) => [
    rule("slo:sli_error:ratio_rate5m", sli, { ...ids(id), sloth_window: "5m" }),
    rule("sloth_slo_info", "vector(1)", { ...ids(id), sloth_objective: objective }),
  ]),
});
const flags = (base: Snapshot, head: Snapshot) =>
  sloFlags(base, head).map((f) => [f.id, f.subject, f.message]);
const checkout = { id: "shop-checkout", objective: "99.9" };
const search = { id: "shop-search", objective: "99" };

describe("o11y diff: SLO flags", () => {
  it("flags nothing when the SLOs are the same, their SLI reformatted, or an objective raised", () => {
    const base = build([checkout, search]);
    expect(flags(base, build([checkout, search]))).toEqual([]);
    expect(flags(base, build([{ ...checkout, sli: errors.replace(/\n/g, "   ") }, search]))).toEqual([]);
    expect(flags(base, build([{ ...checkout, objective: "99.95" }, search]))).toEqual([]);
  });

  it("flags an SLO that is gone", () => {
    expect(flags(build([checkout, search]), build([checkout]))).toEqual([
      [
        "slo-removed",
        "slo shop-search",
        "is gone, with its burn-rate alerts and its dashboard row: nothing watches its error budget any more",
      ],
    ]);
  });

  it("flags a lowered objective with how much larger the budget grows", () => {
    expect(flags(build([checkout]), build([{ ...checkout, objective: "99.5" }]))).toEqual([
      [
        "objective-lowered",
        "slo shop-checkout",
        "objective 99.9% → 99.5%: its error budget grows 5x, so every burn-rate alert fires later",
      ],
    ]);
  });

  it("flags a changed SLI query", () => {
    const narrower = errors.replace('outcome="failed"', 'outcome="failed", region="eu"');
    const [flag] = flags(build([checkout]), build([{ ...checkout, sli: narrower }]));
    expect(flag?.slice(0, 2)).toEqual(["sli-changed", "slo shop-checkout"]);
    expect(flag?.[2]).toContain('region="eu"');
  });
});
