import { sloBounded } from "../../../src/engine/check/checks/slo/bounded.ts";
import { describeModelCheck, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { fixtureSource, sloModel, withSlos } from "../../helpers/slos.ts";

const ratio = (errorRatio: string) => () => withSlos([sloModel({ sli: { kind: "ratio", errorRatio } })]);

const bad: BadModel[] = [
  {
    name: "a rate, not a share",
    model: ratio('sum(rate(shop_requests_total{job="shop", code=~"5.."}[{{window}}]))'),
    message: "is not a division",
  },
  {
    name: "a difference",
    model: ratio("1 - sum(rate(shop_ok_total[{{window}}]))"),
    message: "is not a division",
  },
  {
    name: "errors over another metric",
    model: ratio(
      'sum(rate(shop_requests_total{code=~"5.."}[{{window}}])) / sum(rate(shop_sessions_total[{{window}}]))',
    ),
    message: "its numerator",
  },
  {
    name: "a numerator without the denominator's matcher",
    model: ratio(
      '(sum(rate(shop_requests_total{code=~"5.."}[{{window}}])) / sum(rate(shop_requests_total{job="shop"}[{{window}}])))',
    ),
    message: 'lacks the total\'s job="shop"',
  },
].map((b) => ({ ...b, subject: "slo shop-checkout", source: fixtureSource, fix: true }));

const good: GoodModel[] = [
  {
    name: "errors over all requests",
    model: ratio(
      'sum(rate(shop_requests_total{job="shop", code=~"5.."}[{{window}}])) / sum(rate(shop_requests_total{job="shop"}[{{window}}]))',
    ),
  },
  {
    name: "in parentheses",
    model: ratio(
      '(sum(rate(shop_requests_total{code=~"5.."}[{{window}}])) / sum(rate(shop_requests_total[{{window}}])))',
    ),
  },
  { name: "an events SLO", model: () => withSlos([sloModel()]) },
];

describeModelCheck("slo/bounded", sloBounded, { severity: "error", match: "message", bad, good });
