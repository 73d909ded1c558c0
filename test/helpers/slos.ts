/** SLO fixtures for the slo/* checks: a compiled SLO of one's own, in a model whose other parts are the real ones. */
import type { Model, SloModel } from "../../src/engine/model.ts";
import { realModel } from "./checks.ts";

export const fixtureSource = { file: "src/slos/fixture.ts", line: 7 };

export function sloModel(overrides: Partial<SloModel> = {}): SloModel {
  return {
    id: "shop-checkout",
    service: "shop",
    name: "checkout",
    title: "Checkout",
    objective: 99.5,
    period: "28d",
    budget: 0.005,
    sli: {
      kind: "events",
      errors: 'sum(rate(shop_requests_total{job="shop", code=~"5.."}[{{window}}]))',
      total: 'sum(rate(shop_requests_total{job="shop"}[{{window}}]))',
    },
    alerts: [],
    source: fixtureSource,
    ...overrides,
  };
}

export const withSlos = (slos: SloModel[], settings: Partial<Model["settings"]> = {}): Model => {
  const base = realModel();
  return { ...base, settings: { ...base.settings, ...settings }, slos };
};
