import { describe, expect, it } from "vitest";
import { analysisOf } from "../../src/engine/diff/analysis.ts";

const analysis = analysisOf({
  alerts: [],
  recordingRules: [],
  ruleGroups: [],
  dashboards: [],
  others: new Map(),
});
const pinned = (expr: string) => Object.fromEntries(analysis.pinned(expr, false));

describe("the label values every selector of an expression pins", () => {
  it.each([
    {
      name: "an SLO alert: both windows pin the SLO",
      expr: 'slo:sli_error:ratio_rate1h{sloth_id="shop-checkout", job="shop"} / 0.01 > 13.44\nand ignoring (sloth_window)\nslo:sli_error:ratio_rate5m{sloth_id="shop-checkout"} / 0.01 > 13.44',
      expected: { sloth_id: "shop-checkout" },
    },
    {
      name: "one selector",
      expr: 'up{job="shop", instance="a:1"} < 1',
      expected: { job: "shop", instance: "a:1" },
    },
    { name: "two values", expr: 'a{job="shop"} or b{job="cart"}', expected: {} },
    { name: "a selector that does not pin it", expr: 'a{job="shop"} or b', expected: {} },
    { name: "a regex pins nothing", expr: 'a{job=~"shop"}', expected: {} },
    { name: "a negative matcher pins nothing", expr: 'a{job!="shop"}', expected: {} },
    {
      name: "label_replace writes it",
      expr: 'label_replace(a{job="shop"}, "job", "cart", "", "")',
      expected: {},
    },
    {
      name: "the metric name is no label of the result",
      expr: '{__name__="up", job="shop"}',
      expected: { job: "shop" },
    },
    { name: "no selector", expr: "vector(1)", expected: {} },
  ])("$name", ({ expr, expected }) => {
    expect(pinned(expr)).toEqual(expected);
  });
});
